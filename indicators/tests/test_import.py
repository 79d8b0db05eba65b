"""Importing through the pages: a file is read, shown as a dry run, and
stored once on confirmation, with its provenance; a bad file stores nothing
and says where each error is; a double submit makes one import."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.models import ImportBatch, ImportProfile, IndicatorValue
from indicators.tests import factory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parent / "samples"
I = "/hnt/intern/statistikk"  # noqa: E741


def _post(client: Any, sample: str, product: str, key: uuid.UUID | None = None) -> Any:
    data = (SAMPLES / sample).read_bytes()
    return client.post(
        f"{I}/import/",
        {
            "profile": ImportProfile.objects.get(product=product).pk,
            "file": SimpleUploadedFile(sample, data),
            "retrieved_on": "2025-06-02",
            "client_key": str(key or uuid.uuid4()),
        },
    )


@pytest.fixture
def empty(hnt: Any) -> Any:
    factory.clear(hnt)
    return hnt


def test_a_file_is_a_dry_run_until_it_is_stored(as_person: Any, empty: Any) -> None:
    sara = as_person("sara")
    response = _post(sara, "hdir-utskrivningsklare.csv", "hdir-utskrivningsklare")
    assert response.status_code == 302
    batch = ImportBatch.objects.get(partnership=empty, file_name="hdir-utskrivningsklare.csv")
    assert batch.status == ImportBatch.Status.PENDING
    assert not IndicatorValue.objects.filter(partnership=empty).exists()
    page = sara.get(response.url).content.decode()
    assert "What storing the file would change" in page
    assert "Left out:" in page  # Trøndelag (a county) is not the partnership's

    assert sara.post(f"{I}/import/{batch.pk}/lagre/").status_code == 302
    batch.refresh_from_db()
    stored = IndicatorValue.objects.filter(partnership=empty)
    assert batch.status == ImportBatch.Status.APPLIED
    assert batch.applied_by is not None and batch.applied_by.email == "sara@hnt.example"
    assert batch.new_values == stored.count() > 0
    assert set(stored.values_list("batch", flat=True)) == {batch.pk}
    levanger = stored.get(indicator__code="overliggedogn", area_code="5037", year=2024)
    assert levanger.numerator is not None and levanger.denominator is not None
    country = stored.filter(area_kind="country", area_code="0")
    assert country.exists()

    # Confirming again stores nothing more.
    sara.post(f"{I}/import/{batch.pk}/lagre/")
    assert IndicatorValue.objects.filter(partnership=empty).count() == stored.count()

    # The same file again: nothing would change.
    again = _post(sara, "hdir-utskrivningsklare.csv", "hdir-utskrivningsklare")
    page = sara.get(again.url).content.decode()
    assert f"0 new figures, 0 changed, {stored.count()} as they are." in page


def test_a_bad_file_stores_nothing_and_names_row_and_column(as_person: Any, empty: Any) -> None:
    sara = as_person("sara")
    before = ImportBatch.objects.count()
    response = _post(sara, "broken-hdir-utskrivningsklare.csv", "hdir-utskrivningsklare")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was stored" in page
    assert "Errors in the file" in page
    assert "Overliggedøgn" in page  # the column of "ca. 40"
    # The identity-number-like text in a kommune name is reported, not echoed.
    assert "15857110053" not in page
    assert ImportBatch.objects.count() == before
    assert not IndicatorValue.objects.filter(partnership=empty).exists()
    # What was chosen is kept.
    assert 'value="2025-06-02"' in page


@pytest.mark.parametrize(
    ("sample", "product"),
    [
        ("not-json.json", "ssb-07459"),
        ("empty.csv", "hdir-utskrivningsklare"),
        ("broken-hdir-kad.xlsx", "hdir-kad"),
        ("broken-ssb-07459-size.json", "ssb-07459"),
        ("hdir-kad.xlsx", "hdir-utskrivningsklare"),  # the wrong product
    ],
)
def test_no_bad_file_gives_more_than_a_400(
    as_person: Any, empty: Any, sample: str, product: str
) -> None:
    response = _post(as_person("sara"), sample, product)
    assert response.status_code == 400
    assert not ImportBatch.objects.filter(partnership=empty).exists()


def test_a_double_submit_reads_one_import(as_person: Any, empty: Any) -> None:
    sara = as_person("sara")
    key = uuid.uuid4()
    first = _post(sara, "hdir-reinnleggelser.csv", "hdir-reinnleggelser", key)
    second = _post(sara, "hdir-reinnleggelser.csv", "hdir-reinnleggelser", key)
    assert first.url == second.url
    assert ImportBatch.objects.filter(partnership=empty).count() == 1


def test_a_discarded_file_cannot_be_stored(as_person: Any, empty: Any) -> None:
    sara = as_person("sara")
    response = _post(sara, "hdir-reinnleggelser.csv", "hdir-reinnleggelser")
    batch = ImportBatch.objects.get(partnership=empty)
    sara.post(f"{I}/import/{batch.pk}/forkast/")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED and bytes(batch.content) == b""
    follow = sara.post(f"{I}/import/{batch.pk}/lagre/", follow=True)
    assert "This import was discarded." in follow.content.decode()
    assert not IndicatorValue.objects.filter(partnership=empty).exists()
    assert response.status_code == 302


def test_a_changed_figure_shows_what_it_replaces(as_person: Any, empty: Any) -> None:
    factory.store(empty, "reinnleggelser-67", 2024, {"5037": (Decimal("99.9"), 1, 2)})
    sara = as_person("sara")
    response = _post(sara, "hdir-reinnleggelser.csv", "hdir-reinnleggelser")
    page = sara.get(response.url).content.decode()
    assert "Changed figures" in page
    assert "99.9" in page


def test_a_future_retrieval_date_is_refused(as_person: Any, empty: Any) -> None:
    data = (SAMPLES / "hdir-reinnleggelser.csv").read_bytes()
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    response = as_person("sara").post(
        f"{I}/import/",
        {
            "profile": ImportProfile.objects.get(product="hdir-reinnleggelser").pk,
            "file": SimpleUploadedFile("x.csv", data),
            "retrieved_on": tomorrow.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()


def test_the_dry_run_page_takes_as_many_queries_for_a_big_file_as_a_small_one(
    as_person: Any, empty: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sara = as_person("sara")
    counts = []
    for sample, product in [
        ("hdir-reinnleggelser.csv", "hdir-reinnleggelser"),  # 80 figures
        ("ssb-07459.json", "ssb-07459"),  # 160 figures over four indicators
    ]:
        url = _post(sara, sample, product).url
        sara.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert sara.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
