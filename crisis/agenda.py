"""The coordination meeting: a meeting of the crisis's coordination group
with an agenda generated from a period's submitted reports, for the whole
crisis or one region (a regional meeting on that region's kommuner and the
hospital).

:func:`snapshot` gathers what the agenda is written from: the period's
picture (:mod:`crisis.picture`) and the open resource requests; one
``*_paper`` function writes each agenda item's case paper (:data:`PAPERS`,
in order); :func:`generate_agenda` plans the meeting with one
council-internal case per item, once per crisis, period and region.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Visibility
from councils.models import Treatment
from crisis import levels, periods, picture, services
from crisis.models import (
    CoordinationMeeting,
    Crisis,
    FormIndicator,
    Indicator,
    PartnershipLevel,
    ResourceRequest,
)
from crisis.numbers import plain
from crisis.resources import OPEN_REQUEST_STATUSES
from partnerships.models import Region

# --- Aggregation for the agenda ------------------------------------------------------


@dataclass
class Snapshot:
    """What the agenda is written from: the period's picture (of one region,
    or all) with its parties' values, and the open resource requests."""

    crisis: Crisis
    start: datetime.date
    previous_start: datetime.date
    region: Region | None
    lines: list[FormIndicator]
    # The parties shown, by name.
    parties: list[picture.Party]
    late: set[int]
    declared: PartnershipLevel | None
    requests: list[ResourceRequest]
    # Region names in their order; parties without a region come last.
    region_names: list[str]

    @property
    def indicators(self) -> list[Indicator]:
        return [line.indicator for line in self.lines]

    @property
    def reported(self) -> list[picture.Party]:
        return [p for p in self.parties if p.report is not None]


def snapshot(crisis: Crisis, start: datetime.date, *, region: Region | None = None) -> Snapshot:
    """Gather the period's picture (:func:`crisis.picture.build`, with values)
    and the open requests of its parties, in a constant number of queries
    whatever the number of parties."""
    shown = picture.build(crisis, start, region_id=region.pk if region else None, values=True)
    parties = sorted(shown.parties, key=lambda p: p.organisation.name)
    requests = list(
        ResourceRequest.objects.filter(
            crisis=crisis,
            status__in=OPEN_REQUEST_STATUSES,
            requesting_organisation_id__in=[p.organisation.pk for p in parties],
        )
        .select_related("requesting_organisation", "offering_organisation")
        .order_by("needed_by", "created", "pk")
    )
    used = {p.region_name for p in parties if p.region_name}
    return Snapshot(
        crisis=crisis,
        start=start,
        previous_start=shown.previous_start,
        region=region,
        lines=shown.lines,
        parties=parties,
        late={p.organisation.pk for p in shown.late},
        declared=shown.declared,
        requests=requests,
        region_names=[g.name for g in shown.regions if g.name in used],
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


def _value(indicator: Indicator, number: Decimal | None) -> str:
    shown = services.display(indicator, number, "")
    return f"{shown} {indicator.unit}".strip() if indicator.unit else shown


def _item_names(indicator: Indicator) -> list[tuple[str, str]]:
    """(item code, name) of each value of the indicator."""
    if indicator.items:
        return [(i["code"], i.get("name") or i["code"]) for i in indicator.items]
    return [("", indicator.name)]


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
    computed = levels.partnership_level(
        p.report.level for p in snap.parties if p.report is not None
    )
    if snap.declared is not None:
        lines.append(
            _("Partnership level: computed %(computed)s, declared %(declared)s (%(reason)s).")
            % {
                "computed": levels.short(computed),
                "declared": levels.short(snap.declared.level),
                "reason": snap.declared.reason,
            }
        )
    else:
        lines.append(
            _("Partnership level: computed %(computed)s.") % {"computed": levels.short(computed)}
        )
    groups: dict[str, list[picture.Party]] = defaultdict(list)
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


def _party_status_line(party: picture.Party, names: Mapping[str, str], *, late: bool) -> str:
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
            "level": levels.short(report.level),
            "computed": levels.short(report.computed_level),
            "declared": levels.short(report.declared_level),
            "reason": report.declared_reason,
        }
    else:
        line = _("- %(party)s: %(level)s (computed)") % {
            "party": org,
            "level": levels.short(report.computed_level),
        }
    raised = [
        f"{names.get(code, code)} ({levels.short(level)})"
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
                % {"level": level, "at": plain(at)}
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
                (name, number, levels.level_of(number, rule))
                for number, name in found
                if rule is not None and levels.level_of(number, rule) > 1
            ]
            line = _("- %(party)s: lowest %(item)s %(value)s") % {
                "party": party.organisation.name,
                "item": low_name,
                "value": _value(indicator, low_number),
            }
            if under:
                line += ". " + _("Under the thresholds: %(items)s") % {
                    "items": ", ".join(
                        f"{name} {_value(indicator, number)} ({levels.short(level)})"
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
                    "used": plain(used),
                    "capacity": plain(capacity),
                }
                if capacity:
                    share = _percent(used, capacity)
                    level = levels.level_of(used * 100 / capacity, rule) if rule else 1
                    cell += f" ({share}, {levels.short(level)})" if level > 1 else f" ({share})"
                cells.append(cell)
            if cells:
                lines.append(f"- {party.organisation.name}: " + "; ".join(cells) + ".")
        total_cells = [
            _("%(item)s %(used)s of %(capacity)s")
            % {
                "item": name,
                "used": plain(totals[code][0]),
                "capacity": plain(totals[code][1]),
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
        earlier = party.earlier
        if earlier is None or earlier.period_start != snap.previous_start:
            without.append(party.organisation.name)
            continue
        changes = []
        if earlier.level != party.level:
            changes.append(
                _("party level %(before)s → %(after)s")
                % {"before": earlier.level or "–", "after": party.level or "–"}
            )
        for code in [i.code for i in snap.indicators]:
            before, after = party.earlier_levels.get(code), party.levels.get(code)
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
