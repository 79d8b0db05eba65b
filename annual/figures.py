"""The partnership's year in figures, from what Samspill holds: the
foundation of the annual report (årsrapport) and of the national comparison.

Each section is computed by the same code as the page that shows it live,
so the report's figures are the live figures for the year:

* **meetings**: per council, the meetings held and cancelled, and the
  attendance of the held meetings per party (or region) on whose behalf a
  seat sits;
* **decisions**: the decisions of the year's meetings, and the follow-ups
  made from them by status;
* **agreements**: the versions that came in force in the year, and the
  ratifications of every version being ratified or in force by outcome;
* **deviations**: :func:`deviations.statistics.compute` over the calendar
  year (the statistics page's figures): volume, answered, answered in time,
  mean days to answer, by category and guideline;
* **plan**: the plan in force in the year with its rolled-up progress
  (:mod:`plans.rollup`) and its measures and the joint projects by status;
* **representation**: input rounds opened and report-backs given;
* **crisis**: the crises that were open in the year and the situation
  reports submitted;
* **indicators**: each indicator's figure for the partnership and the
  country in the year (:mod:`indicators.figures`, with the rule for small
  numbers when ``public``).

Everything is plain data (numbers, texts, lists and dicts), so an adopted
report can keep it as it was. A fixed number of queries.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils import timezone

from agreements.models import AgreementVersion, Ratification
from core import disclosure
from councils.models import Attendance, Decision, Meeting
from crisis.models import Crisis
from crisis.models import Report as SituationReport
from deviations import statistics
from deviations.models import Deviation, DeviationConfig
from followups.models import FollowUp
from indicators import figures as indicator_figures
from indicators import own
from indicators.models import Indicator
from partnerships.models import Partnership
from plans import services as plan_services
from plans.models import Measure, Project
from portal.services import partnership_structure
from representation.models import InputRound, ReportBack

HELD = (
    Meeting.Status.HELD,
    Meeting.Status.MINUTES_DRAFTED,
    Meeting.Status.MINUTES_APPROVED,
    Meeting.Status.PUBLISHED,
)


def _bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The year in the partnership's time zone, as [start, end)."""
    return (
        timezone.make_aware(datetime.datetime(year, 1, 1)),
        timezone.make_aware(datetime.datetime(year + 1, 1, 1)),
    )


def meetings(partnership: Partnership, year: int) -> dict[str, Any]:
    start, end = _bounds(year)
    in_year = Meeting.objects.filter(
        council__partnership=partnership, starts_at__gte=start, starts_at__lt=end
    )
    councils: dict[str, dict[str, Any]] = {}
    for row in (
        in_year.values("council__slug", "council__name")
        .annotate(
            held=Count("pk", filter=Q(status__in=HELD)),
            cancelled=Count("pk", filter=Q(status=Meeting.Status.CANCELLED)),
        )
        .order_by("council__name")
    ):
        councils[row["council__slug"]] = {
            "council": row["council__name"],
            "held": row["held"],
            "cancelled": row["cancelled"],
        }
    attendance: dict[str, Counter[str]] = {}
    for seat in (
        Attendance.objects.filter(meeting__in=in_year.filter(status__in=HELD))
        .values(
            "appointment__on_behalf_of_organisation__name",
            "appointment__on_behalf_of_region__name",
            "status",
        )
        .annotate(n=Count("pk"))
    ):
        party = (
            seat["appointment__on_behalf_of_organisation__name"]
            or seat["appointment__on_behalf_of_region__name"]
            or ""
        )
        attendance.setdefault(party, Counter())[seat["status"]] += seat["n"]
    return {
        "councils": list(councils.values()),
        "held": sum(c["held"] for c in councils.values()),
        "attendance": [
            {
                "party": party,
                "present": counts[Attendance.Status.PRESENT],
                "deputy": counts[Attendance.Status.DEPUTY],
                "absent": counts[Attendance.Status.ABSENT],
            }
            for party, counts in sorted(attendance.items())
        ],
    }


def decisions(partnership: Partnership, year: int) -> dict[str, Any]:
    start, end = _bounds(year)
    ids = list(
        Decision.objects.filter(
            treatment__meeting__council__partnership=partnership,
            treatment__meeting__starts_at__gte=start,
            treatment__meeting__starts_at__lt=end,
        ).values_list("pk", flat=True)
    )
    followups = Counter(
        FollowUp.objects.filter(
            partnership=partnership,
            origin=FollowUp.Origin.DECISION,
            source_content_type=ContentType.objects.get_for_model(Decision),
            source_object_id__in=ids,
        ).values_list("status", flat=True)
    )
    return {
        "decisions": len(ids),
        "followups": {status: followups[status] for status in FollowUp.Status.values},
    }


def agreements(partnership: Partnership, year: int) -> dict[str, Any]:
    came_in_force = (
        AgreementVersion.objects.filter(
            agreement__partnership=partnership, in_force_from__year=year
        )
        .select_related("agreement")
        .order_by("in_force_from", "pk")
    )
    outcomes = Counter(
        Ratification.objects.filter(
            agreement_version__agreement__partnership=partnership,
            agreement_version__status__in=[
                AgreementVersion.Status.RATIFICATION,
                AgreementVersion.Status.IN_FORCE,
            ],
        ).values_list("outcome", flat=True)
    )
    return {
        "in_force": [
            {
                "agreement": str(v.agreement),
                "version": v.label,
                "from": v.in_force_from.isoformat() if v.in_force_from else None,
            }
            for v in came_in_force
        ],
        "ratifications": {outcome: outcomes[outcome] for outcome in Ratification.Outcome.values},
    }


