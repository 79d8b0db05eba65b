"""Coordination in a crisis: the coordination group's meeting with its agenda
generated from a period's submitted reports (for the whole crisis or one
region), the crisis log and its follow-ups, and resource requests between
the parties.

The resource-request workflow is the table :data:`TRANSITIONS`: from each
status, the statuses that may follow and which *side* may take each step.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Visibility
from core.services import EditConflict, save_versioned
from core.validators import validate_no_identity_number
from councils.models import Treatment
from crisis import periods, services
from crisis.models import (
    CoordinationMeeting,
    Crisis,
    FormIndicator,
    Indicator,
    LevelRule,
    LogEntry,
    PartnershipLevel,
    Report,
    ResourceRequest,
    Value,
)
from partnerships.access import people_who_may
from partnerships.capabilities import Capability
from partnerships.models import Organisation, Participation, Region

# --- Aggregation for the agenda ------------------------------------------------------


@dataclass
class PartyStatus:
    """One party's submitted report of the period (and the one before), with
    the levels each indicator reached under the report's rule version."""

    organisation: Organisation
    region_name: str
    report: Report | None = None
    numbers: dict[tuple[str, str], Decimal | None] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    thresholds: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    previous: Report | None = None
    previous_levels: dict[str, int] = field(default_factory=dict)


@dataclass
class Snapshot:
    """What the agenda is written from: the period's parties (of one region,
    or all), their submitted reports, the partnership level and the open
    resource requests."""

    crisis: Crisis
    start: datetime.date
    region: Region | None
    lines: list[FormIndicator]
    parties: list[PartyStatus]
    late: set[int]
    declared: PartnershipLevel | None
    requests: list[ResourceRequest]
    # Region names in their order; parties without a region come last.
    region_names: list[str]

    @property
    def indicators(self) -> list[Indicator]:
        return [line.indicator for line in self.lines]

    @property
    def reported(self) -> list[PartyStatus]:
        return [p for p in self.parties if p.report is not None]


OPEN_REQUEST_STATUSES = (
    ResourceRequest.Status.REQUESTED,
    ResourceRequest.Status.OFFERED,
    ResourceRequest.Status.AGREED,
)


def _party_regions(crisis: Crisis) -> dict[int, tuple[int, str, int]]:
    """Organisation id → (region id, region name, region position) for the
    partnership's current parties that belong to a region (one query)."""
    rows = (
        Participation.objects.current()
        .filter(
            partnership_id=crisis.partnership_id,
            role=Participation.Role.PARTY,
            region__isnull=False,
        )
        .values_list("organisation_id", "region_id", "region__name", "region__position")
    )
    return {org: (region_id, name, position) for org, region_id, name, position in rows}


