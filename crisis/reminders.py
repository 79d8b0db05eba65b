"""A person's own reporting in each crisis, and the reminders about it.

- :func:`own_parties` — which of the person's parties report in which crises.
- :func:`reporting_statuses` — for crises and parties, the report of the
  reporting period: submitted, draft or missing; late when the deadline has
  passed without a submitted report.
- :func:`period_statuses` — the same for every period of one crisis.
- :func:`late_and_due_soon` — what the partnership's home page warns about.
- :func:`send_reminders` — the coordinators and leaders of parties without a
  submitted report are told once when the reminder window opens and once
  when the deadline has passed (``manage.py send_crisis_reminders``).

The notifications table remembers which reminders were sent: one per party,
period and stage, told apart by the link (the report form with
``?varsel=frist`` or ``?varsel=for-sent``). No model of its own.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from crisis import periods
from crisis.access import reporting_organisation_ids
from crisis.models import Crisis, Report, ReportForm
from crisis.services import parties_of
from partnerships.access import PartnershipAccess, people_who_may
from partnerships.capabilities import Capability
from partnerships.models import Organisation, Participation

SUBMITTED = "submitted"
DRAFT = "draft"
MISSING = "missing"

DUE = "frist"
LATE = "for-sent"


def period_label(form: ReportForm, start: datetime.date) -> str:
    """The period in words: "week 12 2026" for a weekly form, the date for a
    daily one."""
    if form.period_type == ReportForm.PeriodType.WEEKLY:
        year, week, _day = start.isocalendar()
        return _("week %(week)s %(year)s") % {"week": week, "year": year}
    return start.strftime("%d.%m.%Y")


@dataclass
class ReportStatus:
    """One party's report for one period of a crisis, as seen at ``now``."""

    crisis: Crisis
    organisation: Organisation
    period_start: datetime.date
    report: Report | None
    now: datetime.datetime
    # Whether the party has submitted a report for an earlier period (so
    # "no change since the last report" has something to repeat).
    has_earlier: bool = False
    # A fresh idempotency key for a one-click action on this row.
    client_key: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def status(self) -> str:
        if self.report is None:
            return MISSING
        return SUBMITTED if self.report.status == Report.Status.SUBMITTED else DRAFT

    @property
    def submitted(self) -> bool:
        return self.status == SUBMITTED

    @property
    def deadline(self) -> datetime.datetime:
        return periods.deadline(self.crisis.form, self.organisation, self.period_start)

    @property
    def lock_at(self) -> datetime.datetime:
        return periods.lock_at(self.crisis.form, self.organisation, self.period_start)

    @property
    def late(self) -> bool:
        """Not submitted, and the deadline has passed."""
        return not self.submitted and self.deadline < self.now

    @property
    def due_soon(self) -> bool:
        """Not submitted, and the deadline is still ahead."""
        return not self.submitted and not self.late

    @property
    def locked(self) -> bool:
        if self.now < self.lock_at:
            return False
        until = self.report.unlocked_until if self.report else None
        return not (until and until > self.now)

    @property
    def open_for_reports(self) -> bool:
        return self.crisis.status == Crisis.Status.ACTIVE and not self.locked

    @property
    def can_repeat(self) -> bool:
        """Whether "no change since the last report" is offered."""
        return self.has_earlier and not self.submitted and self.open_for_reports

    @property
    def version(self) -> int:
        return self.report.version if self.report else 0

    @property
    def label(self) -> str:
        return period_label(self.crisis.form, self.period_start)

    @property
    def day(self) -> str:
        """The period as it appears in the report's addresses."""
        return self.period_start.isoformat()


def own_parties(
    access: PartnershipAccess,
    crises: Sequence[Crisis],
    own: frozenset[int] | None = None,
) -> dict[int, list[Organisation]]:
    """Per crisis, the parties this person reports for that report in it
    (as :func:`crisis.services.parties_of` decides), by name.

    Queries: the person's reporting parties (unless ``own`` is given), their
    participations, the crises' regions — three, whatever the number of crises.
    """
    result: dict[int, list[Organisation]] = {crisis.pk: [] for crisis in crises}
    own = reporting_organisation_ids(access) if own is None else own
    if not own or not crises:
        return result
    participations = list(
        Participation.objects.current()
        .filter(
            partnership_id=access.partnership.pk,
            role=Participation.Role.PARTY,
            organisation_id__in=own,
        )
        .select_related("organisation")
    )
    regions: dict[int, set[int]] = defaultdict(set)
    for crisis_id, region_id in Crisis.regions.through.objects.filter(
        crisis_id__in=[crisis.pk for crisis in crises]
    ).values_list("crisis_id", "region_id"):
        regions[crisis_id].add(region_id)
    for crisis in crises:
        chosen = regions.get(crisis.pk)
        found: dict[int, Organisation] = {}
        for participation in participations:
            organisation = participation.organisation
            if (
                chosen
                and organisation.kind == Organisation.Kind.KOMMUNE
                and participation.region_id not in chosen
            ):
                continue
            found[organisation.pk] = organisation
        result[crisis.pk] = sorted(found.values(), key=lambda o: o.name)
    return result


