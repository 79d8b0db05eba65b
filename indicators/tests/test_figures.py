"""The figures as the pages show them: regions computed from their
kommuner, and the rule for small numbers applied in public (hidden) and
marked internally."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from indicators import figures
from indicators.models import Indicator
from indicators.tests import factory
from partnerships.demo import HNT_REGIONS

pytestmark = pytest.mark.django_db

KOMMUNER = [number for _r, _a, kommuner in HNT_REGIONS for _n, number, _i in kommuner]
YEAR = 2024


def _everywhere(hnt: Any, code: str, given: object, **special: object) -> None:
    """Every HNT kommune ``given``; ``special`` (k5052=…) overrides one."""
    data = {number: special.get(f"k{number}", given) for number in KOMMUNER}
    factory.store(hnt, code, YEAR, data)


def _table(hnt: Any, code: str, *, public: bool) -> figures.IndicatorTable:
    return figures.indicator_table(hnt, Indicator.objects.get(code=code), public=public)


def _row(table: figures.IndicatorTable, code: str) -> figures.Row:
    return next(r for r in table.rows if r.code == code)


def _region(table: figures.IndicatorTable, name: str) -> figures.Row:
    return next(r for r in table.rows if r.kind == "region" and name in r.label)


def test_a_region_counts_the_sum_of_its_kommuner(hnt: Any) -> None:
    factory.clear(hnt)
    _everywhere(hnt, "kad-plasser", 2, k5060=Decimal("3.5"))
    table = _table(hnt, "kad-plasser", public=True)
    assert _region(table, "Ytre Namdal").latest.value == Decimal("5.5")
    assert table.partnership_row is not None
    assert table.partnership_row.latest.value == 18 * 2 + Decimal("3.5")


def test_a_rate_is_the_sum_of_numerators_over_the_sum_of_denominators(hnt: Any) -> None:
    factory.clear(hnt)
    _everywhere(hnt, "utskrivningsklare", (10, 50, 5000), k5060=(20, 200, 10000))
    table = _table(hnt, "utskrivningsklare", public=True)
    region = _region(table, "Ytre Namdal").latest
    # (200 + 50) / (10,000 + 5,000) × 1,000, not the mean of 20 and 10.
    assert region.value is not None
    assert round(region.value, 2) == Decimal("16.67")
    assert region.numerator == 250


def test_a_standardised_rate_is_weighted_by_the_denominators(hnt: Any) -> None:
    factory.clear(hnt)
    _everywhere(hnt, "overliggedogn", (10, 60, 5000), k5060=(40, 300, 15000))
    region = _region(_table(hnt, "overliggedogn", public=False), "Ytre Namdal").latest
    # (40 × 15,000 + 10 × 5,000) / 20,000: the figures, not the numerators.
    assert region.value == Decimal("32.5")


def test_a_missing_kommune_leaves_its_region_not_computable(hnt: Any) -> None:
    factory.clear(hnt)
    _everywhere(hnt, "kad-plasser", 2, k5052=None)
    table = _table(hnt, "kad-plasser", public=True)
    assert _region(table, "Ytre Namdal").latest.status == figures.NOT_COMPUTABLE
    assert _region(table, "Innherred").latest.value == 4


def test_a_small_count_is_hidden_and_so_is_what_would_give_it_away(hnt: Any) -> None:
    factory.clear(hnt)
    # Leka: 2 stays. Ytre Namdal is Nærøysund and Leka: with Nærøysund shown,
    # Leka would be the region's total minus Nærøysund.
    _everywhere(hnt, "utskrivningsklare", (10, 50, 5000), k5052=(Decimal("3.6"), 2, 560))
    public = _table(hnt, "utskrivningsklare", public=True)
    assert _row(public, "5052").latest.status == figures.HIDDEN
    assert _row(public, "5052").latest.value is None
    assert _row(public, "5060").latest.status == figures.HIDDEN
    assert _region(public, "Ytre Namdal").latest.shown
    assert _row(public, "5037").latest.value == 10
    internal = _table(hnt, "utskrivningsklare", public=False)
    assert _row(internal, "5052").latest.value == Decimal("3.6")
    assert _row(internal, "5052").latest.small
    assert _row(internal, "5060").latest.small
    assert not _row(internal, "5037").latest.small


def test_a_rate_without_its_count_is_hidden_when_the_count_it_implies_is_small(hnt: Any) -> None:
    factory.clear(hnt)
    # 3.6 per 1,000 of 560 is 2 people: hidden, though the file gave no count.
    _everywhere(hnt, "utskrivningsklare", (10, None, 5000), k5052=(Decimal("3.6"), None, 560))
    public = _table(hnt, "utskrivningsklare", public=True)
    assert _row(public, "5052").latest.status == figures.HIDDEN
    assert _row(public, "5037").latest.shown


def test_a_country_figure_is_never_hidden_and_not_summed(hnt: Any) -> None:
    factory.clear(hnt)
    _everywhere(hnt, "kad-plasser", 2)
    factory.store(hnt, "kad-plasser", YEAR, {"0": 688})
    table = _table(hnt, "kad-plasser", public=True)
    assert table.country_row is not None
    assert table.country_row.latest.value == 688


def test_population_is_never_hidden(hnt: Any) -> None:
    factory.clear(hnt)
    _everywhere(hnt, "befolkning", 3000, k5052=3)
    assert _row(_table(hnt, "befolkning", public=True), "5052").latest.value == 3


def test_the_overliggedogn_cost_is_days_at_the_national_rate(hnt: Any) -> None:
    factory.clear(hnt)
    _everywhere(hnt, "overliggedogn", (10, 60, 5000))
    table = _table(hnt, "overliggedogn", public=True)
    assert table.daily_rate is not None and table.daily_rate.amount == 5745
    assert _row(table, "5037").cost == 60 * 5745


def test_the_last_five_years_are_shown(hnt: Any) -> None:
    factory.clear(hnt)
    for year in range(2017, 2025):
        factory.store(hnt, "kad-plasser", year, {"5037": 2})
    assert _table(hnt, "kad-plasser", public=True).years == [2020, 2021, 2022, 2023, 2024]


def test_the_cost_is_for_the_latest_year_with_a_national_rate(hnt: Any) -> None:
    factory.clear(hnt)
    factory.store(hnt, "overliggedogn", 2024, {"5037": (10, 60, 5000)})
    factory.store(hnt, "overliggedogn", 2025, {"5037": (12, 70, 5000)})
    table = _table(hnt, "overliggedogn", public=True)
    # No rate for 2025 is known: the column is 2024's, at 2024's rate.
    assert table.daily_rate is not None and table.daily_rate.year == 2024
    assert _row(table, "5037").cost == 60 * 5745
