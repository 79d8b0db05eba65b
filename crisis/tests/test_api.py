"""The crisis API: only organisation tokens open it, a token acts for its
party in its partnership, reports are validated exactly as the form
validates them and are idempotent with a client key."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crisis import periods, services
from crisis.models import Crisis, Report, ReportRevision, Value
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
from deviations import tokens
from deviations.models import OrganisationToken
from partnerships.access import PartnershipAccess
from partnerships.models import Organisation, Partnership, Region

FNR = "15078810022"  # a valid fødselsnummer (core/tests/test_identity_numbers.py)
URL = "/api/crisis"


# --- Helpers --------------------------------------------------------------------------


def make_token(people: Any, organisation: Organisation, *, slug: str = "hnt") -> str:
    """A token issued by the partnership's secretariat (sara, petter)."""
    where = Partnership.objects.get(slug=slug)
    issuer = people.sara if slug == "hnt" else people.petter
    access = PartnershipAccess.for_user(where, issuer)
    _row, token = tokens.issue_token(access, organisation, name="Fagsystem", by=issuer)
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def body(crisis: Crisis, values: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "period": period(crisis).isoformat(),
        "client_key": str(uuid.uuid4()),
        "values": kommune_values() if values is None else values,
        **extra,
    }


def post(client: Client, crisis: Crisis, data: dict[str, Any], token: str | None) -> Any:
    return client.post(
        f"{URL}/{crisis.pk}/reports",
        data,
        content_type="application/json",
        headers=bearer(token) if token else {},
    )


def get(client: Client, url: str, token: str | None) -> Any:
    return client.get(url, headers=bearer(token) if token else {})


@pytest.fixture
def setup(people: Any) -> dict[str, Any]:
    """A Covid-19 crisis in HNT three weeks old, and tokens of every kind
    of caller."""
    crisis = make_crisis(people.sara)
    stjordal = Organisation.objects.get(municipality_number="5035")
    trondheim = Organisation.objects.get(municipality_number="5001")
    revoked = make_token(people, levanger())
    tokens.revoke_token(OrganisationToken.objects.get(token_hash=tokens.hash_token(revoked)))
    return {
        "crisis": crisis,
        "tokens": {
            "levanger": make_token(people, levanger()),
            "namsos": make_token(people, namsos()),
            "hf": make_token(people, hf()),
            "other_partnership": make_token(people, trondheim, slug="stolav"),
            # Stjørdal is a party of both partnerships; this token is St. Olavs'.
            "same_party_other_partnership": make_token(people, stjordal, slug="stolav"),
            "revoked": revoked,
        },
    }


CALLERS = [
    "levanger",
    "namsos",
    "other_partnership",
    "same_party_other_partnership",
    "revoked",
    "none",
    "session",
    "wrong",
]
UNAUTHORIZED = {"revoked": 401, "none": 401, "session": 401, "wrong": 401}


def call(
    as_person: Any, setup: dict[str, Any], caller: str, method: str, url: str, data: Any = None
) -> Any:
    client: Client = as_person("lena" if caller == "session" else None)
    token = setup["tokens"].get(caller)
    if caller == "wrong":
        token = "not-a-token"
    if method == "GET":
        return get(client, url, token)
    return client.post(
        url, data, content_type="application/json", headers=bearer(token) if token else {}
    )


# --- Permission matrix ---------------------------------------------------------------


