"""The learning loop: deviation → case → decision → follow-up → revised
routine → fewer deviations, measured.

1. From the deviation statistics the secretariat takes the deviations of one
   routine, guideline or clause to a council (ASU by default) in one step:
   :func:`open_case` writes the case paper with the figures (per quarter and
   per category, as tables) and keeps, in a :class:`TrendCase`, what was
   counted and which deviations. Opening it twice for the same subject on
   the same day gives the same case.
2. The council decides on the case (the councils pages).
3. :func:`revise_followup` makes the decision's follow-up "revise routine X",
   responsible the party that owns the routine (when a party owns it).
4. The routine's new version records the decision and the follow-up
   (``routines.RoutineVersion.decision`` / ``followup``); :func:`origin`
   traces a version back to the trend case and its deviations.
5. :func:`before_after` counts the routine's deviations per quarter before
   and after each revision came in force, for the routine's page
   (``deviations/routine_panels.py``).

Only submitted deviations count (drafts are the reporter's own). Counts
are of what is reported, not of what happened; the page says so.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from councils.models import Council, Decision
from deviations import quarterly, statistics
from deviations.models import Deviation, Guideline, TrendCase
from partnerships.models import Partnership
from routines.models import Routine, RoutineVersion

NAMESPACE = uuid.UUID("6f1f3a52-0c4b-4f1e-8d0a-2b5e9c7d1a33")
# How far back a trend case counts, and how many quarters the routine's
# page shows on each side of a revision.
QUARTERS = 8
SIDE = 4


@dataclass(frozen=True)
class Subject:
    """What the deviations concern: a routine, a guideline, or one clause of
    a guideline (its stable key)."""

    routine: Routine | None = None
    guideline: Guideline | None = None
    clause_key: str = ""

    def label(self) -> str:
        if self.routine is not None:
            return _("the routine “%(routine)s”") % {"routine": self.routine}
        assert self.guideline is not None
        if self.clause_key:
            return _("clause “%(clause)s” of guideline %(guideline)s") % {
                "clause": self.clause_key,
                "guideline": self.guideline,
            }
        return _("guideline %(guideline)s") % {"guideline": self.guideline}

    def key(self) -> str:
        if self.routine is not None:
            return f"routine-{self.routine.pk}"
        assert self.guideline is not None
        return f"guideline-{self.guideline.pk}-{self.clause_key}"


def deviations_of(partnership: Partnership, subject: Subject) -> QuerySet[Deviation]:
    found = Deviation.objects.filter(partnership=partnership).exclude(status=Deviation.Status.DRAFT)
    if subject.routine is not None:
        return found.filter(routine=subject.routine)
    found = found.filter(guideline=subject.guideline)
    if subject.clause_key:
        found = found.filter(clause__key=subject.clause_key)
    return found


def _period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    quarters = quarterly.recent_quarters(today, QUARTERS)
    return quarterly.quarter_bounds(*quarters[-1])[0], today


def _table(headers: list[str], rows: list[tuple[str, int]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(f"<tr><td>{escape(label)}</td><td>{n}</td></tr>" for label, n in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def paper(
    partnership: Partnership, subject: Subject, today: datetime.date
) -> tuple[dict[str, str], list[int]]:
    """The case paper (in the partnership's language) and the deviations it
    counts (three queries)."""
    start, end = _period(today)
    counted = statistics.in_range(deviations_of(partnership, subject), start, end)
    trend = statistics.trend(counted, statistics.QUARTER, start, end)
    categories = statistics.by_category(counted)
    ids = list(counted.values_list("pk", flat=True))
    with translation.override(partnership.content_language):
        what = subject.label()
        count_header = _("Deviations")
        background = "".join(
            [
                "<p>"
                + escape(
                    _(
                        "%(count)s deviations between the parties concerned %(what)s from "
                        "%(start)s to %(end)s. The figures are what the parties reported."
                    )
                    % {
                        "count": len(ids),
                        "what": what,
                        "start": start.strftime("%d.%m.%Y"),
                        "end": end.strftime("%d.%m.%Y"),
                    }
                )
                + "</p>",
                "<p>" + escape(_("Per quarter:")) + "</p>",
                _table([_("Quarter"), count_header], [(r.label, r.count) for r in trend]),
                "<p>" + escape(_("Per category:")) + "</p>",
                _table([_("Category"), count_header], [(r.label, r.count) for r in categories]),
            ]
        )
        if subject.routine is not None:
            proposed = _(
                "The council asks the owner of %(what)s to revise it in the light of the "
                "deviations, and to put the revised version in force. The secretariat follows "
                "the deviations up per quarter after the revision."
            ) % {"what": what}
        else:
            proposed = _(
                "The council asks the secretariat to find, with the parties, the routine or "
                "the part of the guideline that must change, and to come back to the council."
            )
        title = _("Deviations concerning %(what)s") % {"what": what}
    text = {
        "title": title[:300],
        "background": background,
        "assessment": "",
        "proposed_decision": proposed,
    }
    return text, ids


@transaction.atomic
def open_case(
    partnership: Partnership,
    subject: Subject,
    *,
    council: Council,
    by: Any,
    today: datetime.date | None = None,
) -> tuple[TrendCase, bool]:
    """The council case about the subject's deviations, and its trend case;
    the same one when it was opened before on the same day (a double submit).
    Returns (trend case, created)."""
    from councils.services import create_case

    today = today or timezone.localdate()
    if council.partnership_id != partnership.pk:
        raise ValidationError(_("Choose a council of this partnership."))
    key = uuid.uuid5(NAMESPACE, f"{partnership.pk}-{council.pk}-{subject.key()}-{today}")
    existing = TrendCase.objects.filter(case__client_key=key, partnership=partnership).first()
    if existing is not None:
        return existing, False
    text, ids = paper(partnership, subject, today)
    if not ids:
        raise ValidationError(_("No deviations concern this in the period: there is no case."))
    case, _created = create_case(
        council=council,
        title=text["title"],
        by=by,
        visibility="partnership",
        background=text["background"],
        proposed_decision=text["proposed_decision"],
        client_key=key,
        year=today.year,
    )
    start, end = _period(today)
    trend_case, created = TrendCase.objects.get_or_create(
        case=case,
        defaults={
            "partnership": partnership,
            "guideline": subject.guideline,
            "clause_key": subject.clause_key,
            "routine": subject.routine,
            "subject": text["title"],
            "period_from": start,
            "period_to": end,
            "created_by": by,
        },
    )
    if created:
        trend_case.deviations.set(ids)
    return trend_case, created


def revise_followup(trend_case: TrendCase, decision: Decision, *, by: Any) -> Any:
    """The decision's follow-up: revise the routine (its owner party is
    responsible when a party owns it). Made once per decision and routine."""
    from councils.services import followup_from_decision

    routine = trend_case.routine
    if routine is None:
        raise ValidationError(_("The case is not about a routine."))
    if decision.treatment.case_id != trend_case.case_id:
        raise ValidationError(_("The decision must be one made on the trend case."))
    with translation.override(trend_case.partnership.content_language):
        title = _("Revise the routine “%(routine)s”") % {"routine": routine}
    followup = followup_from_decision(
        decision,
        title=title,
        by=by,
        responsible_organisation=routine.owner_party,
        client_key=uuid.uuid5(NAMESPACE, f"followup-{decision.pk}-{routine.pk}"),
    )
    TrendCase.objects.filter(pk=trend_case.pk).update(followup=followup)
    trend_case.followup = followup
    return followup


@dataclass(frozen=True)
class Origin:
    """What led to a routine version: the trend case, its deviations, the
    decision and the follow-up."""

    version: RoutineVersion
    trend_case: TrendCase | None
    deviation_count: int


def origins(routine: Routine) -> list[Origin]:
    """Each version of the routine revised after a decision, with the trend
    case behind it (two queries)."""
    versions = list(
        routine.versions.filter(decision__isnull=False)
        .select_related(
            "decision__treatment__meeting__council", "decision__treatment__case", "followup"
        )
        .order_by("-created")
    )
    cases = (
        {
            t.case_id: t
            for t in TrendCase.objects.filter(
                case_id__in=[v.decision.treatment.case_id for v in versions if v.decision]
            ).prefetch_related("deviations")
        }
        if versions
        else {}
    )
    result = []
    for version in versions:
        assert version.decision is not None
        case_id = version.decision.treatment.case_id
        found = cases.get(case_id) if case_id is not None else None
        result.append(
            Origin(version, found, len(found.deviations.all()) if found is not None else 0)
        )
    return result


@dataclass(frozen=True)
class QuarterRow:
    label: str
    count: int
    after: bool  # after the revision came in force
    revised_here: bool  # the quarter the revision came in force


@dataclass(frozen=True)
class BeforeAfter:
    revised_on: datetime.date
    version: RoutineVersion
    rows: list[QuarterRow]
    mean_before: float | None
    mean_after: float | None


def before_after(routine: Routine, today: datetime.date | None = None) -> BeforeAfter | None:
    """The routine's deviations per quarter, up to :data:`SIDE` quarters on
    each side of the latest revision in force (the first version is not a
    revision); None when it has not been revised. The quarter in progress
    counts as "after" but not in the mean (two queries)."""
    today = today or timezone.localdate()
    revision = (
        routine.versions.filter(
            status=RoutineVersion.Status.IN_FORCE,
            previous__isnull=False,
            in_force_from__isnull=False,
        )
        .order_by("-in_force_from")
        .first()
    )
    if revision is None or revision.in_force_from is None:
        return None
    revised = revision.in_force_from
    year, quarter = quarterly.quarter_of(revised)
    first = (year, quarter)
    for _i in range(SIDE):
        first = quarterly.previous_quarter(*first)
    start = quarterly.quarter_bounds(*first)[0]
    last = quarterly.quarter_of(today)
    end = min(today, quarterly.quarter_bounds(*_quarters_after(year, quarter, SIDE))[1])
    found = statistics.in_range(
        deviations_of(routine.partnership, Subject(routine=routine)), start, end
    )
    trend = statistics.trend(found, statistics.QUARTER, start, end)
    rows = []
    before_counts, after_counts = [], []
    for row in trend:
        day = datetime.date.fromisoformat(row.key)
        q = quarterly.quarter_of(day)
        after = q >= (year, quarter)
        rows.append(QuarterRow(row.label, row.count, after, q == (year, quarter)))
        if q < (year, quarter):
            before_counts.append(row.count)
        elif q > (year, quarter) and q < last:
            after_counts.append(row.count)
    return BeforeAfter(
        revised_on=revised,
        version=revision,
        rows=rows,
        mean_before=sum(before_counts) / len(before_counts) if before_counts else None,
        mean_after=sum(after_counts) / len(after_counts) if after_counts else None,
    )


def _quarters_after(year: int, quarter: int, count: int) -> tuple[int, int]:
    for _i in range(count):
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return year, quarter


def subjects(partnership: Partnership) -> list[tuple[str, str]]:
    """The routines and guidelines a trend case can be about, as form
    choices ("routine-<pk>", "guideline-<pk>"), with their deviation counts
    over the period (two queries)."""
    start, end = _period(timezone.localdate())
    counted = statistics.in_range(
        Deviation.objects.filter(partnership=partnership).exclude(status=Deviation.Status.DRAFT),
        start,
        end,
    )
    choices: list[tuple[str, str]] = []
    for row in statistics.by_routine(counted):
        if row.key:
            choices.append(
                (
                    f"routine-{row.key}",
                    _("Routine %(name)s (%(count)s)") % {"name": row.label, "count": row.count},
                )
            )
    for row in statistics.by_guideline(counted):
        if row.key:
            choices.append(
                (
                    f"guideline-{row.key}",
                    _("Guideline %(name)s (%(count)s)") % {"name": row.label, "count": row.count},
                )
            )
    return choices


def subject_from_choice(partnership: Partnership, choice: str) -> Subject:
    """The subject a form choice names, in this partnership (else invalid)."""
    kind, _sep, value = choice.partition("-")
    if kind == "routine" and value.isdigit():
        routine = Routine.objects.filter(partnership=partnership, pk=int(value)).first()
        if routine is not None:
            return Subject(routine=routine)
    if kind == "guideline" and value.isdigit():
        guideline = Guideline.objects.filter(partnership=partnership, number=int(value)).first()
        if guideline is not None:
            return Subject(guideline=guideline)
    raise ValidationError(_("Choose what the deviations concern."))
