"""The list's filters (status, party, category, period), its "reported" date
column, and the exports of the filtered list. Bad filter input is a 400 with
the error at its field, never a server error; the query count does not grow
with the rows, filtered or not.

The data set is the statistics' (see ``test_statistics``): six deviations in
2025, a draft and one from 2024-12-31.
"""

from __future__ import annotations

import csv
import datetime
import html as html_lib
import io
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from deviations.models import Deviation, DeviationCategory
from deviations.tests.test_statistics import build_dataset, make_deviation, org, trust
from partnerships.models import Partnership

LIST = "/hnt/intern/avvik/"
CSV = "/hnt/intern/avvik/eksport.csv"


@pytest.fixture
def dataset(people: SimpleNamespace, hnt: Partnership) -> dict[str, Any]:
    return build_dataset(people, hnt)


def _category(hnt: Partnership, code: str) -> int:
    return DeviationCategory.objects.get(partnership=hnt, code=code).pk


def _listed(response: Any) -> set[str]:
    """The deviation numbers in the list's table."""
    body = response.content.decode()
    table = body[body.index("<tbody>") : body.index("</tbody>")]
    return set(re.findall(r">(AV-\d\d/\d{4})</a>", table))


def _exported(response: Any) -> set[str]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    return {row[0] for row in csv.reader(io.StringIO(body[1:]), delimiter=";")} - {"Nummer"}


def _numbers(*deviations: Deviation) -> set[str]:
    return {d.number for d in deviations}


def test_it_filters_by_party_either_way(
    dataset: dict[str, Any], as_person: Any, hnt: Partnership
) -> None:
    rows = dataset["rows"]
    namsos = org("5007").pk
    response = as_person("sara").get(LIST, {"status": "all", "party": namsos})
    assert response.status_code == 200
    # Namsos reported #3 and received #5 (Levanger's draft to Namsos is not sent).
    assert _listed(response) == _numbers(rows[2], rows[4])


def test_it_filters_by_category_and_period(
    dataset: dict[str, Any], as_person: Any, hnt: Partnership
) -> None:
    rows = dataset["rows"]
    client = as_person("sara")
    by_category = client.get(LIST, {"status": "all", "category": _category(hnt, "C")})
    assert _listed(by_category) == _numbers(rows[1], rows[2], rows[3])
    period = client.get(LIST, {"status": "all", "start": "2025-02-01", "end": "2025-04-30"})
    assert _listed(period) == _numbers(rows[1], rows[2], rows[3])
    # The filters together, and with the default status (not closed).
    both = client.get(
        LIST,
        {"party": org("5037").pk, "category": _category(hnt, "C"), "start": "2025-01-01"},
    )
    assert _listed(both) == _numbers(rows[1], rows[3])
    # #6, from Stjørdal to Levanger, is closed: shown only when asked for.
    assert rows[5].number not in _listed(client.get(LIST, {"party": org("5037").pk}))
    closed = client.get(LIST, {"status": "closed", "party": org("5037").pk})
    assert _listed(closed) == _numbers(rows[5])


def test_the_period_and_the_reported_column_are_in_local_time(
    dataset: dict[str, Any], as_person: Any, hnt: Partnership, people: SimpleNamespace
) -> None:
    late = make_deviation(hnt, people.lena, org("5037"), trust(hnt), "E", submitted="2025-03-01")
    # 00:30 on 1 January 2026 in Oslo is still 2025 in UTC.
    moment = datetime.datetime(2025, 12, 31, 23, 30, tzinfo=datetime.UTC)
    Deviation.objects.filter(pk=late.pk).update(submitted_at=moment)
    client = as_person("sara")
    response = client.get(LIST, {"status": "all", "start": "2026-01-01", "end": "2026-01-01"})
    assert _listed(response) == {late.number}
    assert '<th scope="col">Meldt</th>' in response.content.decode()
    assert '<time datetime="2026-01-01">' in response.content.decode()
    before = client.get(LIST, {"status": "all", "start": "2025-12-31", "end": "2025-12-31"})
    assert late.number not in _listed(before)