def snapshot(crisis: Crisis, start: datetime.date, *, region: Region | None = None) -> Snapshot:
    """Gather the period's submitted reports and what the agenda needs from
    them, in a constant number of queries (whatever the number of parties):
    the parties (2), their regions (1), the form (1), the reports of the
    period and the one before (1), their values (1), the rule versions (1),
    who is late (1), the declared partnership level (1) and the open
    requests (1)."""
    parties = services.parties_of(crisis)
    regions = _party_regions(crisis)
    if region is not None:
        parties = [
            p
            for p in parties
            if p.kind != Organisation.Kind.KOMMUNE
            or regions.get(p.pk, (None, "", 0))[0] == region.pk
        ]
    lines = services.form_lines(crisis.form)
    by_id = {line.indicator.pk: line.indicator for line in lines}
    previous_start = periods.previous(crisis.form, start)
    reports = list(
        Report.objects.filter(
            crisis=crisis,
            period_start__in=[start, previous_start],
            status=Report.Status.SUBMITTED,
            organisation_id__in=[p.pk for p in parties],
        )
    )
    numbers: dict[int, dict[tuple[str, str], Decimal | None]] = defaultdict(dict)
    texts: dict[int, dict[str, str]] = defaultdict(dict)
    for report_id, indicator_id, item, number, text in Value.objects.filter(
        report_id__in=[r.pk for r in reports]
    ).values_list("report_id", "indicator_id", "item", "number", "text"):
        indicator = by_id.get(indicator_id)
        if indicator is None:
            continue
        if indicator.value_type == Indicator.ValueType.TEXT:
            if text:
                texts[report_id][indicator.code] = text
        else:
            numbers[report_id][(indicator.code, item)] = number
    rules = {
        rule.version: rule.thresholds
        for rule in LevelRule.objects.filter(
            partnership_id=crisis.partnership_id,
            version__in={r.rule_version for r in reports if r.rule_version is not None},
        )
    }
    current = {(r.organisation_id, r.period_start): r for r in reports}
    statuses = []
    for party in parties:
        status = PartyStatus(
            organisation=party, region_name=regions.get(party.pk, (None, "", 0))[1]
        )
        report = current.get((party.pk, start))
        if report is not None:
            status.report = report
            status.thresholds = rules.get(report.rule_version or 0, {})
            status.numbers = numbers[report.pk]
            status.texts = texts[report.pk]
            status.levels = services.indicator_levels(status.numbers, status.thresholds)
        previous = current.get((party.pk, previous_start))
        if previous is not None:
            status.previous = previous
            status.previous_levels = services.indicator_levels(
                numbers[previous.pk], rules.get(previous.rule_version or 0, {})
            )
        statuses.append(status)
    late = {o.pk for o in services.completeness(crisis, start, parties=parties).late}
    party_ids = [p.pk for p in parties]
    requests = list(
        ResourceRequest.objects.filter(
            crisis=crisis,
            status__in=OPEN_REQUEST_STATUSES,
            requesting_organisation_id__in=party_ids,
        )
        .select_related("requesting_organisation", "offering_organisation")
        .order_by("needed_by", "created", "pk")
    )
    used = {
        regions[p.pk][0]: (regions[p.pk][2], regions[p.pk][1]) for p in parties if p.pk in regions
    }
    return Snapshot(
        crisis=crisis,
        start=start,
        region=region,
        lines=lines,
        parties=statuses,
        late=late,
        declared=PartnershipLevel.objects.filter(crisis=crisis, period_start=start).first(),
        requests=requests,
        region_names=[name for _position, name in sorted(used.values())],
    )


# --- The case papers -----------------------------------------------------------------


def period_label(crisis: Crisis, start: datetime.date) -> str:
    """ "week 47" for a weekly form, the date for a daily one."""
    if crisis.form.period_type == crisis.form.PeriodType.WEEKLY:
        return _("week %(week)d") % {"week": start.isocalendar().week}
    return formats.date_format(start, "SHORT_DATE_FORMAT")


def meeting_title(crisis: Crisis, start: datetime.date, region: Region | None = None) -> str:
    period = period_label(crisis, start)
    if region is not None:
        title = _("Regional meeting – %(region)s – %(period)s") % {
            "region": region.name,
            "period": period,
        }
    else:
        title = _("Coordination meeting %(period)s – %(crisis)s") % {
            "period": period,
            "crisis": crisis.name,
        }
    return title[:200]


def _level(level: int | None) -> str:
    return _("level %(level)d") % {"level": level} if level else "–"


def _value(indicator: Indicator, number: Decimal | None) -> str:
    shown = services.display(indicator, number, "")
    return f"{shown} {indicator.unit}".strip() if indicator.unit else shown


def _item_names(indicator: Indicator) -> list[tuple[str, str]]:
    """(item code, name) of each value of the indicator."""
    if indicator.items:
        return [(i["code"], i.get("name") or i["code"]) for i in indicator.items]
    return [("", indicator.name)]


def _num(number: Decimal) -> str:
    return f"{number.normalize():f}"


def _percent(part: Decimal, whole: Decimal) -> str:
    return f"{part * 100 / whole:.0f} %"


def _date(day: datetime.date | None) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else ""


