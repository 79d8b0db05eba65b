"""The deviations API: only organisation tokens open it, a token acts for
exactly its party in its partnership, reports are validated like the form
and idempotent with a client key.

The helpers at the top are shared with ``test_api_queries`` and ``test_tokens``.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from core.tests.ways_of_writing import ways_of_writing
from core.validators import identity_number_message
from deviations import services, tokens
from deviations.models import Deviation, Guideline, OrganisationToken
from partnerships.access import PartnershipAccess
from partnerships.models import Organisation, Partnership

FNR = "15078810022"  # a valid fødselsnummer (core/tests/test_identity_numbers.py)
URL = "/api/deviations"


# --- Shared helpers ----------------------------------------------------------------


def org(municipality_number: str) -> Organisation:
    return Organisation.objects.get(municipality_number=municipality_number)


def levanger() -> Organisation:
    return org("5037")


def namsos() -> Organisation:
    return org("5007")


def stjordal() -> Organisation:
    return org("5035")


def trondheim() -> Organisation:
    return org("5001")


def hnt_hf() -> Organisation:
    return Organisation.objects.get(name="Helse Nord-Trøndelag HF")


def stolav_hf() -> Organisation:
    return Organisation.objects.get(name="St. Olavs hospital HF")


def partnership(slug: str) -> Partnership:
    return Partnership.objects.get(slug=slug)


def make_deviation(
    reporter: Organisation,
    receiver: Organisation,
    *,
    slug: str = "hnt",
    description: str = "Epikrisen kom ikke fram ved utskrivning.",
    **extra: Any,
) -> Deviation:
    where = partnership(slug)
    services.ensure_categories(where)
    data = {
        "reporting_organisation": reporter,
        "receiving_organisation": receiver,
        "occurred_at": timezone.now() - datetime.timedelta(days=2),
        "category": where.deviation_categories.get(code="C"),
        "description": description,
        "consequence": Deviation.Consequence.MINOR,
        "external_reference": "SYN-1234",
        **extra,
    }
    return services.report(where, data, by=None, own=frozenset({reporter.pk}))


def make_token(people: Any, organisation: Organisation, *, slug: str = "hnt") -> str:
    """A token issued by the secretariat of the partnership (sara, petter)."""
    where = partnership(slug)
    issuer = people.sara if slug == "hnt" else people.petter
    access = PartnershipAccess.for_user(where, issuer)
    _row, token = tokens.issue_token(access, organisation, name="Synergi-integrasjon", by=issuer)
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def payload(**extra: Any) -> dict[str, Any]:
    return {
        "client_key": str(uuid.uuid4()),
        "receiving_organisation_number": hnt_hf().organisation_number,
        "occurred_at": (timezone.now() - datetime.timedelta(hours=5)).isoformat(),
        "category": "C",
        "guideline": 3,
        "section_point": 5,
        "description": "Pasienten ble utskrevet uten at kommunen fikk melding.",
        "immediate_measures": "Ringte avdelingen.",
        "suggested_improvement": "Felles sjekkliste.",
        "consequence": "moderate",
        "external_reference": "SYN-2026-0042",
        **extra,
    }


def post(client: Client, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.post(URL, body, content_type="application/json", headers=headers)


@pytest.fixture
def guideline(people: Any) -> Guideline:
    found, _created = Guideline.objects.get_or_create(
        partnership=partnership("hnt"), number=3, defaults={"name": "Utskrivning"}
    )
    return found


@pytest.fixture
def setup(people: Any, guideline: Guideline) -> dict[str, Any]:
    """A deviation Levanger → HF in HNT, one Trondheim → St. Olavs in the
    other partnership, and tokens of every kind of caller."""
    hnt_one = make_deviation(levanger(), hnt_hf())
    stolav_one = make_deviation(trondheim(), stolav_hf(), slug="stolav")
    revoked = make_token(people, levanger())
    tokens.revoke_token(OrganisationToken.objects.get(token_hash=tokens.hash_token(revoked)))
    return {
        "hnt": hnt_one,
        "stolav": stolav_one,
        "tokens": {
            "reporter": make_token(people, levanger()),
            "receiver": make_token(people, hnt_hf()),
            "third": make_token(people, namsos()),
            "other_partnership": make_token(people, trondheim(), slug="stolav"),
            # Stjørdal is a party of both partnerships; this token is St. Olavs'.
            "same_party_other_partnership": make_token(people, stjordal(), slug="stolav"),
            "revoked": revoked,
        },
    }


CALLERS = [
    "reporter",
    "receiver",
    "third",
    "other_partnership",
    "same_party_other_partnership",
    "revoked",
    "none",
    "session",
    "wrong",
]


def call(
    as_person: Any, setup: dict[str, Any], caller: str, method: str, url: str, body: Any = None
) -> Any:
    client: Client = as_person("lena" if caller == "session" else None)
    headers: dict[str, str] = {}
    if caller == "wrong":
        headers = bearer("not-a-token")
    elif caller in setup["tokens"]:
        headers = bearer(setup["tokens"][caller])
    if method == "GET":
        return client.get(url, headers=headers)
    return post(client, body, headers)


# --- Permission matrix ---------------------------------------------------------------

UNAUTHORIZED = {"revoked": 401, "none": 401, "session": 401, "wrong": 401}


def test_reading_one_deviation_permission_matrix(as_person: Any, setup: dict[str, Any]) -> None:
    url = f"{URL}/{setup['hnt'].number}"
    expected = {
        "reporter": 200,
        "receiver": 200,
        "third": 404,
        "other_partnership": 404,
        "same_party_other_partnership": 404,
        **UNAUTHORIZED,
    }
    got = {c: call(as_person, setup, c, "GET", url).status_code for c in CALLERS}
    assert got == expected


def test_the_number_is_read_in_the_tokens_own_partnership(
    as_person: Any, setup: dict[str, Any]
) -> None:
    """The two partnerships number their deviations apart; the same number
    reaches a different deviation, or none, depending on the token."""
    number = setup["stolav"].number
    response = call(as_person, setup, "other_partnership", "GET", f"{URL}/{number}")
    assert response.status_code == 200
    assert response.json()["reporting_organisation"]["id"] == trondheim().pk
    hnt_number = setup["hnt"].number
    for caller in ("reporter", "receiver"):
        response = call(as_person, setup, caller, "GET", f"{URL}/{hnt_number}")
        assert response.json()["reporting_organisation"]["id"] == levanger().pk
    # The dash form of the number works too; a made-up number is 404.
    dashed = hnt_number.replace("/", "-")
    assert call(as_person, setup, "reporter", "GET", f"{URL}/{dashed}").status_code == 200
    assert call(as_person, setup, "reporter", "GET", f"{URL}/AV-26/9999").status_code == 404
    assert call(as_person, setup, "reporter", "GET", f"{URL}/nonsense").status_code == 404


def test_listing_permission_matrix(as_person: Any, setup: dict[str, Any]) -> None:
    hnt_number, stolav_pk = setup["hnt"].number, setup["stolav"].pk
    seen: dict[str, object] = {}
    for caller in CALLERS:
        response = call(as_person, setup, caller, "GET", URL)
        if response.status_code != 200:
            seen[caller] = response.status_code
            continue
        rows = response.json()
        seen[caller] = {
            "hnt": any(
                r["number"] == hnt_number and r["reporting_organisation"]["id"] == levanger().pk
                for r in rows
            ),
            "stolav": any(r["reporting_organisation"]["id"] == trondheim().pk for r in rows),
        }
    assert seen == {
        "reporter": {"hnt": True, "stolav": False},
        "receiver": {"hnt": True, "stolav": False},
        "third": {"hnt": False, "stolav": False},
        "other_partnership": {"hnt": False, "stolav": True},
        "same_party_other_partnership": {"hnt": False, "stolav": False},
        **UNAUTHORIZED,
    }
    assert stolav_pk  # made, and invisible to every HNT token


def test_reporting_permission_matrix(as_person: Any, setup: dict[str, Any]) -> None:
    """Any party's token reports from its own party; a token of the other
    partnership cannot report to a party of HNT (400, nothing stored)."""
    before = Deviation.objects.count()
    expected = {
        "reporter": 201,  # Levanger → HF
        "receiver": 400,  # HF → HF: a deviation goes to another party
        "third": 201,  # Namsos → HF
        "other_partnership": 400,  # the HF is not a party of St. Olavs'
        "same_party_other_partnership": 400,
        **UNAUTHORIZED,
    }
    got = {c: call(as_person, setup, c, "POST", URL, payload()).status_code for c in CALLERS}
    assert got == expected
    assert Deviation.objects.count() == before + 2
    made = Deviation.objects.order_by("-pk")[:2]
    assert {d.reporting_organisation for d in made} == {levanger(), namsos()}
    assert all(d.reported_by is None and d.status == Deviation.Status.SUBMITTED for d in made)


def test_a_report_is_stored_as_the_form_would_store_it(
    as_person: Any, setup: dict[str, Any], guideline: Guideline
) -> None:
    body = payload(receiving_unit="Medisinsk avdeling")
    response = call(as_person, setup, "reporter", "POST", URL, body)
    assert response.status_code == 201
    data = response.json()
    deviation = Deviation.objects.get(client_key=body["client_key"])
    assert data["number"] == deviation.number != ""
    assert data["status"] == "submitted"
    assert data["receiving_organisation"]["id"] == hnt_hf().pk
    assert data["response_deadline"] == str(deviation.response_deadline)
    assert deviation.partnership.slug == "hnt"
    assert deviation.reporting_organisation == levanger()
    assert deviation.receiving_organisation == hnt_hf()
    assert deviation.guideline == guideline
    assert deviation.section_point == 5
    assert deviation.category.code == "C"
    assert deviation.receiving_unit == "Medisinsk avdeling"
    assert deviation.external_reference == "SYN-2026-0042"
    # By organisation id as well as by number.
    by_id = payload(receiving_organisation_number=None, receiving_organisation_id=namsos().pk)
    response = call(as_person, setup, "reporter", "POST", URL, by_id)
    assert response.status_code == 201
    assert response.json()["receiving_organisation"]["id"] == namsos().pk


# --- Idempotency ----------------------------------------------------------------------


def test_the_same_client_key_twice_makes_one_deviation(
    as_person: Any, setup: dict[str, Any]
) -> None:
    body = payload()
    first = call(as_person, setup, "reporter", "POST", URL, body)
    second = call(as_person, setup, "reporter", "POST", URL, body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Deviation.objects.filter(client_key=body["client_key"]).count() == 1


def test_another_partys_client_key_is_refused_without_showing_its_report(
    as_person: Any, setup: dict[str, Any]
) -> None:
    body = payload()
    assert call(as_person, setup, "reporter", "POST", URL, body).status_code == 201
    response = call(as_person, setup, "third", "POST", URL, body)
    assert response.status_code == 400
    assert "number" not in response.json()
    assert Deviation.objects.filter(client_key=body["client_key"]).count() == 1


def test_the_client_key_is_required(as_person: Any, setup: dict[str, Any]) -> None:
    body = payload()
    del body["client_key"]
    before = Deviation.objects.count()
    response = call(as_person, setup, "reporter", "POST", URL, body)
    assert response.status_code == 422
    assert ["body", "payload", "client_key"] in [e["loc"] for e in response.json()["detail"]]
    assert Deviation.objects.count() == before


# --- Validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        "description",
        "immediate_measures",
        "suggested_improvement",
        "receiving_unit",
        "external_reference",
    ],
)
def test_an_identity_number_is_refused_and_never_echoed(
    as_person: Any, setup: dict[str, Any], field: str
) -> None:
    body = payload(**{field: f"Pasient {FNR} ble sendt hjem"})
    before = Deviation.objects.count()
    response = call(as_person, setup, "reporter", "POST", URL, body)
    assert response.status_code == 422
    assert FNR not in response.content.decode()
    errors = response.json()["detail"]
    assert [e["loc"] for e in errors] == [["body", "payload", field]]
    with translation.override(settings.LANGUAGE_CODE):
        assert identity_number_message(1) in errors[0]["msg"]
    assert Deviation.objects.count() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "Q"}, "category"),
        ({"guideline": 77}, "guideline"),
        ({"receiving_organisation_number": "000000000"}, "receiving_organisation"),
        ({"occurred_at": "2099-01-01T10:00:00+01:00"}, "occurred_at"),
    ],
)
def test_business_rules_are_refused_with_400_and_the_field(
    as_person: Any, setup: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    before = Deviation.objects.count()
    response = call(as_person, setup, "reporter", "POST", URL, payload(**change))
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert Deviation.objects.count() == before


@pytest.mark.parametrize(
    "change",
    [
        {"section_point": 14},
        {"section_point": 0},
        {"consequence": "fatal"},
        {"description": "   "},
        {"receiving_organisation_id": 1},  # as well as the number: one of them
        {"receiving_organisation_number": None},  # neither
        {"external_reference": "x" * 101},
        {"occurred_at": "yesterday"},
    ],
)
def test_malformed_reports_are_refused_with_422(
    as_person: Any, setup: dict[str, Any], change: dict[str, Any]
) -> None:
    before = Deviation.objects.count()
    response = call(as_person, setup, "reporter", "POST", URL, payload(**change))
    assert response.status_code == 422
    assert Deviation.objects.count() == before


# --- Reading status and answers ------------------------------------------------------------


def test_the_answer_and_status_reach_both_parties(as_person: Any, setup: dict[str, Any]) -> None:
    deviation = setup["hnt"]
    deviation = services.answer(
        deviation,
        cause="Rutinen ble ikke fulgt.",
        measures="Opplæring på sengeposten.",
        side="receiver",
        expected_version=deviation.version,
    )
    for caller in ("reporter", "receiver"):
        data = call(as_person, setup, caller, "GET", f"{URL}/{deviation.number}").json()
        assert data["status"] == "answered"
        assert data["cause"] == "Rutinen ble ikke fulgt."
        assert data["measures"] == "Opplæring på sengeposten."
        assert data["answered_at"] is not None
        assert data["response_deadline"] == str(deviation.response_deadline)
    # The reference in the reporter's own system is the reporter's alone.
    reporter = call(as_person, setup, "reporter", "GET", f"{URL}/{deviation.number}").json()
    receiver = call(as_person, setup, "receiver", "GET", f"{URL}/{deviation.number}").json()
    assert (reporter["external_reference"], receiver["external_reference"]) == ("SYN-1234", "")


def test_the_list_filters_by_status_and_since(as_person: Any, setup: dict[str, Any]) -> None:
    answered = make_deviation(levanger(), hnt_hf())
    version = answered.version
    services.answer(
        answered, cause="Årsak", measures="Tiltak", side="receiver", expected_version=version
    )

    def numbers(query: str) -> set[str]:
        response = call(as_person, setup, "reporter", "GET", URL + query)
        assert response.status_code == 200
        return {r["number"] for r in response.json()}

    assert {setup["hnt"].number, answered.number} <= numbers("")
    assert answered.number in numbers("?status=answered")
    assert setup["hnt"].number not in numbers("?status=answered")
    assert setup["hnt"].number in numbers("?status=open")
    assert answered.number not in numbers("?status=open")
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    assert numbers("?" + "since=" + future.replace("+", "%2B")) == set()
    assert setup["hnt"].number in numbers("?since=2000-01-01")
    response = call(as_person, setup, "reporter", "GET", URL + "?status=draft")
    assert response.status_code == 422


def test_drafts_are_not_in_the_api(as_person: Any, setup: dict[str, Any]) -> None:
    where = partnership("hnt")
    draft = services.save_draft(
        where,
        {
            "reporting_organisation": levanger(),
            "receiving_organisation": hnt_hf(),
            "occurred_at": timezone.now(),
            "category": where.deviation_categories.get(code="A"),
            "description": "Utkast",
            "consequence": "none",
        },
        by=None,
        own=frozenset({levanger().pk}),
    )
    for caller in ("reporter", "receiver"):
        rows = call(as_person, setup, caller, "GET", URL).json()
        assert all(r["description"] != "Utkast" for r in rows)
    assert draft.status == Deviation.Status.DRAFT


# --- The schema ----------------------------------------------------------------------------


def test_the_schema_lists_the_endpoints_with_responses_and_security(people: Any) -> None:
    schema = Client().get("/api/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/deviations"]) == {"get", "post"}
    assert set(paths["/api/deviations/{number}"]) == {"get"}
    post_op = paths["/api/deviations"]["post"]
    assert {"200", "201", "400"} <= set(post_op["responses"])
    assert post_op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/DeviationIn"
    )
    assert post_op["security"] == [{"OrganisationTokenAuth": []}]
    assert paths["/api/deviations/{number}"]["get"]["security"] == [{"OrganisationTokenAuth": []}]
    assert schema["components"]["securitySchemes"]["OrganisationTokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    required = set(schema["components"]["schemas"]["DeviationIn"]["required"])
    assert {"client_key", "occurred_at", "category", "description", "consequence"} <= required


@pytest.mark.parametrize(("name", "written"), list(ways_of_writing(FNR).items()))
def test_the_api_refuses_a_number_however_it_is_written(
    as_person: Any, setup: dict[str, Any], name: str, written: str
) -> None:
    before = Deviation.objects.count()
    body = payload(description=f"Pasient {written} ble sendt hjem.")
    response = call(as_person, setup, "reporter", "POST", URL, body)
    assert response.status_code == 422, name
    assert FNR not in response.content.decode()
    assert Deviation.objects.count() == before
