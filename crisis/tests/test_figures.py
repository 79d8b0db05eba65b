"""The period's figures kept on write: after any sequence of submits,
re-submits, drafts, unlocks and "no change" they equal a rebuild from the
submitted values; they never count a draft; and on PostgreSQL parties of one
region submitting at the same moment are all counted."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from crisis import figures, periods, picture, services
from crisis.models import Crisis, PeriodFigure, Report
from crisis.tests.conftest import (
    frosta,
    hf,
    hospital_values,
    kommune_values,
    levanger,
    make_crisis,
    namsos,
)
from partnerships.models import Organisation, Participation

pytestmark = pytest.mark.django_db


def _values(party: Organisation, rng: random.Random) -> dict[str, Any]:
    count = str(rng.randint(0, 40))
    if party.kind != Organisation.Kind.KOMMUNE:
        return hospital_values(smittetall=count, innlagte=str(rng.randint(0, 9)))
    return kommune_values(
        smittetall=count,
        **{
            "smittevernutstyr:munnbind": str(rng.randint(1, 90)),
            "belegg:sykehjem": str(rng.randint(50, 100)),
        },
    )


def _submit(crisis: Crisis, party: Organisation, start: datetime.date, values: Any, by: Any) -> Any:
    at = timezone.make_aware(datetime.datetime.combine(start, datetime.time(12)))
    now = min(timezone.now(), at + datetime.timedelta(days=8))
    return services.save_report(crisis, party, start, values, by=by, submit=True, now=now)


def test_figures_kept_on_write_equal_a_rebuild(people: Any) -> None:
    crisis = make_crisis(people.sara, weeks_ago=3)
    days = periods.periods(crisis)
    rng = random.Random(7)
    parties = [levanger(), namsos(), frosta(), hf()]
    for day in days:
        for party in parties:
            _submit(crisis, party, day, _values(party, rng), people.sara)
    # A party changes its submitted report; another's draft never counts.
    _submit(crisis, levanger(), days[-1], _values(levanger(), rng), people.lena)
    verdal = Organisation.objects.get(municipality_number="5038")
    draft = kommune_values(smittetall="999")
    services.save_report(crisis, verdal, days[-1], draft, by=people.sara, submit=False)
    kept = figures.stored(crisis)
    assert kept and kept == figures.computed(crisis)
    figures.rebuild(crisis)
    assert figures.stored(crisis) == kept
    # Nothing of the draft: Verdal is in no figure of the last period.
    total = sum(
        (row.total or Decimal(0))
        for row in PeriodFigure.objects.filter(
            crisis=crisis, period_start=days[-1], indicator__code="smittetall"
        )
    )
    submitted = Report.objects.filter(
        crisis=crisis, period_start=days[-1], status=Report.Status.SUBMITTED
    )
    assert total == sum(r.values.get(indicator__code="smittetall").number or 0 for r in submitted)


def test_each_party_is_counted_in_its_region_and_the_hospital_outside(people: Any) -> None:
    crisis = make_crisis(people.sara, weeks_ago=1)
    day = periods.periods(crisis)[-1]
    _submit(crisis, levanger(), day, kommune_values(smittetall="3"), people.lena)
    _submit(crisis, hf(), day, hospital_values(smittetall="20"), people.hanne)
    region = Participation.objects.get(
        partnership=crisis.partnership, organisation=levanger(), role="party"
    ).region_id
    assert Report.objects.get(crisis=crisis, organisation=levanger()).figure_group == region
    assert Report.objects.get(crisis=crisis, organisation=hf()).figure_group == figures.OUTSIDE
    rows = {
        row.group_key: row.total
        for row in PeriodFigure.objects.filter(crisis=crisis, indicator__code="smittetall")
    }
    assert rows == {region: 3, figures.OUTSIDE: 20}


def test_the_picture_totals_compare_with_the_previous_period(people: Any) -> None:
    crisis = make_crisis(people.sara, weeks_ago=2)
    p1, p2 = periods.periods(crisis)
    _submit(crisis, levanger(), p1, kommune_values(smittetall="4"), people.lena)
    _submit(crisis, levanger(), p2, kommune_values(smittetall="9"), people.lena)
    _submit(crisis, namsos(), p2, kommune_values(smittetall="1"), people.nils)
    shown = picture.build(crisis, p2)
    total = next(t for t in shown.totals if t.indicator.code == "smittetall")
    assert (total.before, total.now, total.change, total.direction) == (4, 10, 6, "up")


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="locking needs PostgreSQL")
def test_parties_of_one_region_submitting_at_once_are_all_counted(transactional_db: Any) -> None:
    from samspill.demo import build_all
    from tests.test_concurrency import _race

    people = build_all()
    crisis = make_crisis(people["sara"], weeks_ago=1)
    day = periods.periods(crisis)[-1]
    region = Participation.objects.get(
        partnership=crisis.partnership, organisation=levanger(), role="party"
    ).region_id
    assert region is not None
    same_region = list(
        Organisation.objects.filter(
            participations__region_id=region,
            participations__partnership=crisis.partnership,
            kind=Organisation.Kind.KOMMUNE,
        ).distinct()
    )
    assert len(same_region) >= 2
    # The region's parties and some of other regions, all at the same moment.
    others = list(services.parties_of(crisis))
    racing = (
        same_region
        + [p for p in others if p.kind == Organisation.Kind.KOMMUNE and p not in same_region][:6]
    )

    def submit(party: Organisation, count: int) -> Any:
        return lambda: _submit(
            crisis, party, day, kommune_values(smittetall=str(count)), people["sara"]
        )

    counts = {p.pk: 10 + i for i, p in enumerate(racing)}
    results = _race(*(submit(p, counts[p.pk]) for p in racing))
    assert not [r for r in results if isinstance(r, Exception)], results
    row = PeriodFigure.objects.get(
        crisis=crisis, period_start=day, group_key=region, indicator__code="smittetall", item=""
    )
    assert row.n == len(same_region)
    assert row.total == sum(counts[p.pk] for p in same_region)
    assert figures.stored(crisis) == figures.computed(crisis)


def test_the_demo_keeps_its_figures(people: Any) -> None:
    from crisis.demo import build_crisis_demo

    build_crisis_demo()
    for crisis in Crisis.objects.all():
        kept = figures.stored(crisis)
        assert kept == figures.computed(crisis)
        assert kept or not Report.objects.filter(crisis=crisis, status="submitted").exists()
    assert not Report.objects.filter(status="submitted", figure_group=None).exists()


def test_a_kommune_that_moved_region_is_counted_in_its_new_one_after_a_rebuild(
    people: Any,
) -> None:
    from django.core.management import call_command

    from partnerships.models import Region

    crisis = make_crisis(people.sara, weeks_ago=1)
    day = periods.periods(crisis)[-1]
    _submit(crisis, levanger(), day, kommune_values(smittetall="5"), people.lena)
    participation = Participation.objects.get(
        partnership=crisis.partnership, organisation=levanger(), role="party"
    )
    assert participation.region_id is not None
    other = Region.objects.filter(partnership=crisis.partnership).exclude(
        pk=participation.region_id
    )[0]
    Participation.objects.filter(pk=participation.pk).update(region=other)
    call_command("rebuild_crisis_figures", stdout=None)
    assert Report.objects.get(crisis=crisis, organisation=levanger()).figure_group == other.pk
    row = PeriodFigure.objects.get(crisis=crisis, indicator__code="smittetall", item="")
    assert (row.group_key, row.total) == (other.pk, 5)
    assert figures.stored(crisis) == figures.computed(crisis)
