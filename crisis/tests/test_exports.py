"""The crisis exports: for crisis viewers only, submitted values only, safe
against formula injection, DHIS2 periods in DHIS2's notation, and a query
count that does not grow with the rows."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from conftest import log_in
from core.spreadsheets import safe_cell
from crisis import services
from crisis.catalogue import ensure_covid_form
from crisis.exports import dhis2_period
from crisis.models import (
    Crisis,
    FormIndicator,
    Indicator,
    Report,
    ReportForm,
    Value,
)
from crisis.tests.conftest import (
    frosta,
    hf,
    hnt,
    hospital_values,
    kommune_values,
    levanger,
    make_crisis,
    namsos,
    period,
)
from partnerships.models import Membership, Organisation


def csv_url(crisis: Crisis, query: str = "") -> str:
    return f"/hnt/intern/krise/{crisis.pk}/eksport.csv{query}"


def dhis2_url(crisis: Crisis, query: str = "") -> str:
    return f"/hnt/intern/krise/{crisis.pk}/dhis2.json{query}"


def read_csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def read_dhis2(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(b"".join(response.streaming_content).decode("utf-8"))
    assert set(data) == {"dataValues"}
    return data["dataValues"]  # type: ignore[no-any-return]


@pytest.fixture
def crisis(people: Any) -> Crisis:
    """A crisis with Levanger's and the hospital's reports submitted and
    Namsos's a draft. Levanger's texts try to be formulas."""
    made = make_crisis(people.sara)
    start = period(made)
    services.save_report(
        made,
        levanger(),
        start,
        kommune_values(
            smittetall="600",
            utfordringer='=HYPERLINK("http://evil.example";"klikk")',
            behov="+47 99 99 99 99",
        ),
        {"smittetall": "-utbrudd på sykehjem"},
        by=people.lena,
        submit=True,
    )
    services.save_report(made, hf(), start, hospital_values(), by=people.hanne, submit=True)
    services.save_report(
        made, namsos(), start, kommune_values(smittetall="11"), by=people.nils, submit=False
    )
    return made


# --- Cells and periods ------------------------------------------------------------


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
        ("1,5", "1,5"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_prefixes_cells_a_spreadsheet_would_run(text: str | None, safe: str) -> None:
    assert safe_cell(text) == safe


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2020, 3, 16), "2020W12"),
        (datetime.date(2020, 1, 6), "2020W2"),
        # ISO weeks: the last week of 2020 is week 53, and the week that
        # starts on 30 December 2019 is the first of 2020.
        (datetime.date(2020, 12, 28), "2020W53"),
        (datetime.date(2021, 1, 4), "2021W1"),
        (datetime.date(2019, 12, 30), "2020W1"),
        (datetime.date(2021, 12, 27), "2021W52"),
    ],
)
def test_weekly_periods_are_iso_weeks(day: datetime.date, expected: str) -> None:
    assert dhis2_period(ReportForm.PeriodType.WEEKLY, day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2020, 3, 16), "20200316"),
        (datetime.date(2020, 12, 31), "20201231"),
        (datetime.date(2021, 1, 1), "20210101"),
    ],
)
def test_daily_periods_are_days(day: datetime.date, expected: str) -> None:
    assert dhis2_period(ReportForm.PeriodType.DAILY, day) == expected


# --- Who may export ---------------------------------------------------------------


def test_export_permission_matrix(crisis: Crisis, as_person: Any, people: Any) -> None:
    member = User.objects.create_user(
        email="mia.sykepleier@levanger.example", password="x", full_name="Mia Sykepleier"
    )
    Membership.objects.create(
        user=member,
        organisation=levanger(),
        role=Membership.Role.MEMBER,
        valid_from=timezone.localdate() - datetime.timedelta(days=30),
    )
    expected = {
        "sara": 200,
        "ada": 200,
        "lena": 200,
        "nils": 200,
        "hanne": 200,
        "stine": 200,  # Statsforvalteren reads the picture, exports included
        "siri": 200,
        "tor": 404,
        "petter": 404,
        "otto": 404,
    }
    for url in (csv_url(crisis), dhis2_url(crisis)):
        got = {key: as_person(key).get(url).status_code for key in expected}
        assert got == expected, url
        assert Client().get(url).status_code == 302  # to the log-in page
        assert log_in(Client(), member).get(url).status_code == 403
    assert as_person("sara").get("/hnt/intern/krise/999999/eksport.csv").status_code == 404


def test_a_crisis_of_another_partnership_is_not_found(as_person: Any, people: Any) -> None:
    from partnerships.models import Partnership

    stolav = Partnership.objects.get(slug="stolav")
    other = services.open_crisis(
        stolav,
        name="St. Olav",
        form=ensure_covid_form(stolav),
        starts_on=timezone.localdate(),
        by=people.petter,
    )
    assert as_person("sara").get(csv_url(other)).status_code == 404
    assert as_person("sara").get(dhis2_url(other)).status_code == 404


# --- CSV ----------------------------------------------------------------------------


def test_the_csv_has_one_row_per_submitted_value(crisis: Crisis, as_person: Any) -> None:
    rows = read_csv(as_person("sara").get(csv_url(crisis)))
    header, body = rows[0], rows[1:]
    assert len(header) == 13
    levanger_values = len(kommune_values(utfordringer="x", behov="x"))
    assert len(body) == levanger_values + len(hospital_values())
    parties = {r[1] for r in body}
    assert parties == {levanger().name, hf().name}  # Namsos's draft is not exported
    assert {r[0] for r in body} == {period(crisis).isoformat()}
    mask = next(r for r in body if r[1] == levanger().name and r[6] == "munnbind")
    assert mask[2:10] == [
        levanger().organisation_number,
        "5037",
        "smittevernutstyr",
        "Smittevernutstyr på lager",
        "munnbind",
        "Munnbind",
        "80",
        "dager",
    ]
    # The form's order: smittetall first, the equipment items in their order.
    levanger_rows = [r for r in body if r[1] == levanger().name]
    assert levanger_rows[0][4] == "smittetall"
    items = [r[6] for r in levanger_rows if r[4] == "smittevernutstyr"]
    assert items == ["hansker", "munnbind", "frakker", "oyebeskyttelse", "andedrettsvern"]
    staff = next(r for r in levanger_rows if r[4] == "personell")
    assert staff[8] == "god"


def test_the_csv_is_safe_against_formula_injection(crisis: Crisis, as_person: Any) -> None:
    body = read_csv(as_person("sara").get(csv_url(crisis)))[1:]
    by_code = {r[4]: r for r in body if r[1] == levanger().name}
    assert by_code["utfordringer"][8] == '\'=HYPERLINK("http://evil.example";"klikk")'
    assert by_code["behov"][8] == "'+47 99 99 99 99"
    assert by_code["smittetall"][10] == "'-utbrudd på sykehjem"
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in body for cell in r)


def test_decimals_have_a_comma_in_the_csv(people: Any, as_person: Any) -> None:
    crisis = make_crisis(people.sara)
    services.save_report(
        crisis, levanger(), period(crisis), kommune_values(vaksinasjon="72.5"), by=None, submit=True
    )
    body = read_csv(as_person("sara").get(csv_url(crisis)))[1:]
    assert next(r for r in body if r[4] == "vaksinasjon")[8] == "72,5"


def test_the_export_keeps_to_the_chosen_periods(crisis: Crisis, as_person: Any) -> None:
    start = period(crisis)
    earlier = start - datetime.timedelta(weeks=1)
    services.save_report(crisis, frosta(), earlier, kommune_values(), by=None, submit=True)
    client = as_person("stine")

    def periods_in(query: str) -> set[str]:
        return {r[0] for r in read_csv(client.get(csv_url(crisis, query)))[1:]}

    assert periods_in("") == {earlier.isoformat(), start.isoformat()}
    # ``from`` counts from the start of its period.
    midweek = (earlier + datetime.timedelta(days=3)).isoformat()
    assert periods_in(f"?from={midweek}") == {earlier.isoformat(), start.isoformat()}
    assert periods_in(f"?from={start.isoformat()}") == {start.isoformat()}
    assert periods_in(f"?to={(start - datetime.timedelta(days=1)).isoformat()}") == {
        earlier.isoformat()
    }
    assert client.get(csv_url(crisis, "?from=igår")).status_code == 400
    assert client.get(dhis2_url(crisis, "?to=2020-13-01")).status_code == 400


# --- DHIS2 --------------------------------------------------------------------------


def test_dhis2_has_one_data_value_per_submitted_value(crisis: Crisis, as_person: Any) -> None:
    rows = read_dhis2(as_person("sara").get(dhis2_url(crisis)))
    year, week, _day = period(crisis).isocalendar()
    assert {r["period"] for r in rows} == {f"{year}W{week}"}
    hospital = hf()
    org_units = {r["orgUnit"] for r in rows}
    assert org_units == {"5037", hospital.municipality_number or hospital.organisation_number}
    levanger_rows = [r for r in rows if r["orgUnit"] == "5037"]
    assert len(levanger_rows) == len(kommune_values(utfordringer="x", behov="x"))
    first = levanger_rows[0]
    assert first == {
        "dataElement": "smittetall",
        "period": f"{year}W{week}",
        "orgUnit": "5037",
        "value": "600",
        "comment": "-utbrudd på sykehjem",
    }
    mask = next(r for r in levanger_rows if r.get("categoryOptionCombo") == "munnbind")
    assert (mask["dataElement"], mask["value"]) == ("smittevernutstyr", "80")
    assert "comment" not in mask
    by_element = {r["dataElement"]: r for r in levanger_rows if "categoryOptionCombo" not in r}
    assert by_element["personell"]["value"] == "1"
    assert by_element["overbelastning"]["value"] == "false"
    # Text values go as values (as they are: a JSON string is no formula).
    assert by_element["utfordringer"]["value"] == '=HYPERLINK("http://evil.example";"klikk")'


def test_dhis2_periods_across_the_turn_of_the_year(people: Any, as_person: Any) -> None:
    """Reports for the weeks around New Year 2021 (stored directly: those
    periods are long locked) come out as 2020W52, 2020W53 and 2021W1."""
    crisis = make_crisis(people.sara)
    smittetall = Indicator.objects.get(partnership=hnt(), code="smittetall")
    for day in ("2020-12-21", "2020-12-28", "2021-01-04"):
        report = Report.objects.create(
            crisis=crisis,
            organisation=levanger(),
            period_start=datetime.date.fromisoformat(day),
            status=Report.Status.SUBMITTED,
        )
        Value.objects.create(report=report, indicator=smittetall, number=Decimal("12"))
    rows = read_dhis2(as_person("sara").get(dhis2_url(crisis)))
    assert [r["period"] for r in rows] == ["2020W52", "2020W53", "2021W1"]


def test_a_daily_form_gives_daily_periods(people: Any, as_person: Any) -> None:
    ensure_covid_form(hnt())  # the indicators
    form = ReportForm.objects.create(
        partnership=hnt(), code="daglig", name="Daglig", period_type=ReportForm.PeriodType.DAILY
    )
    FormIndicator.objects.create(
        form=form, indicator=Indicator.objects.get(partnership=hnt(), code="smittetall")
    )
    crisis = services.open_crisis(
        hnt(),
        name="Daglig",
        form=form,
        starts_on=timezone.localdate() - datetime.timedelta(days=3),
        by=people.sara,
    )
    day = period(crisis)
    services.save_report(crisis, levanger(), day, {"smittetall": "5"}, by=None, submit=True)
    rows = read_dhis2(as_person("sara").get(dhis2_url(crisis)))
    assert rows == [
        {
            "dataElement": "smittetall",
            "period": day.strftime("%Y%m%d"),
            "orgUnit": "5037",
            "value": "5",
        }
    ]


# --- Queries ----------------------------------------------------------------------


def _grow(crisis: Crisis, weeks: int) -> None:
    """``weeks`` more submitted weeks for every kommune in the crisis,
    stored directly (the periods are in the past)."""
    lines = services.form_lines(crisis.form)
    parties = [p for p in services.parties_of(crisis) if p.kind == Organisation.Kind.KOMMUNE]
    values = kommune_values()
    for n in range(1, weeks + 1):
        start = period(crisis) - datetime.timedelta(weeks=n + 1)
        for party in parties:
            report = Report.objects.create(
                crisis=crisis,
                organisation=party,
                period_start=start,
                status=Report.Status.SUBMITTED,
                submitted_at=timezone.now(),
            )
            checked = services.check(crisis.form, party, values, {}, complete=True, lines=lines)
            Value.objects.bulk_create(
                Value(report=report, indicator_id=i, item=item, number=v[0], text=v[1])
                for (i, item), v in checked.values.items()
            )


def test_the_exports_read_their_rows_in_constant_queries(crisis: Crisis, as_person: Any) -> None:
    client = as_person("sara")
    with CaptureQueriesContext(connection) as csv_before:
        small = len(read_csv(client.get(csv_url(crisis)))) - 1
    with CaptureQueriesContext(connection) as dhis2_before:
        read_dhis2(client.get(dhis2_url(crisis)))
    _grow(crisis, weeks=3)
    with CaptureQueriesContext(connection) as csv_after:
        large = len(read_csv(client.get(csv_url(crisis)))) - 1
    with CaptureQueriesContext(connection) as dhis2_after:
        read_dhis2(client.get(dhis2_url(crisis)))
    assert large > small + 500
    assert len(csv_after) == len(csv_before)
    assert len(dhis2_after) == len(dhis2_before)
    # Of them, the export's own: the crisis, the form's lines, the values.
    export_queries = [q["sql"] for q in csv_after.captured_queries if "crisis_" in q["sql"]]
    assert len(export_queries) == 3
