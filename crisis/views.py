"""Crisis pages for the parties and the secretariat: the crises, opening and
standing one down, a crisis with the person's own reports, a party's report
form (with "no change since the last report") and a report with its values,
levels, revisions and unlocks.

Every rule lives in :mod:`crisis.services`; access in :mod:`crisis.access`
(404 for outsiders and for another party's report form, 403 for insiders
without the right).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.forms import BoundField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.forms import rebind_after_conflict
from core.own import Own
from core.services import EditConflict, error_text
from crisis import periods, services
from crisis.access import can_read_report, get_crisis, reporting_organisation_ids, require_viewer
from crisis.catalogue import ensure_covid_form
from crisis.forms import (
    LEVEL_CHOICES,
    YES_NO_CHOICES,
    DeclareLevelForm,
    NoChangeForm,
    OpenCrisisForm,
    ReportValuesForm,
    UnlockForm,
    comment_name,
    value_name,
)
from crisis.models import (
    Crisis,
    FormIndicator,
    Indicator,
    LevelRule,
    Report,
    ReportForm,
    ReportRevision,
)
from crisis.reminders import (
    ReportStatus,
    own_parties,
    period_label,
    period_statuses,
    reporting_statuses,
)
from partnerships.access import PartnershipAccess, request_access
from partnerships.capabilities import Capability
from partnerships.models import Organisation
from partnerships.views import Crumb, insider_view, staff_crumbs

T = Indicator.ValueType
# Stored levels and yes/no in words, as the form offers them.
WORDS = {
    T.LEVEL: {Decimal(n): label for n, (_v, label) in enumerate(LEVEL_CHOICES, start=1)},
    T.BOOLEAN: {Decimal(1): YES_NO_CHOICES[0][1], Decimal(0): YES_NO_CHOICES[1][1]},
}


def _crumbs(request: HttpRequest, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return staff_crumbs(
        request, (_("Crisis preparedness"), reverse("crisis:index", args=[slug])), *extra
    )


def _crisis_crumbs(request: HttpRequest, crisis: Crisis, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return _crumbs(
        request, (Own(crisis.name), reverse("crisis:crisis", args=[slug, crisis.pk])), *extra
    )


def _add_errors(form: Any, error: ValidationError, names: dict[str, str] | None = None) -> None:
    """A service's refusal onto the form: per value key at its field, the
    rest above the form."""
    names = names or {}
    if hasattr(error, "error_dict"):
        for key, messages in error.message_dict.items():
            name = names.get(key, key)
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error_text(error))


# --- The crises ----------------------------------------------------------------------


@dataclass
class CrisisRow:
    crisis: Crisis
    period_start: datetime.date
    label: str
    mine: list[ReportStatus]


@insider_view
@require_safe
def index(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Active and stood-down crises; for each active one, the reporting
    period and the person's own parties' report for it.

    Queries: the crises with their forms, the person's reporting parties,
    their participations, the crises' regions, the reports of the reporting
    periods, each party's first submitted report — six, however many
    crises, parties, periods and values.
    """
    access = request_access(request)
    require_viewer(access)
    crises = list(
        Crisis.objects.filter(partnership=access.partnership)
        .select_related("form")
        .order_by("-opened_at", "-pk")
    )
    active = [c for c in crises if c.status == Crisis.Status.ACTIVE]
    now = timezone.now()
    statuses = reporting_statuses(active, own_parties(access, active), now)
    rows = []
    for crisis in active:
        start = periods.reporting_period(crisis, now)
        rows.append(
            CrisisRow(
                crisis=crisis,
                period_start=start,
                label=period_label(crisis.form, start),
                mine=[s for s in statuses if s.crisis.pk == crisis.pk],
            )
        )
    return render(
        request,
        "crisis/index.html",
        {
            "active": rows,
            "stood_down": [c for c in crises if c.status != Crisis.Status.ACTIVE],
            "reports": access.can(Capability.REPORT_CRISIS),
            "can_manage": access.can(Capability.MANAGE_CRISIS),
            "breadcrumbs": _crumbs(request),
        },
    )