def test_reading_permission_matrix(as_person: Any, setup: dict[str, Any]) -> None:
    crisis = setup["crisis"]
    services.save_report(crisis, levanger(), period(crisis), kommune_values(), by=None, submit=True)
    start = period(crisis).isoformat()
    urls = {
        "list": URL,
        "report": f"{URL}/{crisis.pk}/reports/{start}",
        "dashboard": f"{URL}/{crisis.pk}/dashboard",
        "dhis2": f"{URL}/{crisis.pk}/dhis2",
    }
    got = {
        name: {c: call(as_person, setup, c, "GET", url).status_code for c in CALLERS}
        for name, url in urls.items()
    }
    assert got == {
        # Every token lists the crises of its own partnership (below: only those).
        "list": {
            "levanger": 200,
            "namsos": 200,
            "other_partnership": 200,
            "same_party_other_partnership": 200,
            **UNAUTHORIZED,
        },
        # A party reads its own report only: Namsos has none for the period.
        "report": {
            "levanger": 200,
            "namsos": 404,
            "other_partnership": 404,
            "same_party_other_partnership": 404,
            **UNAUTHORIZED,
        },
        "dashboard": {
            "levanger": 200,
            "namsos": 200,
            "other_partnership": 404,
            "same_party_other_partnership": 404,
            **UNAUTHORIZED,
        },
        "dhis2": {
            "levanger": 200,
            "namsos": 200,
            "other_partnership": 404,
            "same_party_other_partnership": 404,
            **UNAUTHORIZED,
        },
    }
    assert get(Client(), f"{URL}/999999/dashboard", setup["tokens"]["levanger"]).status_code == 404
    listed = {
        caller: [row["id"] for row in get(Client(), URL, setup["tokens"][caller]).json()]
        for caller in ("levanger", "other_partnership", "same_party_other_partnership")
    }
    hnt_crises = set(Crisis.objects.filter(partnership__slug="hnt").values_list("pk", flat=True))
    assert crisis.pk in listed["levanger"] and set(listed["levanger"]) <= hnt_crises
    elsewhere = listed["other_partnership"] + listed["same_party_other_partnership"]
    assert not hnt_crises & set(elsewhere)


def test_reporting_permission_matrix(as_person: Any, setup: dict[str, Any]) -> None:
    crisis = setup["crisis"]
    url = f"{URL}/{crisis.pk}/reports"
    got = {c: call(as_person, setup, c, "POST", url, body(crisis)).status_code for c in CALLERS}
    assert got == {
        "levanger": 201,
        "namsos": 201,
        "other_partnership": 404,
        "same_party_other_partnership": 404,
        **UNAUTHORIZED,
    }
    made = Report.objects.filter(crisis=crisis)
    assert {r.organisation for r in made} == {levanger(), namsos()}
    assert all(r.submitted_by is None and r.status == Report.Status.SUBMITTED for r in made)


def test_the_list_shows_the_crises_the_party_reports_in(
    as_person: Any, setup: dict[str, Any], people: Any
) -> None:
    crisis = setup["crisis"]
    outbreak = make_crisis(people.sara, weeks_ago=1, name="Utbrudd Frosta (test)")
    outbreak.regions.set(Region.objects.filter(partnership=hnt(), name__contains="Værnes"))
    frosta_token = make_token(people, frosta())

    mine = {crisis.pk, outbreak.pk}

    def listed(token: str) -> dict[str, dict[str, Any]]:
        """The test's crises in the answer (the demo's own, stood down, aside)."""
        response = get(Client(), URL, token)
        assert response.status_code == 200
        return {c["name"]: c for c in response.json() if c["id"] in mine}

    levanger_sees = listed(setup["tokens"]["levanger"])
    assert set(levanger_sees) == {crisis.name}
    assert set(listed(frosta_token)) == {crisis.name, outbreak.name}
    assert set(listed(setup["tokens"]["hf"])) == {crisis.name, outbreak.name}
    assert listed(setup["tokens"]["other_partnership"]) == {}

    shown = levanger_sees[crisis.name]
    start = period(crisis)
    assert shown["id"] == crisis.pk
    assert shown["status"] == "active"
    assert shown["form"] == "covid-19-ukerapport"
    assert shown["period_type"] == "weekly"
    assert shown["reporting_period"] == start.isoformat()
    deadline = periods.deadline(crisis.form, levanger(), start)
    assert datetime.datetime.fromisoformat(shown["deadline"]) == deadline
    assert shown["report_status"] is None
    keys = {v["key"]: v for v in shown["values"]}
    assert keys["smittevernutstyr:munnbind"] == {
        "key": "smittevernutstyr:munnbind",
        "indicator": "smittevernutstyr",
        "item": "munnbind",
        "name": "Smittevernutstyr på lager",
        "item_name": "Munnbind",
        "section": "Smittevernutstyr",
        "value_type": "integer",
        "unit": "dager",
        "required": True,
        "min_value": 0.0,
        "max_value": 3650.0,
        "choices": [],
        "on_dashboard": True,
    }
    assert keys["personell"]["choices"] == ["god", "utfordrende", "kritisk"]
    assert keys["vaksinasjon"]["required"] is False
    # What a kommune fills, not what the hospital fills, and the other way round.
    assert "smitte-institusjon" in keys and "innlagte" not in keys
    hospital_keys = {v["key"] for v in listed(setup["tokens"]["hf"])[crisis.name]["values"]}
    assert "innlagte" in hospital_keys and "smitte-institusjon" not in hospital_keys
    # The keys are exactly those the form validates.
    assert set(keys) == {
        key
        for line in services.lines_for(crisis.form, levanger())
        for key, _ in services.keys_of(line)
    }

    services.save_report(crisis, levanger(), start, kommune_values(), by=None, submit=False)
    shown = listed(setup["tokens"]["levanger"])[crisis.name]
    assert (shown["report_status"], shown["report_version"]) == ("draft", 1)