def status_paper(snap: Snapshot) -> str:
    """(a) Status by region: who reported, each party's level (computed and
    declared) and the indicators above level 1."""
    names = {i.code: i.name for i in snap.indicators}
    expected = len(snap.parties)
    reported = len(snap.reported)
    lines = [
        _("Reported: %(reported)d of %(expected)d parties.")
        % {"reported": reported, "expected": expected}
    ]
    computed = services.computed_partnership_level(
        p.report.level for p in snap.parties if p.report is not None
    )
    if snap.declared is not None:
        lines.append(
            _("Partnership level: computed %(computed)s, declared %(declared)s (%(reason)s).")
            % {
                "computed": _level(computed),
                "declared": _level(snap.declared.level),
                "reason": snap.declared.reason,
            }
        )
    else:
        lines.append(
            _("Partnership level: computed %(computed)s.") % {"computed": _level(computed)}
        )
    groups: dict[str, list[PartyStatus]] = defaultdict(list)
    for party in snap.parties:
        groups[party.region_name].append(party)
    order = [name for name in snap.region_names if name in groups]
    if "" in groups:
        order.append("")
    for name in order:
        members = groups[name]
        lines.append("")
        lines.append(
            _("%(region)s (%(reported)d of %(expected)d reported)")
            % {
                "region": name or _("Hospitals and other parties"),
                "reported": sum(1 for p in members if p.report is not None),
                "expected": len(members),
            }
        )
        for party in members:
            lines.append(_party_status_line(party, names, late=party.organisation.pk in snap.late))
    return "\n".join(lines)


def _party_status_line(party: PartyStatus, names: Mapping[str, str], *, late: bool) -> str:
    org = party.organisation.name
    report = party.report
    if report is None:
        if late:
            return _("- %(party)s: not reported (late).") % {"party": org}
        return _("- %(party)s: not reported yet.") % {"party": org}
    if report.declared_level:
        line = _(
            "- %(party)s: %(level)s (computed %(computed)s, declared %(declared)s: %(reason)s)"
        ) % {
            "party": org,
            "level": _level(report.level),
            "computed": _level(report.computed_level),
            "declared": _level(report.declared_level),
            "reason": report.declared_reason,
        }
    else:
        line = _("- %(party)s: %(level)s (computed)") % {
            "party": org,
            "level": _level(report.computed_level),
        }
    raised = [
        f"{names.get(code, code)} ({_level(level)})"
        for code, level in sorted(party.levels.items(), key=lambda kv: (-kv[1], kv[0]))
        if level > 1
    ]
    if raised:
        line += ". " + _("Raised: %(indicators)s") % {"indicators": ", ".join(raised)}
    if report.no_change:
        line += ". " + _("No change since the last report")
    return line + "."


def _thresholds_text(indicator: Indicator) -> str:
    parts = []
    for level, at in ((2, indicator.level2_at), (3, indicator.level3_at), (4, indicator.level4_at)):
        if at is not None:
            parts.append(
                (
                    _("level %(level)d under %(at)s")
                    if indicator.lower_is_worse
                    else _("level %(level)d from %(at)s")
                )
                % {"level": level, "at": _num(at)}
            )
    return ", ".join(parts)