def reporting_statuses(
    crises: Sequence[Crisis],
    parties: dict[int, list[Organisation]],
    now: datetime.datetime | None = None,
    *,
    with_earlier: bool = True,
) -> list[ReportStatus]:
    """The report of each crisis' reporting period for each of its parties
    in ``parties``. Queries: the reports (one) and, ``with_earlier``, whether
    an earlier report was submitted (one) — not more with more crises,
    parties or periods. The crises need their ``form`` loaded."""
    moment = now or timezone.now()
    starts = {crisis.pk: periods.reporting_period(crisis, moment) for crisis in crises}
    organisation_ids = {o.pk for orgs in parties.values() for o in orgs}
    if not organisation_ids:
        return []
    crisis_ids = [crisis.pk for crisis in crises if parties.get(crisis.pk)]
    reports = {
        (r.crisis_id, r.organisation_id, r.period_start): r
        for r in Report.objects.filter(
            crisis_id__in=crisis_ids,
            organisation_id__in=organisation_ids,
            period_start__in=set(starts.values()),
        )
    }
    first_submitted: dict[tuple[int, int], datetime.date] = {}
    if with_earlier:
        first_submitted = {
            (row["crisis_id"], row["organisation_id"]): row["first"]
            for row in Report.objects.filter(
                crisis_id__in=crisis_ids,
                organisation_id__in=organisation_ids,
                status=Report.Status.SUBMITTED,
            )
            .values("crisis_id", "organisation_id")
            .annotate(first=Min("period_start"))
        }
    rows = []
    for crisis in crises:
        start = starts[crisis.pk]
        for organisation in parties.get(crisis.pk, []):
            first = first_submitted.get((crisis.pk, organisation.pk))
            rows.append(
                ReportStatus(
                    crisis=crisis,
                    organisation=organisation,
                    period_start=start,
                    report=reports.get((crisis.pk, organisation.pk, start)),
                    now=moment,
                    has_earlier=first is not None and first < start,
                )
            )
    return rows


def period_statuses(
    crisis: Crisis,
    organisations: Iterable[Organisation],
    now: datetime.datetime | None = None,
) -> dict[int, list[ReportStatus]]:
    """Per party, its report for every period of the crisis up to the
    reporting period, newest first (one query for all of them)."""
    moment = now or timezone.now()
    organisations = list(organisations)
    if not organisations:
        return {}
    days = periods.periods(crisis, until=periods.reporting_period(crisis, moment))
    reports = {
        (r.organisation_id, r.period_start): r
        for r in Report.objects.filter(
            crisis=crisis, organisation_id__in=[o.pk for o in organisations]
        )
    }
    result: dict[int, list[ReportStatus]] = {}
    for organisation in organisations:
        rows = []
        earlier = False
        for start in days:
            report = reports.get((organisation.pk, start))
            rows.append(
                ReportStatus(
                    crisis=crisis,
                    organisation=organisation,
                    period_start=start,
                    report=report,
                    now=moment,
                    has_earlier=earlier,
                )
            )
            earlier = earlier or (report is not None and report.status == Report.Status.SUBMITTED)
        result[organisation.pk] = rows[::-1]
    return result


def late_and_due_soon(
    access: PartnershipAccess, now: datetime.datetime | None = None
) -> tuple[list[ReportStatus], list[ReportStatus]]:
    """The person's own parties' reports for the reporting period of each
    active crisis that are not submitted: those past the deadline, and those
    still due. Nothing (and no query) for people who do not report; one
    query when no crisis is active, five when one is."""
    if not access.can(Capability.REPORT_CRISIS):
        return [], []
    crises = list(
        Crisis.objects.filter(
            partnership_id=access.partnership.pk, status=Crisis.Status.ACTIVE
        ).select_related("form")
    )
    if not crises:
        return [], []
    rows = reporting_statuses(crises, own_parties(access, crises), now, with_earlier=False)
    return [r for r in rows if r.late], [r for r in rows if r.due_soon]