def test_the_list_keeps_its_query_count_with_more_crises(
    setup: dict[str, Any], people: Any
) -> None:
    token = setup["tokens"]["levanger"]
    get(Client(), URL, token)  # the token's use of the day recorded
    with CaptureQueriesContext(connection) as one:
        # The test's crisis; the demo's crises are stood down.
        assert len([c for c in get(Client(), URL, token).json() if c["status"] == "active"]) == 1
    for n in range(3):
        make_crisis(people.sara, weeks_ago=n + 1, name=f"Krise {n}")
    with CaptureQueriesContext(connection) as four:
        assert len([c for c in get(Client(), URL, token).json() if c["status"] == "active"]) == 4
    # token, crises, their regions, the party's participations, form lines, own reports
    assert len(four) == len(one) == 6


# --- Reporting ----------------------------------------------------------------------


def test_a_report_is_stored_as_the_form_would_store_it(setup: dict[str, Any]) -> None:
    crisis = setup["crisis"]
    data = body(
        crisis,
        kommune_values(
            smittetall=600,  # over the soft limit of 500: needs a comment
            personell="utfordrende",
            overbelastning=False,
            utfordringer="Mange ansatte i karantene.",
        ),
        comments={"smittetall": "Utbrudd på et sykehjem.", "personell": "  "},
    )
    response = post(Client(), crisis, data, setup["tokens"]["levanger"])
    assert response.status_code == 201, response.json()
    report = Report.objects.get(crisis=crisis, organisation=levanger())
    shown = response.json()
    assert shown["status"] == "submitted" == report.status
    assert shown["version"] == report.version == 1
    assert shown["computed_level"] == report.computed_level == 2
    assert shown["level"] == 2 and shown["declared_level"] is None
    assert shown["rule_version"] == report.rule_version
    assert shown["period"] == period(crisis).isoformat()
    assert shown["organisation"]["municipality_number"] == "5037"
    assert shown["values"]["smittetall"] == "600"
    assert shown["values"]["personell"] == "utfordrende"
    assert shown["values"]["overbelastning"] == "nei"
    assert shown["comments"] == {"smittetall": "Utbrudd på et sykehjem."}
    assert str(report.client_key) == data["client_key"]
    assert ReportRevision.objects.filter(report=report).count() == 1
    # The same as the form's service reads it back.
    raw, comments = services.values_by_key(report)
    assert (raw, comments) == (shown["values"], shown["comments"])