def equipment_paper(snap: Snapshot) -> str:
    """(b) Stock indicators where lower is worse (protective equipment in
    days): each party's lowest item and the items under the thresholds."""
    stocks = [
        i for i in snap.indicators if i.lower_is_worse and i.value_type != Indicator.ValueType.TEXT
    ]
    if not stocks:
        return _("The report form has no stock indicators.")
    lines: list[str] = []
    for indicator in stocks:
        if lines:
            lines.append("")
        header = indicator.name
        thresholds = _thresholds_text(indicator)
        lines.append(f"{header} ({thresholds})" if thresholds else header)
        lowest_overall: tuple[Decimal, str, str] | None = None
        for party in snap.reported:
            rule = party.thresholds.get(indicator.code)
            found = [
                (number, name)
                for code, name in _item_names(indicator)
                if (number := party.numbers.get((indicator.code, code))) is not None
            ]
            if not found:
                continue
            low_number, low_name = min(found, key=lambda pair: pair[0])
            if lowest_overall is None or low_number < lowest_overall[0]:
                lowest_overall = (low_number, low_name, party.organisation.name)
            under = [
                (name, number, services.level_of(number, rule))
                for number, name in found
                if rule is not None and services.level_of(number, rule) > 1
            ]
            line = _("- %(party)s: lowest %(item)s %(value)s") % {
                "party": party.organisation.name,
                "item": low_name,
                "value": _value(indicator, low_number),
            }
            if under:
                line += ". " + _("Under the thresholds: %(items)s") % {
                    "items": ", ".join(
                        f"{name} {_value(indicator, number)} ({_level(level)})"
                        for name, number, level in sorted(under, key=lambda u: u[1])
                    )
                }
            lines.append(line + ".")
        if lowest_overall is None:
            lines.append(_("No party has reported it for this period."))
        else:
            lines.append(
                _("Lowest of all: %(item)s, %(value)s (%(party)s).")
                % {
                    "item": lowest_overall[1],
                    "value": _value(indicator, lowest_overall[0]),
                    "party": lowest_overall[2],
                }
            )
    return "\n".join(lines)


def capacity_paper(snap: Snapshot) -> str:
    """(c) Occupancy (indicators measured as a share of another) per party
    and item, and the totals."""
    shares = [i for i in snap.indicators if i.relative_to_id is not None]
    if not shares:
        return _("The report form has no capacity indicators.")
    lines: list[str] = []
    for indicator in shares:
        base = indicator.relative_to
        assert base is not None
        if lines:
            lines.append("")
        lines.append(
            _("%(used)s of %(capacity)s") % {"used": indicator.name, "capacity": base.name}
        )
        totals: dict[str, list[Decimal]] = {
            code: [Decimal(0), Decimal(0)] for code, _n in _item_names(indicator)
        }
        for party in snap.reported:
            rule = party.thresholds.get(indicator.code)
            cells = []
            for code, name in _item_names(indicator):
                used = party.numbers.get((indicator.code, code))
                capacity = party.numbers.get((base.code, code))
                if used is None or capacity is None:
                    continue
                totals[code][0] += used
                totals[code][1] += capacity
                cell = _("%(item)s %(used)s of %(capacity)s") % {
                    "item": name,
                    "used": _num(used),
                    "capacity": _num(capacity),
                }
                if capacity:
                    share = _percent(used, capacity)
                    level = services.level_of(used * 100 / capacity, rule) if rule else 1
                    cell += f" ({share}, {_level(level)})" if level > 1 else f" ({share})"
                cells.append(cell)
            if cells:
                lines.append(f"- {party.organisation.name}: " + "; ".join(cells) + ".")
        total_cells = [
            _("%(item)s %(used)s of %(capacity)s")
            % {
                "item": name,
                "used": _num(totals[code][0]),
                "capacity": _num(totals[code][1]),
            }
            + (f" ({_percent(totals[code][0], totals[code][1])})" if totals[code][1] else "")
            for code, name in _item_names(indicator)
        ]
        lines.append(_("Total: %(cells)s.") % {"cells": "; ".join(total_cells)})
    return "\n".join(lines)


def changes_paper(snap: Snapshot) -> str:
    """(d) Levels that changed since the previous period, per party."""
    names = {i.code: i.name for i in snap.indicators}
    lines: list[str] = []
    without: list[str] = []
    for party in snap.reported:
        report = party.report
        assert report is not None
        if party.previous is None:
            without.append(party.organisation.name)
            continue
        changes = []
        if party.previous.level != report.level:
            changes.append(
                _("party level %(before)s → %(after)s")
                % {"before": party.previous.level or "–", "after": report.level or "–"}
            )
        for code in [i.code for i in snap.indicators]:
            before, after = party.previous_levels.get(code), party.levels.get(code)
            if before is not None and after is not None and before != after:
                changes.append(
                    _("%(indicator)s %(before)d → %(after)d")
                    % {"indicator": names[code], "before": before, "after": after}
                )
        if changes:
            lines.append(f"- {party.organisation.name}: " + "; ".join(changes) + ".")
    if not lines:
        lines.append(_("No level changed since the previous period."))
    if without:
        lines.append(
            _("No report for the previous period to compare with: %(parties)s.")
            % {"parties": ", ".join(without)}
        )
    return "\n".join(lines)