def test_the_export_links_carry_the_filter_and_export_the_same_rows(
    dataset: dict[str, Any], as_person: Any, hnt: Partnership
) -> None:
    client = as_person("sara")
    query = {"party": org("5037").pk, "category": _category(hnt, "C"), "start": "2025-01-01"}
    body = client.get(LIST, query).content.decode()
    links = [
        html_lib.unescape(link)
        for link in re.findall(r'href="(/hnt/intern/avvik/eksport\.(?:csv|xlsx)\?[^"]*)"', body)
    ]
    assert len(links) == 2
    for link in links:
        assert f"party={org('5037').pk}" in link and "start=2025-01-01" in link
        assert "status=open" in link  # the list's default, said out loud for the export
    exported = _exported(client.get(links[0]))
    assert exported == _listed(client.get(LIST, query)) == _numbers(*dataset["rows"][1:4:2])
    assert client.get(links[1]).status_code == 200


def test_an_export_without_a_filter_still_has_every_status(
    dataset: dict[str, Any], as_person: Any
) -> None:
    # The statistics page's export links carry only its dates.
    exported = _exported(as_person("sara").get(CSV, {"start": "2025-01-01", "end": "2025-06-30"}))
    assert exported == _numbers(*dataset["rows"])


def test_a_member_who_only_reports_gets_no_export_links(people: SimpleNamespace) -> None:
    # Vilde is a plain member of Verdal, which lets all members report: she
    # sees what she reported, but the exports are for those who handle.
    from conftest import log_in

    vilde = User.objects.get(email="vilde.fagleder@verdal.example")
    body = log_in(Client(), vilde).get(LIST).content.decode()
    assert "Meld avvik" in body and "eksport.csv" not in body
    coordinator = log_in(Client(), people.lena).get(LIST).content.decode()
    assert "eksport.csv" in coordinator


@pytest.mark.parametrize(
    "query",
    [
        "party=abc",
        "party=99999999999999999999",
        "category=-1",
        "status=nonsense",
        "role=everything",
        "start=2026-13-45",
        "start=0001-01-01",
        "end=9999-12-31",
        "start=2025-06-01&end=2025-01-01",
    ],
)
def test_bad_filter_input_is_a_field_error_never_a_server_error(
    dataset: dict[str, Any], as_person: Any, query: str
) -> None:
    client = as_person("sara")
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="ds-error-summary"' in body
    assert 'aria-invalid="true"' in body
    assert "eksport.csv" not in body  # no export of a filter that is not valid
    export = client.get(f"{CSV}?{query}")
    assert export.status_code == 400
    assert export["Content-Type"].startswith("text/plain")


def test_a_filter_value_that_is_not_valid_is_kept_in_the_form(
    dataset: dict[str, Any], as_person: Any
) -> None:
    body = as_person("sara").get(f"{LIST}?start=2025-02-30").content.decode()
    assert 'value="2025-02-30"' in body


def test_the_filtered_list_pins_its_query_count(
    dataset: dict[str, Any], as_person: Any, hnt: Partnership, people: SimpleNamespace
) -> None:
    client = as_person("sara")
    url = (
        f"{LIST}?status=all&party={org('5037').pk}&category={_category(hnt, 'A')}"
        "&start=2025-01-01&end=2025-12-31&overdue=on"
    )

    def grow(days: range) -> None:
        for day in days:
            make_deviation(
                hnt,
                people.lena,
                org("5037"),
                trust(hnt),
                "A",
                submitted=f"2025-08-{day:02d}",
                deadline="2025-08-31",
            )

    grow(range(1, 2))  # one row: an empty page would save the page's query
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    grow(range(2, 9))
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert len(_listed(response)) == 8  # all open and overdue
    # The base 9 (see test_statistics_queries), whether her organisation lets
    # members report, the filter's parties and categories (read once, for
    # the form and to check the values given), the count and one page.
    assert len(before) == len(after) == 9 + 5, [q["sql"] for q in after.captured_queries]