@insider_view
@require_http_methods(["GET", "POST"])
def open_crisis(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Open a crisis (the secretariat). The Covid-19 form is installed the
    first time the page is used if the partnership has no form yet."""
    access = request_access(request)
    access.require(Capability.MANAGE_CRISIS)
    partnership = access.partnership
    if not ReportForm.objects.filter(partnership=partnership).exists():
        ensure_covid_form(partnership)
    form = OpenCrisisForm(
        request.POST if request.method == "POST" else None,
        partnership=partnership,
        initial={"client_key": uuid.uuid4(), "starts_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            crisis = services.open_crisis(
                partnership,
                name=data["name"],
                description=data["description"],
                form=data["form"],
                starts_on=data["starts_on"],
                regions=data["regions"],
                council=data["council"],
                by=request.user,
                client_key=data.get("client_key"),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            flash.success(request, _("The crisis “%(name)s” was opened.") % {"name": crisis.name})
            return redirect("crisis:crisis", partnership_slug, crisis.pk)
    return render(
        request,
        "crisis/open.html",
        {"form": form, "breadcrumbs": _crumbs(request, (_("Open a crisis"), None))},
        status=400 if form.errors else 200,
    )


@insider_view
@require_http_methods(["GET", "POST"])
def stand_down(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Stand a crisis down, after a confirmation page (the secretariat)."""
    access = request_access(request)
    crisis = get_crisis(access, pk)
    access.require(Capability.MANAGE_CRISIS)
    if request.method == "POST":
        services.stand_down(crisis, by=request.user)
        flash.success(
            request,
            _("The crisis “%(name)s” was stood down. Everything stays readable.")
            % {"name": crisis.name},
        )
        return redirect("crisis:crisis", partnership_slug, crisis.pk)
    return render(
        request,
        "crisis/stand_down.html",
        {
            "crisis": crisis,
            "breadcrumbs": _crisis_crumbs(request, crisis, (_("Stand down"), None)),
        },
    )


@insider_view
@require_safe
def crisis_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """A crisis: what it covers, its form and schedule, the links to the
    shared picture, and the person's own parties' reports period by period.

    Queries: the crisis with form and council, its regions, the person's
    reporting parties, their participations, the crisis' regions again (in
    the shared helper), their reports — six, however many periods.
    """
    access = request_access(request)
    crisis = get_crisis(access, pk)
    now = timezone.now()
    regions = list(crisis.regions.order_by("name"))
    mine = own_parties(access, [crisis])[crisis.pk]
    history = period_statuses(crisis, mine, now)
    start = periods.reporting_period(crisis, now)
    return render(
        request,
        "crisis/crisis.html",
        {
            "crisis": crisis,
            "regions": regions,
            "period_start": start,
            "period_end": periods.period_end(crisis.form, start) - datetime.timedelta(days=1),
            "label": period_label(crisis.form, start),
            "parties": [(organisation, history[organisation.pk]) for organisation in mine],
            "can_manage": access.can(Capability.MANAGE_CRISIS),
            "active": crisis.status == Crisis.Status.ACTIVE,
            "breadcrumbs": _crumbs(request, (Own(crisis.name), None)),
        },
    )


# --- A party's report ----------------------------------------------------------------


@dataclass
class Target:
    """The crisis, party and period a report address names."""

    access: PartnershipAccess
    crisis: Crisis
    organisation: Organisation
    start: datetime.date
    own: frozenset[int]

    @property
    def args(self) -> list[Any]:
        return [
            self.crisis.partnership.slug,
            self.crisis.pk,
            self.organisation.pk,
            self.start.isoformat(),
        ]

    @property
    def is_own(self) -> bool:
        return self.organisation.pk in self.own

    def report(self) -> Report | None:
        return (
            Report.objects.filter(
                crisis=self.crisis, organisation=self.organisation, period_start=self.start
            )
            .select_related("submitted_by", "declared_by")
            .first()
        )


def _target(request: HttpRequest, pk: int, org_pk: int, day: str, *, own_only: bool) -> Target:
    """Resolve a report address. 404 for outsiders, a party that does not
    report in the crisis and a day that is not one of its periods; with
    ``own_only`` (filling in), 403 for people who do not report and 404
    for another party's report."""
    access = request_access(request)
    crisis = get_crisis(access, pk)
    own = reporting_organisation_ids(access)
    if own_only:
        if not access.can(Capability.REPORT_CRISIS):
            raise PermissionDenied
        if org_pk not in own:
            raise Http404
    try:
        start = datetime.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    if not periods.is_period(crisis, start):
        raise Http404
    organisation = next((o for o in services.parties_of(crisis) if o.pk == org_pk), None)
    if organisation is None:
        raise Http404
    return Target(access=access, crisis=crisis, organisation=organisation, start=start, own=own)


@dataclass
class Entry:
    """One value of the form, ready to show."""

    key: str
    label: str
    value: BoundField
    widget: SafeString
    comment: BoundField | None
    comment_widget: SafeString | None
    warning: str
    choice: bool


@dataclass
class Group:
    """One line of the form: an indicator with its values (one per item)."""

    indicator: Indicator
    required: bool
    entries: list[Entry]
    help_id: str

    @property
    def items(self) -> bool:
        return bool(self.indicator.items)

    @property
    def choice(self) -> bool:
        return self.indicator.value_type in (T.LEVEL, T.BOOLEAN)


@dataclass
class Section:
    name: str
    groups: list[Group] = field(default_factory=list)


def _widget(bound: BoundField, *described: str) -> SafeString:
    """The widget with Designsystemet's class and the ARIA links to its help,
    error and warning."""
    ids = [d for d in described if d]
    if bound.errors:
        ids.append(f"{bound.auto_id}-error")
    attrs: dict[str, Any] = {"class": "ds-input"}
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if bound.errors:
        attrs["aria-invalid"] = "true"
    return bound.as_widget(attrs=attrs)


def _sections(
    form: ReportValuesForm, lines: list[FormIndicator], warnings: dict[str, str]
) -> list[Section]:
    """The form's fields grouped by section and indicator, in the form's order."""
    sections: list[Section] = []
    for line in lines:
        indicator = line.indicator
        if not sections or sections[-1].name != line.section:
            sections.append(Section(name=line.section))
        help_id = f"help-{indicator.code}" if indicator.help_text else ""
        items = {i["code"]: i["name"] for i in indicator.items}
        entries = []
        for key, item in services.keys_of(line):
            value = form[value_name(key)]
            warning = warnings.get(key, "")
            warning_id = f"{value.auto_id}-warning" if warning else ""
            comment = form[comment_name(key)] if comment_name(key) in form.fields else None
            entries.append(
                Entry(
                    key=key,
                    label=items[item] if item else indicator.name,
                    value=value,
                    widget=_widget(value, help_id, warning_id),
                    comment=comment,
                    comment_widget=_widget(comment, warning_id) if comment else None,
                    warning=warning,
                    choice=indicator.value_type in (T.LEVEL, T.BOOLEAN),
                )
            )
        sections[-1].groups.append(
            Group(indicator=indicator, required=line.required, entries=entries, help_id=help_id)
        )
    return sections


@insider_view
@require_http_methods(["GET", "POST"])
def report_form(
    request: HttpRequest, partnership_slug: str, pk: int, org_pk: int, day: str
) -> HttpResponse:
    """A party fills its report for a period: prefilled from its draft or
    last report, saved as a draft or submitted. Wrong values come back at
    their fields with everything typed kept (400); a report changed by
    someone else meanwhile is not overwritten.

    Queries (beyond the access): the crisis, the person's parties, the
    crisis' parties (two), the period's report, the prefill (two or three),
    the last submitted report, the lines, the cross rules — constant in
    parties, periods and values.
    """
    target = _target(request, pk, org_pk, day, own_only=True)
    crisis, organisation, start = target.crisis, target.organisation, target.start
    report = target.report()
    lines = services.lines_for(crisis.form, organisation)
    locked = services.is_locked(crisis, report, organisation, start)
    stood_down = crisis.status != Crisis.Status.ACTIVE
    read_only = locked or stood_down
    raw, comments = services.prefill(crisis, organisation, start)
    last = services.last_report(crisis, organisation, start)
    initial: dict[str, Any] = {value_name(k): v for k, v in raw.items()}
    initial |= {comment_name(k): v for k, v in comments.items()}
    initial |= {"version": report.version if report else 0, "client_key": uuid.uuid4()}

    def make(data: Any) -> ReportValuesForm:
        return ReportValuesForm(data, lines=lines, initial=initial, read_only=read_only)

    form = make(request.POST if request.method == "POST" else None)
    names = {key: value_name(key) for key in form.keys}
    if request.method == "POST":
        if read_only:
            # The fields are disabled; say why rather than check their values.
            form.is_valid()
            form.add_error(
                None,
                _("The crisis has been stood down; reports can no longer be changed.")
                if stood_down
                else _("The report for this period is locked. Ask the secretariat to unlock it."),
            )
        elif form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                saved = services.save_report(
                    crisis,
                    organisation,
                    start,
                    form.raw_values(),
                    form.comments(),
                    by=request.user,
                    submit=submit,
                    expected_version=form.cleaned_data["version"],
                    client_key=form.cleaned_data.get("client_key"),
                )
            except EditConflict as conflict:
                form = rebind_after_conflict(make, form, conflict)
            except ValidationError as error:
                _add_errors(form, error, names)
            else:
                if saved.status == Report.Status.SUBMITTED:
                    flash.success(request, _("The report was submitted."))
                    return redirect("crisis:report_view", *target.args)
                flash.success(request, _("The draft was saved. Only your party can see it."))
                return redirect("crisis:report", *target.args)
        if not read_only:
            raw, comments = form.typed()
    warnings = services.check(
        crisis.form, organisation, raw, comments, complete=False, lines=lines
    ).warnings
    status = ReportStatus(
        crisis=crisis,
        organisation=organisation,
        period_start=start,
        report=report,
        now=timezone.now(),
        has_earlier=last is not None,
    )
    return render(
        request,
        "crisis/report_form.html",
        {
            "crisis": crisis,
            "organisation": organisation,
            "form": form,
            "sections": _sections(form, lines, warnings),
            "report": report,
            "status": status,
            "period_end": periods.period_end(crisis.form, start) - datetime.timedelta(days=1),
            "locked": locked,
            "stood_down": stood_down,
            "read_only": read_only,
            "prefilled_from": last if report is None else None,
            "no_change_key": uuid.uuid4(),
            "breadcrumbs": _crisis_crumbs(request, crisis, (status.label, None)),
        },
        status=400 if form.errors else 200,
    )


@insider_view
@require_POST
def no_change(
    request: HttpRequest, partnership_slug: str, pk: int, org_pk: int, day: str
) -> HttpResponse:
    """Submit the last report's values again for this period."""
    target = _target(request, pk, org_pk, day, own_only=True)
    form = NoChangeForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        services.report_no_change(
            target.crisis,
            target.organisation,
            target.start,
            by=request.user,
            client_key=data.get("client_key"),
            expected_version=data.get("version"),
        )
    except (EditConflict, ValidationError) as error:
        flash.error(request, error_text(error))
        return redirect("crisis:report", *target.args)
    flash.success(request, _("The report was submitted: no change since the last report."))
    return redirect("crisis:report_view", *target.args)


# --- A report as submitted -----------------------------------------------------------


@dataclass
class ValueRow:
    item: str
    shown: str
    comment: str
    level: int | None


@dataclass
class ValueGroup:
    """One indicator's values, with the level the indicator reaches."""

    indicator: Indicator
    level: int | None
    rows: list[ValueRow]


@dataclass
class RevisionRow:
    revision: ReportRevision
    changes: list[tuple[str, str, str]]


def _shown(indicator: Indicator, number: Decimal | None, text: str) -> str:
    """A stored value in words: levels and yes/no as words, numbers plain."""
    if indicator.value_type == T.TEXT:
        return text
    if number is None:
        return ""
    words = WORDS.get(T(indicator.value_type))
    if words is not None and number in words:
        return str(words[number])
    return services.display(indicator, number, text)


def _value_groups(
    report: Report, lines: list[FormIndicator], thresholds: dict[str, Any] | None
) -> list[ValueGroup]:
    """The report's values in the form's order, per indicator, with the
    level each value and each indicator reaches under the report's rule
    version (none for a draft)."""
    stored = {(v.indicator_id, v.item): v for v in report.values.all()}
    numbers: dict[tuple[str, str], Decimal | None] = {}
    for line in lines:
        for _key, item in services.keys_of(line):
            value = stored.get((line.indicator.pk, item))
            numbers[(line.indicator.code, item)] = value.number if value else None
    thresholds = thresholds or {}
    levels = services.indicator_levels(numbers, thresholds)
    groups = []
    for line in lines:
        indicator = line.indicator
        rule = thresholds.get(indicator.code)
        names = {i["code"]: i["name"] for i in indicator.items}
        rows = []
        for _key, item in services.keys_of(line):
            value = stored.get((indicator.pk, item))
            number = value.number if value else None
            level = None
            if rule is not None and number is not None:
                # The item alone (with its base, for a share of another indicator).
                alone = {(indicator.code, item): number}
                if rule.get("relative_to"):
                    base = (rule["relative_to"], item)
                    alone[base] = numbers.get(base)  # type: ignore[assignment]
                level = services.indicator_levels(alone, {indicator.code: rule}).get(indicator.code)
            rows.append(
                ValueRow(
                    item=names.get(item, ""),
                    shown=_shown(indicator, number, value.text if value else ""),
                    comment=value.comment if value else "",
                    level=level,
                )
            )
        groups.append(ValueGroup(indicator=indicator, level=levels.get(indicator.code), rows=rows))
    return groups


def _revision_rows(
    revisions: list[ReportRevision], lines: list[FormIndicator]
) -> list[RevisionRow]:
    """Each submission with what changed since the one before, newest first."""
    labels: dict[str, tuple[str, Indicator]] = {}
    for line in lines:
        names = {i["code"]: i["name"] for i in line.indicator.items}
        for key, item in services.keys_of(line):
            label = f"{line.indicator.name} – {names[item]}" if item else line.indicator.name
            labels[key] = (label, line.indicator)

    def shown(key: str, entry: dict[str, Any] | None) -> str:
        if not entry:
            return "–"
        indicator = labels[key][1] if key in labels else None
        number = Decimal(entry["number"]) if entry.get("number") not in (None, "") else None
        if indicator is None:
            return entry.get("text") or (str(number) if number is not None else "–")
        return _shown(indicator, number, entry.get("text") or "") or "–"

    order = {key: position for position, key in enumerate(labels)}
    rows = []
    previous: dict[str, Any] | None = None
    for revision in revisions:
        changes = []
        if previous is not None:
            changed = set(previous) | set(revision.values)
            for key in sorted(changed, key=lambda k: (order.get(k, len(order)), k)):
                before, after = previous.get(key), revision.values.get(key)
                if before == after:
                    continue
                label = labels[key][0] if key in labels else key
                was, now = shown(key, before), shown(key, after)
                if was != now:
                    changes.append((label, was, now))
                else:
                    comment = _("%(value)s, comment") % {"value": label}
                    changes.append(
                        (
                            comment,
                            (before or {}).get("comment") or "–",
                            (after or {}).get("comment") or "–",
                        )
                    )
        rows.append(RevisionRow(revision=revision, changes=changes))
        previous = revision.values
    return rows[::-1]


def _can_declare(target: Target, report: Report | None) -> bool:
    return (
        report is not None
        and report.status == Report.Status.SUBMITTED
        and target.crisis.status == Crisis.Status.ACTIVE
        and (
            (target.is_own and target.access.can(Capability.REPORT_CRISIS))
            or target.access.can(Capability.MANAGE_CRISIS)
        )
    )


def _report_page(
    request: HttpRequest,
    target: Target,
    *,
    declare_form: DeclareLevelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The report as its readers see it. A draft is its own party's alone:
    to anyone else the period reads as not submitted, as if there were no
    report.

    Queries (beyond the access): the crisis, the person's parties, the
    crisis' parties (two), the report with who submitted and declared, its
    values, the lines, the rule version, the revisions with who submitted
    them, the unlocks with who made them — constant in values and revisions.
    """
    access, crisis, organisation = target.access, target.crisis, target.organisation
    stored = target.report()
    report = stored if stored and can_read_report(access, stored, target.own) else None
    lines = services.lines_for(crisis.form, organisation)
    values: list[ValueGroup] = []
    revisions: list[RevisionRow] = []
    unlocks = []
    if report is not None:
        rule = (
            LevelRule.objects.filter(
                partnership_id=crisis.partnership_id, version=report.rule_version
            ).first()
            if report.rule_version is not None
            else None
        )
        values = _value_groups(report, lines, rule.thresholds if rule else None)
        revisions = _revision_rows(
            list(report.revisions.select_related("submitted_by").order_by("number")), lines
        )
        unlocks = list(report.unlocks.select_related("by").order_by("-at"))
    locked = services.is_locked(crisis, stored, organisation, target.start)
    active = crisis.status == Crisis.Status.ACTIVE
    can_declare = _can_declare(target, report)
    if can_declare and declare_form is None and report is not None:
        declare_form = DeclareLevelForm(
            initial={
                "level": report.declared_level,
                "reason": report.declared_reason,
                "version": report.version,
            }
        )
    row = ReportStatus(
        crisis=crisis,
        organisation=organisation,
        period_start=target.start,
        report=report,
        now=timezone.now(),
    )
    return render(
        request,
        "crisis/report.html",
        {
            "crisis": crisis,
            "organisation": organisation,
            "report": report,
            "status": row,
            "period_end": periods.period_end(crisis.form, target.start)
            - datetime.timedelta(days=1),
            "values": values,
            "revisions": revisions,
            "unlocks": unlocks,
            "locked": locked,
            "can_edit": target.is_own
            and access.can(Capability.REPORT_CRISIS)
            and active
            and not locked,
            "can_declare": can_declare,
            "declare_form": declare_form,
            "can_unlock": access.can(Capability.MANAGE_CRISIS) and active and locked,
            "unlock_form": UnlockForm(),
            "args": target.args,
            "breadcrumbs": _crisis_crumbs(
                request, crisis, (f"{organisation.name}, {row.label}", None)
            ),
        },
        status=status,
    )


@insider_view
@require_safe
def report_view(
    request: HttpRequest, partnership_slug: str, pk: int, org_pk: int, day: str
) -> HttpResponse:
    return _report_page(request, _target(request, pk, org_pk, day, own_only=False))


@insider_view
@require_POST
def declare_level(
    request: HttpRequest, partnership_slug: str, pk: int, org_pk: int, day: str
) -> HttpResponse:
    """The party (or the coordination group, through the secretariat)
    declares a level over the computed one, or takes it back."""
    target = _target(request, pk, org_pk, day, own_only=False)
    report = target.report()
    if report is None or not can_read_report(target.access, report, target.own):
        raise Http404
    if not _can_declare(target, report):
        raise PermissionDenied
    form = DeclareLevelForm(request.POST)
    if form.is_valid():
        try:
            services.declare_level(
                report,
                level=form.cleaned_data["level"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict as conflict:
            form = rebind_after_conflict(DeclareLevelForm, form, conflict)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            flash.success(request, _("The declared level was saved."))
            return redirect("crisis:report_view", *target.args)
    return _report_page(request, target, declare_form=form, status=400)


def _report_for_unlock(target: Target, by: Any) -> Report:
    """The period's report; an empty draft if the party has none yet (an
    unlock needs a report to open)."""
    try:
        with transaction.atomic():
            report, _created = Report.objects.get_or_create(
                crisis=target.crisis,
                organisation=target.organisation,
                period_start=target.start,
                defaults={"created_by": by},
            )
    except IntegrityError:
        report = Report.objects.get(
            crisis=target.crisis, organisation=target.organisation, period_start=target.start
        )
    return report


@insider_view
@require_http_methods(["GET", "POST"])
def unlock(
    request: HttpRequest, partnership_slug: str, pk: int, org_pk: int, day: str
) -> HttpResponse:
    """Open a locked report again for a while, with a reason (the secretariat)."""
    target = _target(request, pk, org_pk, day, own_only=False)
    target.access.require(Capability.MANAGE_CRISIS)
    crisis = target.crisis
    report = target.report()
    locked = services.is_locked(crisis, report, target.organisation, target.start)
    form = UnlockForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if crisis.status != Crisis.Status.ACTIVE:
            form.add_error(None, _("The crisis has been stood down; reports stay as they are."))
        elif not locked:
            form.add_error(None, _("The report is not locked."))
        else:
            try:
                entry = services.unlock(
                    report or _report_for_unlock(target, request.user),
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                flash.success(
                    request,
                    _("The report is open for changes until %(until)s.")
                    % {"until": timezone.localtime(entry.until).strftime("%d.%m.%Y %H:%M")},
                )
                return redirect("crisis:report_view", *target.args)
    row = ReportStatus(
        crisis=crisis,
        organisation=target.organisation,
        period_start=target.start,
        report=report,
        now=timezone.now(),
    )
    return render(
        request,
        "crisis/unlock.html",
        {
            "crisis": crisis,
            "organisation": target.organisation,
            "status": row,
            "locked": locked,
            "form": form,
            "args": target.args,
            "breadcrumbs": _crisis_crumbs(
                request,
                crisis,
                (
                    f"{target.organisation.name}, {row.label}",
                    reverse("crisis:report_view", args=target.args),
                ),
                (_("Unlock"), None),
            ),
        },
        status=400 if form.errors else 200,
    )