def needs_paper(snap: Snapshot) -> str:
    """(e) The text values (special challenges, needs) per party."""
    texts = [i for i in snap.indicators if i.value_type == Indicator.ValueType.TEXT]
    lines: list[str] = []
    for party in snap.reported:
        written = [(i.name, party.texts[i.code]) for i in texts if party.texts.get(i.code)]
        if not written:
            continue
        if lines:
            lines.append("")
        lines.append(party.organisation.name)
        lines.extend(f"- {name}: {text}" for name, text in written)
    return "\n".join(lines) or _("No party reported special challenges or needs.")


def requests_paper(snap: Snapshot) -> str:
    """(f) Resource requests not yet delivered or withdrawn."""
    lines = []
    for request in snap.requests:
        line = _("- %(party)s asks for %(kind)s: %(what)s") % {
            "party": request.requesting_organisation.name,
            "kind": request.get_kind_display().lower(),
            "what": request.description,
        }
        if request.quantity:
            line += f" ({request.quantity})"
        if request.needed_by:
            line += ", " + _("needed by %(date)s") % {"date": _date(request.needed_by)}
        line += ". " + _("Status: %(status)s") % {"status": request.get_status_display()}
        if request.offering_organisation is not None:
            line += ", " + _("offered by %(party)s: %(offer)s") % {
                "party": request.offering_organisation.name,
                "offer": request.offer,
            }
        lines.append(line + ".")
    return "\n".join(lines) or _("There are no open resource requests.")


# The agenda, in order: (key, how it is handled, case title, the paper's writer).
PAPERS: list[tuple[str, str, Any, Callable[[Snapshot], str]]] = [
    ("status", Treatment.Kind.INFORMATION, gettext_lazy("Status by region"), status_paper),
    (
        "equipment",
        Treatment.Kind.INFORMATION,
        gettext_lazy("Protective equipment"),
        equipment_paper,
    ),
    ("capacity", Treatment.Kind.INFORMATION, gettext_lazy("Capacity"), capacity_paper),
    (
        "changes",
        Treatment.Kind.INFORMATION,
        gettext_lazy("Changes since the last period"),
        changes_paper,
    ),
    ("needs", Treatment.Kind.DISCUSSION, gettext_lazy("Special challenges and needs"), needs_paper),
    ("requests", Treatment.Kind.DISCUSSION, gettext_lazy("Open resource requests"), requests_paper),
]


def papers(snap: Snapshot) -> list[tuple[str, str, str, str]]:
    """(key, handling, case title, case paper text) for each agenda item."""
    label = period_label(snap.crisis, snap.start)
    if snap.region is not None:
        label = f"{snap.region.name}, {label}"
    return [
        (key, kind, f"{title} – {label}"[:300], paper(snap)) for key, kind, title, paper in PAPERS
    ]


def _region_allowed(crisis: Crisis, region: Region) -> bool:
    if region.partnership_id != crisis.partnership_id:
        return False
    chosen = [r.pk for r in crisis.regions.all()]
    return not chosen or region.pk in chosen