def test_a_draft_is_saved_without_required_values(setup: dict[str, Any]) -> None:
    crisis = setup["crisis"]
    token = setup["tokens"]["levanger"]
    response = post(Client(), crisis, body(crisis, {"smittetall": "3"}, submit=False), token)
    assert response.status_code == 201
    assert response.json()["status"] == "draft"
    report = Report.objects.get(crisis=crisis, organisation=levanger())
    assert report.status == Report.Status.DRAFT
    # Read back by period; another party does not see it.
    url = f"{URL}/{crisis.pk}/reports/{period(crisis).isoformat()}"
    assert get(Client(), url, token).json()["values"] == {"smittetall": "3"}
    assert get(Client(), url, setup["tokens"]["namsos"]).status_code == 404


def test_the_same_client_key_twice_makes_one_report(setup: dict[str, Any]) -> None:
    crisis = setup["crisis"]
    token = setup["tokens"]["levanger"]
    data = body(crisis)
    first = post(Client(), crisis, data, token)
    second = post(Client(), crisis, data, token)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    report = Report.objects.get(crisis=crisis, organisation=levanger())
    assert report.version == 1
    assert ReportRevision.objects.filter(report=report).count() == 1
    # Even a retry with other values returns the report as it was.
    changed = {**data, "values": kommune_values(smittetall="9")}
    third = post(Client(), crisis, changed, token)
    assert third.status_code == 200
    assert third.json()["values"]["smittetall"] == "4"


def test_a_late_retry_of_an_earlier_submit_is_a_repeat(setup: dict[str, Any]) -> None:
    crisis = setup["crisis"]
    token = setup["tokens"]["levanger"]
    first = body(crisis)
    assert post(Client(), crisis, first, token).status_code == 201
    second = body(crisis, kommune_values(smittetall="9"))
    assert post(Client(), crisis, second, token).status_code == 201
    late = post(Client(), crisis, first, token)
    assert late.status_code == 200
    assert late.json()["values"]["smittetall"] == "9"
    report = Report.objects.get(crisis=crisis, organisation=levanger())
    assert ReportRevision.objects.filter(report=report).count() == 2


def test_another_partys_client_key_is_refused_without_showing_its_report(
    setup: dict[str, Any],
) -> None:
    crisis = setup["crisis"]
    data = body(crisis)
    assert post(Client(), crisis, data, setup["tokens"]["levanger"]).status_code == 201
    response = post(Client(), crisis, data, setup["tokens"]["namsos"])
    assert response.status_code == 400
    assert "values" not in response.json()
    assert not Report.objects.filter(crisis=crisis, organisation=namsos()).exists()


def test_the_client_key_is_required(setup: dict[str, Any]) -> None:
    crisis = setup["crisis"]
    data = body(crisis)
    del data["client_key"]
    response = post(Client(), crisis, data, setup["tokens"]["levanger"])
    assert response.status_code == 422
    assert not Report.objects.filter(crisis=crisis).exists()


