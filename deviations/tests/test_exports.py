"""Exports: only the deviations the person may see, safe against formula
injection, the same rows in CSV and XLSX."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace
from typing import Any

import pytest

from core.spreadsheets import safe_cell
from deviations.models import Deviation
from deviations.tests.test_statistics import build_dataset, make_deviation, org, trust
from partnerships.models import Partnership


@pytest.fixture
def dataset(people: SimpleNamespace, hnt: Partnership) -> dict[str, Any]:
    data = build_dataset(people, hnt)
    data["formula"] = make_deviation(
        hnt,
        people.lena,
        org("5037"),
        trust(hnt),
        "E",
        submitted="2025-03-03",
        description='=HYPERLINK("http://evil.example";"klikk")',
    )
    return data


def _csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def _xlsx(response: Any) -> list[list[str]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+47 99", "'+47 99"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Levanger", "Levanger"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_prefixes_cells_a_spreadsheet_would_run(text: str | None, safe: str) -> None:
    assert safe_cell(text) == safe


def test_the_secretariat_exports_every_submitted_deviation(
    dataset: dict[str, Any], as_person: Any, hnt: Partnership
) -> None:
    response = as_person("sara").get("/hnt/intern/avvik/eksport.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    numbers = {r[0] for r in rows[1:]}
    expected = set(
        Deviation.objects.filter(partnership=hnt)
        .exclude(status=Deviation.Status.DRAFT)
        .values_list("year", "sequence")
    )
    assert len(rows) - 1 == len(expected) == 8  # six, the 2024 one and the formula one
    assert all(n.startswith("AV-") for n in numbers)
    # The free text is there, made harmless.
    assert '\'=HYPERLINK("http://evil.example";"klikk")' in [r[15] for r in rows]
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_a_coordinator_exports_only_the_deviations_of_their_party(
    dataset: dict[str, Any], as_person: Any
) -> None:
    rows = _csv(as_person("nils").get("/hnt/intern/avvik/eksport.csv"))[1:]
    # Namsos reported #3 and received #5; Levanger's draft to Namsos is not sent.
    assert sorted(r[3] + " > " + r[4] for r in rows) == sorted(
        [
            "Namsos kommune > " + trust_name(dataset),
            trust_name(dataset) + " > Namsos kommune",
        ]
    )


def trust_name(dataset: dict[str, Any]) -> str:
    return dataset["rows"][0].receiving_organisation.name  # type: ignore[no-any-return]


def test_the_export_keeps_to_the_chosen_dates(dataset: dict[str, Any], as_person: Any) -> None:
    rows = _csv(
        as_person("sara").get("/hnt/intern/avvik/eksport.csv?start=2025-01-01&end=2025-03-31")
    )
    # 1, 2, 3 and the formula one (2025-03-03).
    assert len(rows) - 1 == 4


def test_the_workbook_opens_and_has_the_same_rows(dataset: dict[str, Any], as_person: Any) -> None:
    client = as_person("lena")
    csv_rows = _csv(client.get("/hnt/intern/avvik/eksport.csv"))
    response = client.get("/hnt/intern/avvik/eksport.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert _xlsx(response) == csv_rows
    assert len(csv_rows) > 1


def test_the_export_reads_its_rows_in_one_query(
    dataset: dict[str, Any], as_person: Any, hnt: Partnership, people: SimpleNamespace
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_person("sara")
    with CaptureQueriesContext(connection) as before:
        _csv(client.get("/hnt/intern/avvik/eksport.csv"))
    for i in range(10):
        make_deviation(
            hnt, people.lena, org("5037"), trust(hnt), "A", submitted=f"2025-08-{i + 1:02d}"
        )
    with CaptureQueriesContext(connection) as after:
        rows = _csv(client.get("/hnt/intern/avvik/eksport.csv"))
    assert len(rows) - 1 == 18
    assert len(after) == len(before)