def generate_agenda(
    crisis: Crisis,
    period_start: datetime.date,
    *,
    by: Any,
    region: Region | None = None,
    starts_at: datetime.datetime,
    client_key: uuid.UUID | None = None,
) -> CoordinationMeeting:
    """Plan a meeting of the crisis's coordination group with an agenda
    generated from the period's submitted reports: one council-internal case
    per part (status by region, equipment, capacity, changes, challenges and
    needs, open resource requests). With ``region``, a regional meeting on
    that region's kommuner (and the hospital).

    Generating again for the same crisis, period and region returns the
    meeting made the first time. ``client_key`` keys the cases, so a repeated
    request never numbers new ones. Refused (``ValidationError``) without a
    coordination group, for a period that is not the crisis's, or a region
    outside it.
    """
    council = crisis.council
    if council is None:
        raise ValidationError(
            _(
                "This crisis has no coordination group to hold the meeting. "
                "Choose the coordination group when opening the crisis."
            )
        )
    if periods.align(crisis.form, period_start) != period_start or not periods.is_period(
        crisis, period_start
    ):
        raise ValidationError(_("There is no such reporting period in this crisis."))
    if region is not None and not _region_allowed(crisis, region):
        raise ValidationError(_("Choose one of the crisis's regions."))
    try:
        with transaction.atomic():
            # One generator at a time per crisis (PostgreSQL), so two clicks make one meeting.
            list(Crisis.objects.select_for_update().filter(pk=crisis.pk).values_list("pk"))
            existing = (
                CoordinationMeeting.objects.filter(
                    crisis=crisis, period_start=period_start, region=region
                )
                .select_related("meeting")
                .first()
            )
            if existing is not None:
                return existing
            from councils.services import add_to_agenda, create_case, plan_meeting

            snap = snapshot(crisis, period_start, region=region)
            meeting = plan_meeting(
                council, starts_at=starts_at, title=meeting_title(crisis, period_start, region)
            )
            for key, kind, title, text in papers(snap):
                case, _created = create_case(
                    council=council,
                    title=title,
                    by=by if getattr(by, "pk", None) else None,
                    visibility=Visibility.COUNCIL,
                    background=text,
                    client_key=uuid.uuid5(client_key, key) if client_key else None,
                )
                add_to_agenda(meeting, case, kind)
            return CoordinationMeeting.objects.create(
                crisis=crisis, meeting=meeting, period_start=period_start, region=region
            )
    except IntegrityError:
        # Another request made it meanwhile (the unique constraint caught it).
        found = CoordinationMeeting.objects.filter(
            crisis=crisis, period_start=period_start, region=region
        ).first()
        if found is None:
            raise
        return found


# --- The crisis log ------------------------------------------------------------------


def add_log_entry(
    crisis: Crisis,
    *,
    text: str,
    by: Any,
    occurred_at: datetime.datetime | None = None,
    client_key: uuid.UUID | None = None,
) -> LogEntry:
    """Log a significant event. A repeated ``client_key`` returns the entry
    the first request made."""
    if client_key is not None:
        done = LogEntry.objects.filter(crisis=crisis, client_key=client_key).first()
        if done is not None:
            return done
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write what happened.")})
    validate_no_identity_number(text)
    entry = LogEntry(
        crisis=crisis,
        text=text,
        occurred_at=occurred_at or timezone.now(),
        by=by if getattr(by, "pk", None) else None,
        client_key=client_key,
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        done = LogEntry.objects.filter(crisis=crisis, client_key=client_key).first()
        if client_key is None or done is None:
            raise
        return done
    return entry


def log_followup(
    entry: LogEntry,
    *,
    title: str,
    by: Any,
    responsible_organisation: Organisation | None = None,
    deadline: datetime.date | None = None,
    client_key: uuid.UUID | None = None,
) -> Any:
    """An action arising from a log entry, followed up in the follow-up
    module (origin: crisis log), linked back to the log."""
    from followups.models import FollowUp
    from followups.services import create_followup

    crisis = entry.crisis
    partnership = crisis.partnership
    return create_followup(
        partnership=partnership,
        title=title,
        by=by,
        origin=FollowUp.Origin.CRISIS,
        origin_group=crisis.name,
        source=entry,
        source_label=_("Crisis log %(crisis)s, %(date)s")
        % {"crisis": crisis.name, "date": _date(timezone.localtime(entry.occurred_at).date())},
        source_url=reverse("crisis:log", args=[partnership.slug, crisis.pk]) + f"#entry-{entry.pk}",
        responsible_organisation=responsible_organisation,
        deadline=deadline,
        client_key=client_key,
    )


# --- Resource requests ---------------------------------------------------------------

R = ResourceRequest.Status

# The sides a person can be on for a request.
REQUESTER = "requester"  # coordinator or leader of the requesting party
OFFERER = "offerer"  # coordinator or leader of the party that offered
OTHER_PARTY = "other_party"  # coordinator or leader of any other party
SECRETARIAT = "secretariat"  # MANAGE_CRISIS

# The workflow, in one place: from each status, the statuses that may follow
# and the sides that may take each step.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    R.REQUESTED: {
        R.OFFERED: frozenset({OTHER_PARTY}),
        R.WITHDRAWN: frozenset({REQUESTER}),
    },
    R.OFFERED: {
        R.AGREED: frozenset({REQUESTER, SECRETARIAT}),
        R.WITHDRAWN: frozenset({REQUESTER}),
    },
    R.AGREED: {
        R.DELIVERED: frozenset({REQUESTER, OFFERER, SECRETARIAT}),
    },
    R.DELIVERED: {},
    R.WITHDRAWN: {},
}


