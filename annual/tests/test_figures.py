"""The year's figures are the live figures: each section agrees with the
page or API that shows the same thing, changes with what it counts, and
keeps to the rule for small numbers when public."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annual import figures
from councils.models import Council, Meeting
from deviations.models import DeviationConfig
from indicators.tests import factory
from plans.models import ActionPlan

pytestmark = pytest.mark.django_db


def _this_year() -> int:
    return timezone.localdate().year


def test_the_deviation_figures_are_the_statistics_pages(as_person: Any, hnt: Any) -> None:
    year = _this_year()
    ours = figures.deviations(hnt, year, public=False)
    page = as_person("sara").get(
        f"/hnt/intern/avvik/statistikk/?period=year&start={year}-01-01&end={year}-12-31"
    )
    summary = page.context["summary"]
    assert ours["total"] == summary.total > 0
    assert ours["answered"] == summary.answered
    assert ours["answered_in_time"] == summary.answered_in_time
    by_category = {r.label: r.count for r in page.context["figures"].breakdowns["category"]}
    assert {r["name"]: r["count"] for r in ours["by_category"]} == by_category


def test_the_public_deviation_figures_are_rounded_as_the_public_statistics(hnt: Any) -> None:
    DeviationConfig.objects.update_or_create(partnership=hnt, defaults={"public_statistics": True})
    year = _this_year()
    internal = figures.deviations(hnt, year, public=False)
    public = figures.deviations(hnt, year, public=True)
    for mine, shown in zip(internal["by_category"], public["by_category"], strict=True):
        if 0 < mine["count"] < 5:
            assert shown["count"] == "<5"
        else:
            assert shown["count"] == str(5 * round(mine["count"] / 5))


def test_a_partnership_that_does_not_publish_deviation_statistics_publishes_none_here(
    as_person: Any, hnt: Any
) -> None:
    DeviationConfig.objects.update_or_create(partnership=hnt, defaults={"public_statistics": False})
    year = _this_year()
    public = figures.deviations(hnt, year, public=True)
    assert public["published"] is False
    assert public["total"] is None and public["by_category"] == []
    assert figures.deviations(hnt, year, public=False)["total"] > 0
    page = as_person("sara").get(f"/hnt/intern/arsrapport/{year}/").content.decode()
    assert "Deviations reported:" in page  # inside, the figures are there


def test_the_plan_progress_is_the_plan_pages(as_person: Any, hnt: Any) -> None:
    year = _this_year()
    ours = figures.plan(hnt, year)
    adopted = ActionPlan.objects.get(partnership=hnt, status=ActionPlan.Status.ADOPTED)
    api = as_person(None).get(f"/api/plans/hnt/{adopted.pk}").json()
    assert ours["plan"] == adopted.title
    assert ours["progress"] == pytest.approx(api["progress"])
    assert sum(ours["measures"].values()) > 0


def test_the_indicator_figures_are_the_statistics_apis(as_person: Any, hnt: Any) -> None:
    factory.clear(hnt)
    numbers = [
        p.organisation.municipality_number
        for p in hnt.participations.filter(organisation__kind="kommune")
    ]
    data: dict[str, Any] = {n: (10, 50, 5000) for n in numbers}
    data["5052"] = (Decimal("3.6"), 2, 560)
    data["0"] = Decimal("10.8")
    factory.store(hnt, "utskrivningsklare", 2024, data)
    ours = {i["code"]: i for i in figures.indicators(hnt, 2024, public=True)}
    api = as_person(None).get("/api/statistics/hnt/utskrivningsklare").json()
    partnership = next(a for a in api["areas"] if a["kind"] == "partnership")
    assert ours["utskrivningsklare"]["partnership"]["value"] == partnership["figures"][-1]["value"]
    assert ours["utskrivningsklare"]["country"]["value"] == 10.8
    assert "befolkning" not in ours  # no figure for 2024
    # Only Samspill's own indicators (computed from what it holds) in 2023.
    assert {i["code"] for i in figures.indicators(hnt, 2023, public=True)} <= {
        "situasjonsrapporter"
    }


def test_a_meeting_held_or_cancelled_is_counted_in_its_year(hnt: Any) -> None:
    year = _this_year()
    asu = Council.objects.get(partnership=hnt, slug="asu")
    before = {c["council"]: c for c in figures.meetings(hnt, year)["councils"]}
    day = timezone.make_aware(datetime.datetime(year, 6, 15, 10))
    Meeting.objects.create(council=asu, starts_at=day, status=Meeting.Status.HELD)
    Meeting.objects.create(council=asu, starts_at=day, status=Meeting.Status.CANCELLED)
    # The next year's first minute is not this year's.
    Meeting.objects.create(
        council=asu,
        starts_at=timezone.make_aware(datetime.datetime(year + 1, 1, 1, 0, 0)),
        status=Meeting.Status.HELD,
    )
    after = {c["council"]: c for c in figures.meetings(hnt, year)["councils"]}
    old = before.get(asu.name, {"held": 0, "cancelled": 0})
    assert after[asu.name]["held"] == old["held"] + 1
    assert after[asu.name]["cancelled"] == old["cancelled"] + 1


def test_the_year_takes_as_many_queries_whatever_it_holds(hnt: Any) -> None:
    year = _this_year()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            figures.year_figures(hnt, year, public=True)
        return len(queries)

    first = count()
    asu = Council.objects.get(partnership=hnt, slug="asu")
    for day in range(1, 11):
        Meeting.objects.create(
            council=asu,
            starts_at=timezone.make_aware(datetime.datetime(year, 3, day, 10)),
            status=Meeting.Status.HELD,
        )
    assert count() == first
