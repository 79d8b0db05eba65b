"""The national comparison's pages: the public comparison, its charts with
their tables, the files and the CSV; the secretariat's page to take part,
publish and import. A fixed number of queries however many partnerships."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from national import exchange, services
from national.models import Snapshot
from partnerships.models import Partnership

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).parent / "samples" / "fjordkysten-2025.json"
FNR = "15078810022"


def _document(identifier: str, name: str, year: int) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SAMPLE.read_text())
    document["partnership"].update(id=identifier, name=name)
    document["year"] = year
    return document


def _import(who: Any, identifier: str, year: int) -> Snapshot:
    outcome = services.import_file(
        Partnership.objects.get(slug="hnt"),
        file_name=f"{identifier}.json",
        data=exchange.dumps(_document(identifier, f"Helsefellesskap {identifier}", year)),
        by=who,
        replace=False,
    )
    assert outcome.snapshot is not None
    return outcome.snapshot


def test_the_public_page_compares_the_partnerships_of_the_latest_year(
    as_person: Any, people: Any
) -> None:
    year = timezone.localdate().year
    page = as_person(None).get("/nasjonalt/").content.decode()
    assert f"National comparison {year}" in page
    for name in ("Helsefellesskap Nord-Trøndelag", "Helsefellesskapet St. Olavs hospital"):
        assert name in page
    # Each file's texts are marked with the language the file gives.
    assert '<span lang="nb">Helsefellesskap Fjordkysten (demo)</span>' in page
    assert "imported from a file on" in page
    assert "Council meetings held" in page
    assert f'href="/nasjonalt/{year - 1}/"' in page or f'href="/nasjonalt/{year}/"' in page


def test_a_suppressed_figure_shows_as_hidden_and_a_missing_one_as_a_dash(
    as_person: Any, people: Any
) -> None:
    _import(people.sara, "vestkysten", 2025)
    client = as_person(None)
    page = client.get("/nasjonalt/2025/").content.decode()
    assert "hidden" in page and 'aria-label="no figure"' in page
    chart = client.get("/nasjonalt/2025/aktivitet/crisis_reports/").content.decode()
    assert "Helsefellesskap vestkysten" in chart and "hidden" in chart
    assert "<svg" in chart and "<table" in chart  # every chart with its table


def test_each_file_downloads_as_published(as_person: Any, people: Any) -> None:
    year = timezone.localdate().year
    response = as_person(None).get(f"/nasjonalt/{year}/hnt.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert f'filename="hnt-{year}.json"' in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document == Snapshot.objects.get(identifier="hnt", year=year).data
    assert exchange.read(response.content).problems == []


def test_the_csv_holds_every_figure_of_every_partnership(as_person: Any, people: Any) -> None:
    year = timezone.localdate().year
    response = as_person(None).get(f"/nasjonalt/{year}/csv/")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    comparison = services.comparison(year)
    lines = len(comparison.activity) + len(comparison.indicators)
    assert rows[0][:3] == ["partnership_id", "partnership", "kind"]
    assert len(rows) == 1 + lines * len(comparison.snapshots)
    hnt_meetings = next(r for r in rows if r[0] == "hnt" and r[3] == "meetings_held")
    assert int(hnt_meetings[6]) == comparison.line("aktivitet", "meetings_held").cells[1].value  # type: ignore[union-attr]


def test_a_partnership_that_opted_out_is_not_shown(as_person: Any, people: Any) -> None:
    year = timezone.localdate().year
    services.set_sharing(Partnership.objects.get(slug="stolav"), False, by=people.petter)
    client = as_person(None)
    assert "St. Olavs" not in client.get(f"/nasjonalt/{year}/").content.decode()
    assert client.get(f"/nasjonalt/{year}/stolav.json").status_code == 404


PINNED = [
    ("/nasjonalt/", 2),
    ("/nasjonalt/2025/", 2),
    ("/nasjonalt/2025/indikator/utskrivningsklare/", 2),
    ("/nasjonalt/2025/csv/", 2),
    ("/nasjonalt/2025/fjordkysten.json", 1),
]


@pytest.mark.parametrize(("url", "pinned"), PINNED)
def test_the_public_pages_pin_their_queries(
    as_person: Any, people: Any, url: str, pinned: int
) -> None:
    Snapshot.objects.all().delete()
    _import(people.sara, "fjordkysten", 2025)
    client = as_person(None)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()
    assert count() == pinned
    for n in range(6):
        _import(people.sara, f"partnership-{n}", 2025)
    assert count() == pinned


@pytest.mark.parametrize(
    "url",
    [
        "/nasjonalt/1999/",
        "/nasjonalt/2025/something/utskrivningsklare/",
        "/nasjonalt/2025/indikator/no-such-indicator/",
        "/nasjonalt/2025/aktivitet/no_such_measure/",
        "/nasjonalt/2025/nobody.json",
        "/nasjonalt/1999/csv/",
    ],
)
def test_what_is_not_there_is_404(as_person: Any, people: Any, url: str) -> None:
    _import(people.sara, "vestkysten", 2025)
    assert as_person(None).get(url).status_code == 404


def test_with_nothing_published_the_page_says_so(as_person: Any, people: Any) -> None:
    Snapshot.objects.all().delete()
    page = as_person(None).get("/nasjonalt/").content.decode()
    assert "No partnership has published figures" in page


# The secretariat's page --------------------------------------------------------------

M = "/hnt/intern/nasjonalt"


def test_the_secretariat_opts_out_and_in_and_publishes(as_person: Any, people: Any) -> None:
    client = as_person("sara")
    year = timezone.localdate().year
    response = client.post(f"{M}/deltakelse/", {"opted_in": "0"}, follow=True)
    assert "no longer takes part; 2 published years were withdrawn" in response.content.decode()
    assert not Snapshot.objects.filter(partnership__slug="hnt").exists()
    page = client.get(f"{M}/").content.decode()
    assert "does not take part" in page and 'action="/hnt/intern/nasjonalt/publiser/"' not in page
    client.post(f"{M}/deltakelse/", {"opted_in": "1"})
    response = client.post(f"{M}/publiser/", {"year": str(year)}, follow=True)
    assert f"The figures for {year} are published" in response.content.decode()
    snapshot = Snapshot.objects.get(partnership__slug="hnt", year=year)
    assert snapshot.created_by == people.sara


def test_the_secretariat_imports_a_file_and_withdraws_it(as_person: Any, people: Any) -> None:
    client = as_person("sara")
    data = exchange.dumps(_document("vestkysten", "Helsefellesskap Vestkysten", 2025))
    upload = SimpleUploadedFile("vestkysten.json", data, content_type="application/json")
    response = client.post(f"{M}/importer/", {"file": upload}, follow=True)
    assert "The figures of Helsefellesskap Vestkysten for 2025 were imported." in (
        response.content.decode()
    )
    snapshot = Snapshot.objects.get(identifier="vestkysten")
    # A double submit: one record.
    upload = SimpleUploadedFile("vestkysten.json", data, content_type="application/json")
    response = client.post(f"{M}/importer/", {"file": upload}, follow=True)
    assert "imported already; nothing changed" in response.content.decode()
    assert Snapshot.objects.filter(identifier="vestkysten").count() == 1
    response = client.post(f"{M}/{snapshot.pk}/trekk-tilbake/", follow=True)
    assert "were withdrawn" in response.content.decode()
    assert not Snapshot.objects.filter(identifier="vestkysten").exists()


def test_a_broken_file_is_a_400_with_the_line_and_field_and_nothing_stored(
    as_person: Any, people: Any
) -> None:
    before = Snapshot.objects.count()
    document = _document("vestkysten", f"Vestkysten {FNR}", 2025)
    document["activity"]["decisions"]["value"] = "many"
    upload = SimpleUploadedFile("v.json", exchange.dumps(document))
    response = as_person("sara").post(f"{M}/importer/", {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The file was not imported: 2 errors. Nothing was stored." in page
    assert "<code>/partnership/name</code>" in page
    assert "<code>/activity/decisions/value</code>" in page
    assert FNR not in page and FNR[:6] not in page
    assert Snapshot.objects.count() == before


def test_an_identity_number_in_the_file_name_is_refused(as_person: Any, people: Any) -> None:
    data = exchange.dumps(_document("vestkysten", "Vestkysten", 2025))
    upload = SimpleUploadedFile(f"{FNR}.json", data)
    response = as_person("sara").post(f"{M}/importer/", {"file": upload})
    assert response.status_code == 400
    assert FNR not in response.content.decode()
    assert not Snapshot.objects.filter(identifier="vestkysten").exists()


def test_the_secretariat_cannot_withdraw_another_partnerships_year(
    as_person: Any, people: Any
) -> None:
    stolav = Snapshot.objects.filter(partnership__slug="stolav").first()
    assert stolav is not None
    assert as_person("sara").post(f"{M}/{stolav.pk}/trekk-tilbake/").status_code == 404
    assert Snapshot.objects.filter(pk=stolav.pk).exists()


def test_the_csv_makes_other_installations_texts_safe_for_spreadsheets(
    as_person: Any, people: Any
) -> None:
    document = _document("formelen", '=HYPERLINK("http://x.example")', 2025)
    services.import_file(
        Partnership.objects.get(slug="hnt"),
        file_name="f.json",
        data=exchange.dumps(document),
        by=people.sara,
        replace=False,
    )
    text = as_person(None).get("/nasjonalt/2025/csv/").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    names = {row[1] for row in rows if row[0] == "formelen"}
    assert names == {'\'=HYPERLINK("http://x.example")'}