def _side_labels() -> dict[str, str]:
    return {
        REQUESTER: _("the requesting party"),
        OFFERER: _("the offering party"),
        OTHER_PARTY: _("another party"),
        SECRETARIAT: _("the secretariat"),
    }


def sides_of(request: ResourceRequest, own: Iterable[int], *, manages: bool) -> frozenset[str]:
    """The sides a person is on: ``own`` are the parties they report for
    (coordinator or leader), ``manages`` whether they may manage the crisis."""
    own = set(own)
    sides = set()
    if request.requesting_organisation_id in own:
        sides.add(REQUESTER)
    if request.offering_organisation_id is not None and request.offering_organisation_id in own:
        sides.add(OFFERER)
    if own - {request.requesting_organisation_id}:
        sides.add(OTHER_PARTY)
    if manages:
        sides.add(SECRETARIAT)
    return frozenset(sides)


def allowed_steps(request: ResourceRequest, sides: frozenset[str]) -> list[str]:
    """The statuses this person may move the request to, in the choices' order."""
    steps = TRANSITIONS.get(request.status, {})
    return [s for s in R.values if s in steps and steps[s] & sides]


def check_step(request: ResourceRequest, new_status: str, sides: frozenset[str]) -> None:
    """Raise a ValidationError saying why, unless the table allows the step
    for one of ``sides``."""
    current = R(request.status).label
    new = R(new_status).label if new_status in R.values else new_status
    steps = TRANSITIONS.get(request.status, {})
    if new_status not in steps:
        raise ValidationError(
            _("A request that is “%(current)s” cannot become “%(new)s”.")
            % {"current": current, "new": new},
            code="transition",
        )
    if not steps[new_status] & sides:
        labels = _side_labels()
        raise ValidationError(
            _("Only %(who)s may change a request that is “%(current)s” to “%(new)s”.")
            % {
                "who": _(" or ").join(str(labels[s]) for s in sorted(steps[new_status])),
                "current": current,
                "new": new,
            },
            code="wrong_side",
        )


def crisis_party_ids(crisis: Crisis) -> set[int]:
    return {o.pk for o in services.parties_of(crisis)}