# --- Reminders -----------------------------------------------------------------------


def report_path(crisis: Crisis, organisation: Organisation, start: datetime.date) -> str:
    return reverse(
        "crisis:report",
        args=[crisis.partnership.slug, crisis.pk, organisation.pk, start.isoformat()],
    )


def reminder_path(
    crisis: Crisis, organisation: Organisation, start: datetime.date, stage: str
) -> str:
    """The link a reminder carries; it also tells the stage apart."""
    return f"{report_path(crisis, organisation, start)}?varsel={stage}"


def stage_at(
    crisis: Crisis, organisation: Organisation, start: datetime.date, now: datetime.datetime
) -> str | None:
    """Which reminder is due for a report not submitted: ``DUE`` once the
    window before the deadline opens, ``LATE`` after the deadline, none
    before the window or once the report is locked."""
    form = crisis.form
    deadline = periods.deadline(form, organisation, start)
    if now >= periods.lock_at(form, organisation, start):
        return None
    if now >= deadline:
        return LATE
    if now >= deadline - datetime.timedelta(hours=form.reminder_hours_before):
        return DUE
    return None


def _headline(crisis: Crisis, organisation: Organisation, start: datetime.date, stage: str) -> str:
    """Names the crisis, the party and the period; never a value."""
    deadline = timezone.localtime(periods.deadline(crisis.form, organisation, start))
    words = {
        "crisis": crisis.name,
        "party": organisation.name,
        "period": period_label(crisis.form, start),
        "deadline": deadline.strftime("%d.%m.%Y %H:%M"),
    }
    if stage == LATE:
        headline = _(
            "%(crisis)s: the situation report of %(party)s for %(period)s is late "
            "(due %(deadline)s)"
        )
    else:
        headline = _(
            "%(crisis)s: the situation report of %(party)s for %(period)s is due %(deadline)s"
        )
    return headline % words


def _reporters(organisation_ids: set[int]) -> dict[int, list[User]]:
    """The people who report for these parties (one query)."""
    return people_who_may(Capability.REPORT_CRISIS, organisation_ids)


def send_reminders(now: datetime.datetime | None = None) -> int:
    """Remind the coordinators and leaders of every party without a
    submitted report for an active crisis' reporting period: once when the
    reminder window opens (``form.reminder_hours_before`` the deadline) and
    once after the deadline, never twice for the same party, period and
    stage (two runs at once: the second waits for the first, then finds
    its reminders recorded). Returns how many (party, period, stage)
    reminders were sent."""
    from notifications.models import Notification
    from notifications.services import Item, notify_many

    moment = now or timezone.now()
    kind = Notification.Kind.CRISIS_REPORT_DUE
    with transaction.atomic():
        crises = list(
            Crisis.objects.select_for_update(of=("self",))
            .filter(status=Crisis.Status.ACTIVE)
            .select_related("form", "partnership")
            .order_by("pk")
        )
        due: list[tuple[Crisis, Organisation, datetime.date, str]] = []
        for crisis in crises:
            start = periods.reporting_period(crisis, moment)
            submitted = set(
                Report.objects.filter(
                    crisis=crisis, period_start=start, status=Report.Status.SUBMITTED
                ).values_list("organisation_id", flat=True)
            )
            for organisation in parties_of(crisis):
                if organisation.pk in submitted:
                    continue
                stage = stage_at(crisis, organisation, start, moment)
                if stage is not None:
                    due.append((crisis, organisation, start, stage))
        paths = {reminder_path(c, o, s, stage): (c, o, s, stage) for c, o, s, stage in due}
        sent = set(
            Notification.objects.filter(kind=kind, path__in=list(paths)).values_list(
                "path", flat=True
            )
        )
        todo = {path: row for path, row in paths.items() if path not in sent}
        people = _reporters({o.pk for _c, o, _s, _stage in todo.values()})
        items = [
            Item(
                user=user,
                kind=kind,
                partnership=crisis.partnership,
                headline=_headline(crisis, organisation, start, stage),
                path=path,
            )
            for path, (crisis, organisation, start, stage) in todo.items()
            for user in people.get(organisation.pk, [])
        ]
        notify_many(items)
    return sum(1 for _c, organisation, _s, _stage in todo.values() if people[organisation.pk])
