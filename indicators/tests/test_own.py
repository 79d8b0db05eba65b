"""Samspill's own indicators: the deviations each kommune reported and
received, and the situation reports it sent in crises, computed from what
Samspill holds; in public the deviation ones only where the partnership
publishes its deviation statistics, and small counts hidden by the one
rule for small numbers."""

from __future__ import annotations

import datetime
import json
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crisis.models import Report
from deviations.models import Deviation, DeviationConfig
from deviations.tests.test_statistics import make_deviation, org, trust
from indicators import figures
from indicators.models import Indicator

pytestmark = pytest.mark.django_db
P = "/hnt/tall-og-statistikk"


def _publish(hnt: Any, published: bool) -> None:
    DeviationConfig.objects.update_or_create(
        partnership=hnt, defaults={"public_statistics": published}
    )


def _kommune_figures(
    hnt: Any, code: str, *, public: bool, year: int | None = None
) -> dict[str, Any]:
    table = figures.indicator_table(hnt, Indicator.objects.get(code=code), public=public)
    at = table.years.index(year or timezone.localdate().year)
    return {row.code: row.figures[at] for row in table.kommune_rows}


@pytest.mark.parametrize(
    ("code", "side"),
    [("avvik-meldt", "reporting_organisation"), ("avvik-mottatt", "receiving_organisation")],
)
def test_the_deviation_indicators_count_the_deviations(hnt: Any, code: str, side: str) -> None:
    # The year of the latest deviation (on 1 January the new year has none).
    latest = (
        Deviation.objects.filter(partnership=hnt, submitted_at__isnull=False)
        .exclude(status=Deviation.Status.DRAFT)
        .latest("submitted_at")
    )
    year = timezone.localtime(latest.submitted_at).year
    expected: Counter[str] = Counter()
    for deviation in Deviation.objects.filter(partnership=hnt).select_related(side):
        if deviation.status == Deviation.Status.DRAFT or deviation.submitted_at is None:
            continue
        if timezone.localtime(deviation.submitted_at).year != year:
            continue
        expected[getattr(deviation, side).municipality_number] += 1
    found = _kommune_figures(hnt, code, public=False, year=year)
    assert sum(expected.values()) > 0
    assert {number: int(f.value) for number, f in found.items() if f.value} == {
        number: n for number, n in expected.items() if number in found
    }


def test_the_situation_report_indicator_counts_the_reports(hnt: Any) -> None:
    # The demo's crisis may be older than the five years shown: bring a
    # share of its reports into last year.
    moved = list(
        Report.objects.filter(crisis__partnership=hnt, submitted_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:40]
    )
    Report.objects.filter(pk__in=moved).update(
        submitted_at=timezone.now() - datetime.timedelta(days=365)
    )
    table = figures.indicator_table(
        hnt, Indicator.objects.get(code="situasjonsrapporter"), public=True
    )
    expected: Counter[tuple[str, int]] = Counter()
    for report in Report.objects.filter(
        crisis__partnership=hnt, submitted_at__isnull=False
    ).select_related("organisation"):
        expected[
            (report.organisation.municipality_number, timezone.localtime(report.submitted_at).year)
        ] += 1
    assert table.years
    checked = 0
    for row in table.kommune_rows:
        for year, figure in zip(table.years, row.figures, strict=True):
            assert figure.shown and figure.value is not None  # reports are not people
            assert int(figure.value) == expected[(row.code, year)]
            checked += int(figure.value)
    assert checked > 0


def test_the_public_sees_the_deviation_indicators_only_where_they_are_published(
    as_person: Any, hnt: Any
) -> None:
    client = as_person(None)
    _publish(hnt, False)
    index = client.get(f"{P}/").content.decode()
    assert "Avvik meldt av kommunen" not in index and "Situasjonsrapporter i kriser" in index
    for url in (f"{P}/avvik-meldt/", f"{P}/avvik-mottatt/csv/", "/api/statistics/hnt/avvik-meldt"):
        assert client.get(url).status_code == 404
    assert "avvik-meldt" not in {i["code"] for i in client.get("/api/statistics/hnt").json()}
    # Inside, those who may see small numbers see them.
    assert as_person("lena").get("/hnt/intern/statistikk/avvik-meldt/").status_code == 200
    _publish(hnt, True)
    assert "Avvik meldt av kommunen" in client.get(f"{P}/").content.decode()
    for url in (f"{P}/avvik-meldt/", f"{P}/avvik-mottatt/csv/", "/api/statistics/hnt/avvik-meldt"):
        assert client.get(url).status_code == 200


def test_a_kommune_with_one_to_four_deviations_is_hidden_in_public(hnt: Any, people: Any) -> None:
    _publish(hnt, True)
    year = timezone.localdate().year
    leka = org("5052")
    Deviation.objects.filter(
        partnership=hnt, reporting_organisation=leka, submitted_at__year=year
    ).delete()
    for _ in range(2):
        make_deviation(
            hnt, people.nils, leka, trust(hnt), "A", submitted=timezone.localdate().isoformat()
        )
    inside = _kommune_figures(hnt, "avvik-meldt", public=False)
    outside = _kommune_figures(hnt, "avvik-meldt", public=True)
    assert inside["5052"].value == 2
    assert not outside["5052"].shown and outside["5052"].status == figures.HIDDEN


def test_a_product_mapping_cannot_import_samspills_own_indicators(hnt: Any) -> None:
    """A profile that maps a column to a Samspill indicator is refused."""
    from indicators import services
    from indicators.models import ImportProfile

    shipped = ImportProfile.objects.get(product="hdir-utskrivningsklare")
    good = services.read(hnt, shipped, b"")
    assert not any("avvik-meldt" in e.message for e in good.errors)
    mapping = json.loads(json.dumps(shipped.mapping))
    mapping["series"][0]["indicator"] = "avvik-meldt"
    ImportProfile.objects.filter(pk=shipped.pk).update(mapping=mapping)
    shipped.refresh_from_db()
    refused = services.read(hnt, shipped, b"")
    assert any("avvik-meldt" in e.message for e in refused.errors)


def test_the_deviation_indicator_page_pins_its_queries(
    as_person: Any, hnt: Any, people: Any
) -> None:
    _publish(hnt, True)
    client = as_person(None)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{P}/avvik-meldt/").status_code == 200
        return len(queries)

    count()
    before = count()
    for number in ("5007", "5006", "5052"):
        make_deviation(
            hnt,
            people.nils,
            org(number),
            trust(hnt),
            "B",
            submitted=f"{timezone.localdate().year - 2}-03-01",
        )
    assert count() == before