def request_resources(
    crisis: Crisis,
    *,
    organisation: Organisation,
    kind: str,
    description: str,
    by: Any,
    quantity: str = "",
    needed_by: datetime.date | None = None,
    client_key: uuid.UUID | None = None,
) -> ResourceRequest:
    """A party asks the others for resources. The caller checks that the
    person may ask for this party; a repeated ``client_key`` returns the
    request the first call made."""
    if client_key is not None:
        done = ResourceRequest.objects.filter(crisis=crisis, client_key=client_key).first()
        if done is not None:
            return done
    if crisis.status != Crisis.Status.ACTIVE:
        raise ValidationError(_("The crisis has been stood down; no new requests can be made."))
    if organisation.pk not in crisis_party_ids(crisis):
        raise ValidationError({"organisation": _("This party does not take part in this crisis.")})
    if kind not in ResourceRequest.Kind.values:
        raise ValidationError({"kind": _("Choose what kind of help is needed.")})
    description = description.strip()
    if not description:
        raise ValidationError({"description": _("Write what is needed.")})
    request = ResourceRequest(
        crisis=crisis,
        requesting_organisation=organisation,
        kind=kind,
        description=description,
        quantity=quantity.strip(),
        needed_by=needed_by,
        created_by=by if getattr(by, "pk", None) else None,
        client_key=client_key,
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        done = ResourceRequest.objects.filter(crisis=crisis, client_key=client_key).first()
        if client_key is None or done is None:
            raise
        return done
    return request


def change_request(
    request: ResourceRequest,
    new_status: str,
    *,
    own: Iterable[int],
    manages: bool,
    by: Any,
    expected_version: int,
    offering_organisation: Organisation | None = None,
    offer: str = "",
) -> ResourceRequest:
    """Move a request one step through :data:`TRANSITIONS` for a person who
    reports for the parties ``own`` (and manages the crisis if ``manages``).

    Offering names the offering party (one of ``own``, not the requester)
    and what it offers. A request changed by someone else since
    ``expected_version`` raises ``EditConflict`` (two offers at once: the
    second is refused); a step the table does not allow, or not for this
    person's side, raises ``ValidationError`` saying why. Notifies the
    requesting party of an offer, and the offering party of an agreement.
    """
    own = frozenset(own)
    if request.version != expected_version:
        raise EditConflict(request.version)
    check_step(request, new_status, sides_of(request, own, manages=manages))
    fields = ["status", "changed"]
    if new_status == R.OFFERED:
        offer = offer.strip()
        errors = {}
        if offering_organisation is None or offering_organisation.pk not in own:
            errors["offering_organisation"] = _("Choose the party you offer on behalf of.")
        elif offering_organisation.pk == request.requesting_organisation_id:
            errors["offering_organisation"] = _("A party cannot offer help to itself.")
        elif (
            not Participation.objects.current()
            .filter(
                partnership_id=request.crisis.partnership_id,
                organisation=offering_organisation,
                role=Participation.Role.PARTY,
            )
            .exists()
        ):
            errors["offering_organisation"] = _("Only parties of the partnership can offer help.")
        if not offer:
            errors["offer"] = _("Write what you offer.")
        if errors:
            raise ValidationError(errors)
        request.offering_organisation = offering_organisation
        request.offer = offer
        fields += ["offering_organisation", "offer"]
    request.status = new_status
    request.changed = timezone.now()
    with transaction.atomic():
        saved: ResourceRequest = save_versioned(request, expected_version, fields)  # type: ignore[assignment]
        if new_status == R.OFFERED:
            _notify(
                saved,
                saved.requesting_organisation_id,
                _("%(crisis)s: %(party)s offers help with the request from %(requester)s")
                % {
                    "crisis": saved.crisis.name,
                    "party": saved.offering_organisation,
                    "requester": saved.requesting_organisation,
                },
            )
        elif new_status == R.AGREED and saved.offering_organisation_id is not None:
            _notify(
                saved,
                saved.offering_organisation_id,
                _("%(crisis)s: the offer to %(requester)s was agreed")
                % {"crisis": saved.crisis.name, "requester": saved.requesting_organisation},
            )
    return saved


def _notify(request: ResourceRequest, organisation_id: int, headline: str) -> None:
    """Tell a party's coordinators and leaders (one query for them)."""
    from notifications.models import Notification
    from notifications.services import notify

    people = people_who_may(Capability.REPORT_CRISIS, [organisation_id])[organisation_id]
    crisis = request.crisis
    notify(
        Notification.Kind.CRISIS_REQUEST,
        people,
        partnership=crisis.partnership,
        headline=headline,
        path=reverse("crisis:request", args=[crisis.partnership.slug, crisis.pk, request.pk]),
    )