# --- Validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "comments", "keys"),
    [
        (kommune_values(smittetall="mange"), {}, {"smittetall"}),
        (kommune_values(smittetall=-1), {}, {"smittetall"}),
        (kommune_values(smittetall=2.5), {}, {"smittetall"}),
        (kommune_values(personell="middels"), {}, {"personell"}),
        (kommune_values(overbelastning="kanskje"), {}, {"overbelastning"}),
        # Occupied beyond capacity: the cross-field rule.
        (kommune_values(**{"belegg:kad": 9}), {}, {"belegg:kad"}),
        # An unusual value without a comment, when submitting.
        (kommune_values(smittetall=600), {}, {"smittetall"}),
        # A required value missing; a key the form does not have.
        ({k: v for k, v in kommune_values().items() if k != "personell"}, {}, {"personell"}),
        (kommune_values(innlagte=3), {}, {"innlagte"}),
        (kommune_values(utfordringer=f"Pasient {FNR} er smittet."), {}, {"utfordringer"}),
        (kommune_values(), {"smittetall": f"Gjelder {FNR}"}, {"smittetall"}),
    ],
)
def test_invalid_values_are_refused_as_the_form_refuses_them(
    setup: dict[str, Any], values: dict[str, Any], comments: dict[str, str], keys: set[str]
) -> None:
    crisis = setup["crisis"]
    response = post(
        Client(), crisis, body(crisis, values, comments=comments), setup["tokens"]["levanger"]
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == keys
    assert all(
        messages and all(isinstance(m, str) for m in messages) for messages in errors.values()
    )
    # The form's check gives the same keys for the same input.
    checked = services.check(
        crisis.form,
        levanger(),
        {k: v if isinstance(v, str) else str(v) for k, v in values.items()},
        comments,
        complete=True,
    )
    assert set(checked.errors) == keys
    assert not Report.objects.filter(crisis=crisis).exists()
    assert not Value.objects.filter(report__crisis=crisis).exists()


@pytest.mark.parametrize("where", ["value", "comment", "key"])
def test_an_identity_number_is_refused_never_echoed_and_not_stored(
    setup: dict[str, Any], where: str
) -> None:
    crisis = setup["crisis"]
    values = kommune_values()
    comments: dict[str, str] = {}
    if where == "value":
        values["behov"] = f"Pasient {FNR} trenger plass."
    elif where == "comment":
        comments["smittetall"] = f"Pasient {FNR}"
    else:
        values[FNR] = "1"
    response = post(
        Client(), crisis, body(crisis, values, comments=comments), setup["tokens"]["levanger"]
    )
    assert response.status_code == 422
    assert FNR not in response.content.decode()
    assert response.json()["errors"]
    assert not Report.objects.filter(crisis=crisis).exists()


def test_a_stale_version_is_a_conflict(setup: dict[str, Any]) -> None:
    crisis = setup["crisis"]
    token = setup["tokens"]["levanger"]
    assert post(Client(), crisis, body(crisis, version=0), token).status_code == 201
    # Someone else changed it on the web in the meantime.
    services.save_report(
        crisis, levanger(), period(crisis), kommune_values(smittetall="7"), by=None, submit=True
    )
    response = post(
        Client(), crisis, body(crisis, kommune_values(smittetall="8"), version=1), token
    )
    assert response.status_code == 409
    assert response.json()["version"] == 2
    report = Report.objects.get(crisis=crisis, organisation=levanger())
    assert services.values_by_key(report)[0]["smittetall"] == "7"
    # With the current version it goes through; without any version too.
    response = post(
        Client(), crisis, body(crisis, kommune_values(smittetall="8"), version=2), token
    )
    assert (response.status_code, response.json()["version"]) == (201, 3)
    assert post(Client(), crisis, body(crisis), token).status_code == 201
    # A new report read as existing is a conflict as well.
    other = body(crisis, version=4)
    assert post(Client(), crisis, other, setup["tokens"]["namsos"]).status_code == 409
    assert not Report.objects.filter(crisis=crisis, organisation=namsos()).exists()


def test_rules_of_the_crisis_are_refused_with_400(setup: dict[str, Any], people: Any) -> None:
    crisis = setup["crisis"]
    token = setup["tokens"]["levanger"]
    start = period(crisis)

    def status(data: dict[str, Any], where: Crisis = crisis) -> int:
        response = post(Client(), where, data, token)
        if response.status_code == 400:
            assert response.json()["detail"]
        return int(response.status_code)

    # No such period: not a Monday, before the first, after the running one.
    assert status(body(crisis, period=(start + datetime.timedelta(days=1)).isoformat())) == 400
    assert status(body(crisis, period=(start - datetime.timedelta(weeks=9)).isoformat())) == 400
    assert status(body(crisis, period=(start + datetime.timedelta(weeks=9)).isoformat())) == 400
    # A submitted report cannot go back to a draft.
    assert status(body(crisis)) == 201
    assert status(body(crisis, submit=False)) == 400
    # A period long past its lock.
    old = make_crisis(people.sara, weeks_ago=8, name="Gammel")
    first = periods.align(old.form, old.starts_on)
    assert status(body(old, period=first.isoformat()), old) == 400
    # A kommune outside the regions of a regional crisis.
    outbreak = make_crisis(people.sara, weeks_ago=1, name="Utbrudd Frosta (test)")
    outbreak.regions.set(Region.objects.filter(partnership=hnt(), name__contains="Værnes"))
    assert status(body(outbreak), outbreak) == 400
    # A crisis stood down.
    services.stand_down(crisis, by=people.sara)
    assert status(body(crisis)) == 400
    assert (
        Report.objects.filter(crisis__in=[crisis, outbreak], organisation=levanger()).count() == 1
    )


def test_the_hospital_reports_its_own_values(setup: dict[str, Any]) -> None:
    crisis = setup["crisis"]
    response = post(Client(), crisis, body(crisis, hospital_values()), setup["tokens"]["hf"])
    assert response.status_code == 201
    assert response.json()["values"]["innlagte"] == "3"


# --- Dashboard and DHIS2 -------------------------------------------------------------


def _dashboard(setup: dict[str, Any], query: str = "") -> Any:
    crisis = setup["crisis"]
    return get(Client(), f"{URL}/{crisis.pk}/dashboard{query}", setup["tokens"]["namsos"])


def test_the_dashboard_shows_the_submitted_reports_at_once(
    setup: dict[str, Any], people: Any
) -> None:
    crisis = setup["crisis"]
    start = period(crisis)
    before = _dashboard(setup).json()
    assert before["submitted"] == 0 and before["partnership_level"]["level"] is None
    post(Client(), crisis, body(crisis), setup["tokens"]["levanger"])
    worse = kommune_values(**{"smittevernutstyr:munnbind": "20"})  # under 21 days: level 3
    post(Client(), crisis, body(crisis, worse), setup["tokens"]["namsos"])
    # A draft does not count.
    services.save_report(crisis, frosta(), start, {"smittetall": "2"}, by=None, submit=False)

    data = _dashboard(setup).json()
    parties = {p["name"]: p for p in data["parties"]}
    expected = services.parties_of(crisis)
    assert data["period"] == start.isoformat()
    assert data["expected"] == len(expected) == len(parties)
    assert data["submitted"] == 2
    assert data["share"] == pytest.approx(2 / len(expected))
    assert parties[levanger().name]["submitted"] is True
    assert parties[levanger().name]["level"] == 1
    assert parties[namsos().name]["computed_level"] == 3
    assert parties[namsos().name]["values"]["smittevernutstyr:munnbind"] == "20"
    assert parties[namsos().name]["region"] == "Midtre Namdal"
    # Only the key indicators (kapasitet is not one).
    assert "kapasitet:kad" not in parties[namsos().name]["values"]
    assert parties[frosta().name]["submitted"] is False
    assert parties[frosta().name]["values"] == {}
    missing = {p["name"] for p in data["missing"]}
    assert levanger().name not in missing and frosta().name in missing
    assert len(missing) == len(expected) - 2
    assert data["partnership_level"] == {
        "computed": 3,
        "declared": None,
        "declared_reason": "",
        "level": 3,
    }
    services.declare_partnership_level(
        crisis, start, level=4, reason="Mangel på munnbind i hele regionen.", by=people.sara
    )
    level = _dashboard(setup).json()["partnership_level"]
    assert (level["computed"], level["declared"], level["level"]) == (3, 4, 4)


def test_the_dashboard_takes_a_day_of_a_period(setup: dict[str, Any]) -> None:
    crisis = setup["crisis"]
    start = period(crisis)
    earlier = start - datetime.timedelta(weeks=1)
    response = _dashboard(setup, f"?period={(earlier + datetime.timedelta(days=3)).isoformat()}")
    assert response.status_code == 200
    assert response.json()["period"] == earlier.isoformat()
    assert _dashboard(setup, "?period=2000-01-03").status_code == 400
    assert _dashboard(setup, "?period=nonsense").status_code == 422


def test_the_dashboards_query_count_is_constant_in_parties(setup: dict[str, Any]) -> None:
    crisis = setup["crisis"]
    start = period(crisis)
    services.save_report(crisis, levanger(), start, kommune_values(), by=None, submit=True)
    _dashboard(setup)  # the token's use of the day recorded
    with CaptureQueriesContext(connection) as one:
        assert _dashboard(setup).json()["submitted"] == 1
    for party in services.parties_of(crisis):
        if party.pk == levanger().pk:
            continue
        values = hospital_values() if party.kind != Organisation.Kind.KOMMUNE else kommune_values()
        services.save_report(crisis, party, start, values, by=None, submit=True)
    with CaptureQueriesContext(connection) as all_of_them:
        data = _dashboard(setup).json()
    assert data["submitted"] == data["expected"] > 10
    # token, crisis, then the period's picture with values (crisis.picture):
    # the crisis's regions, the participations, the parties, the regions
    # with their areas, the form's lines,
    # the period's reports, the earlier ones, the declared levels, the
    # action card, the key figures, the values, the rule versions
    assert len(all_of_them) == len(one) == 2 + 12


def test_dhis2_gives_the_partys_own_submitted_values(setup: dict[str, Any]) -> None:
    crisis = setup["crisis"]
    start = period(crisis)
    post(
        Client(),
        crisis,
        body(crisis, kommune_values(behov="Munnbind")),
        setup["tokens"]["levanger"],
    )
    post(Client(), crisis, body(crisis), setup["tokens"]["namsos"])
    earlier = start - datetime.timedelta(weeks=1)
    services.save_report(crisis, levanger(), earlier, kommune_values(), by=None, submit=False)
    url = f"{URL}/{crisis.pk}/dhis2"
    token = setup["tokens"]["levanger"]
    rows = get(Client(), url, token).json()["dataValues"]
    assert {r["orgUnit"] for r in rows} == {"5037"}
    year, week, _day = start.isocalendar()
    assert {r["period"] for r in rows} == {f"{year}W{week}"}  # the draft is left out
    assert len(rows) == len(kommune_values(behov="x"))
    by_key = {(r["dataElement"], r.get("categoryOptionCombo")): r for r in rows}
    assert by_key[("smittevernutstyr", "munnbind")]["value"] == "80"
    assert "categoryOptionCombo" not in by_key[("smittetall", None)]
    assert by_key[("personell", None)]["value"] == "1"
    assert by_key[("overbelastning", None)]["value"] == "false"
    assert by_key[("behov", None)]["value"] == "Munnbind"
    assert all("comment" not in r for r in rows)
    later = (start + datetime.timedelta(days=1)).isoformat()
    assert get(Client(), f"{url}?from={later}", token).json()["dataValues"] == rows
    assert get(Client(), f"{url}?to={earlier.isoformat()}", token).json()["dataValues"] == []
    assert get(Client(), f"{url}?from=nonsense", token).status_code == 422


# --- The schema ----------------------------------------------------------------------


def test_the_schema_lists_the_endpoints_with_responses_and_security(people: Any) -> None:
    schema = Client().get("/api/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/crisis"]) == {"get"}
    assert set(paths["/api/crisis/{crisis_id}/reports"]) == {"post"}
    assert set(paths["/api/crisis/{crisis_id}/reports/{period}"]) == {"get"}
    assert set(paths["/api/crisis/{crisis_id}/dashboard"]) == {"get"}
    assert set(paths["/api/crisis/{crisis_id}/dhis2"]) == {"get"}
    post_op = paths["/api/crisis/{crisis_id}/reports"]["post"]
    assert {"200", "201", "400", "409", "422"} <= set(post_op["responses"])
    assert post_op["tags"] == ["crisis"]
    assert post_op["security"] == [{"OrganisationTokenAuth": []}]
    assert post_op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ReportIn"
    )
    required = set(schema["components"]["schemas"]["ReportIn"]["required"])
    assert {"period", "client_key", "values"} <= required
    dhis2_params = {p["name"] for p in paths["/api/crisis/{crisis_id}/dhis2"]["get"]["parameters"]}
    assert {"from", "to"} <= dhis2_params