def deviations(partnership: Partnership, year: int, *, public: bool) -> dict[str, Any]:
    """The statistics page's figures for the calendar year; in public, every
    count as the public deviation statistics give it (1–4 as "<5", the rest
    rounded to 5: :func:`core.disclosure.rounded_count`). A partnership
    that does not publish its deviation statistics publishes none here
    either (``published`` is then false)."""
    if (
        public
        and not DeviationConfig.objects.filter(
            partnership=partnership, public_statistics=True
        ).exists()
    ):
        return {
            "published": False,
            "total": None,
            "answered": None,
            "answered_in_time": None,
            "mean_days_to_answer": None,
            "by_category": [],
            "by_guideline": [],
        }
    computed = statistics.compute(
        Deviation.objects.filter(partnership=partnership),
        period=statistics.YEAR,
        start=datetime.date(year, 1, 1),
        end=datetime.date(year, 12, 31),
        breakdowns=("category", "guideline"),
    )
    summary = computed.summary
    assert summary is not None

    def count(n: int) -> int | str:
        return disclosure.rounded_count(n) if public else n

    return {
        "published": True,
        "total": count(summary.total),
        "answered": count(summary.answered),
        "answered_in_time": count(summary.answered_in_time),
        "mean_days_to_answer": summary.mean_days_to_answer,
        "by_category": [
            {"name": r.label, "count": count(r.count)} for r in computed.breakdowns["category"]
        ],
        "by_guideline": [
            {"name": r.label, "count": count(r.count)} for r in computed.breakdowns["guideline"]
        ],
    }


def plan(partnership: Partnership, year: int) -> dict[str, Any]:
    found = plan_services.plan_in_force(partnership, year)
    projects = Counter(
        Project.objects.filter(partnership=partnership).values_list("status", flat=True)
    )
    if found is None:
        return {"plan": None, "progress": None, "measures": {}, "projects": dict(projects)}
    tree = plan_services.tree(found)
    measures = Counter(node.measure.status for node in tree.measures())
    return {
        "plan": found.title,
        "period": f"{found.first_year}–{found.last_year}",
        "progress": tree.progress,
        "measures": {status: measures[status] for status in Measure.Status.values},
        "projects": {status: projects[status] for status in Project.Status.values},
    }


def representation(partnership: Partnership, year: int) -> dict[str, Any]:
    start, end = _bounds(year)
    return {
        "input_rounds": InputRound.objects.filter(
            meeting__council__partnership=partnership, created__gte=start, created__lt=end
        ).count(),
        "report_backs": ReportBack.objects.filter(
            meeting__council__partnership=partnership,
            reported_at__gte=start,
            reported_at__lt=end,
        ).count(),
    }


def crisis(partnership: Partnership, year: int) -> dict[str, Any]:
    start, end = _bounds(year)
    crises = Crisis.objects.filter(
        partnership=partnership, starts_on__lt=datetime.date(year + 1, 1, 1)
    ).filter(Q(stood_down_at__isnull=True) | Q(stood_down_at__gte=start))
    return {
        "crises": [
            {
                "name": c.name,
                "from": c.starts_on.isoformat(),
                "stood_down": c.stood_down_at is not None,
            }
            for c in crises.order_by("starts_on", "pk")
        ],
        "reports": SituationReport.objects.filter(
            crisis__partnership=partnership, submitted_at__gte=start, submitted_at__lt=end
        ).count(),
    }


def _figure_in(row: indicator_figures.Row | None, at: int) -> dict[str, Any]:
    if row is None:
        return {"value": None, "status": "missing"}
    shown = row.figures[at]
    value = shown.value if shown.shown else None
    return {"value": None if value is None else float(value), "status": str(shown.status)}


def indicators(partnership: Partnership, year: int, *, public: bool) -> list[dict[str, Any]]:
    """Each indicator with a figure for the year: the partnership's and the
    country's (hidden as the public pages hide them, when ``public``)."""
    structure = partnership_structure(partnership)
    catalogue = own.shown_indicators(partnership, list(Indicator.objects.all()), public=public)
    loaded = indicator_figures.load(partnership, catalogue, structure)
    result = []
    for indicator in catalogue:
        table = indicator_figures.indicator_table(
            partnership, indicator, public=public, structure=structure, loaded=loaded, years=99
        )
        if year not in table.years:
            continue
        at = table.years.index(year)
        result.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "unit": indicator.unit,
                "decimals": indicator.decimals,
                "partnership": _figure_in(table.partnership_row, at),
                "country": _figure_in(table.country_row, at),
            }
        )
    return result


def year_figures(partnership: Partnership, year: int, *, public: bool) -> dict[str, Any]:
    """Every section for the year (module doc)."""
    return {
        "year": year,
        "meetings": meetings(partnership, year),
        "decisions": decisions(partnership, year),
        "agreements": agreements(partnership, year),
        "deviations": deviations(partnership, year, public=public),
        "plan": plan(partnership, year),
        "representation": representation(partnership, year),
        "crisis": crisis(partnership, year),
        "indicators": indicators(partnership, year, public=public),
    }
