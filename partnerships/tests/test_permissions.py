"""Every URL × every named person → the expected status code.

Outsiders (other partnership, no role) get 404 for anything internal, the
same answer as for something that does not exist; insiders without the
capability get 403; anonymous visitors are sent to log in.
"""

from __future__ import annotations

from typing import Any

import pytest

from partnerships.models import Invitation, Membership, Organisation, PartnershipRole
from tests.matrix import PEOPLE

# kai (tests/matrix.py): coordinator of Frosta and a plain member of Verdal.


def _ids(people: Any) -> dict[str, Any]:
    levanger = Organisation.objects.get(municipality_number="5037")
    namsos = Organisation.objects.get(municipality_number="5007")
    trondheim = Organisation.objects.get(municipality_number="5001")
    lena_membership = Membership.objects.get(user=people.lena, organisation=levanger)
    tor_membership = Membership.objects.get(user=people.tor, organisation=trondheim)
    from partnerships.models import Partnership
    from partnerships.services import invite

    hnt = Partnership.objects.get(slug="hnt")
    invitation, _ = invite(
        partnership=hnt,
        organisation=levanger,
        email="ny@levanger.example",
        full_name="Ny Person",
        role="member",
        invited_by=people.sara,
    )
    sara_role = PartnershipRole.objects.get(user=people.sara, partnership=hnt)
    petter_role = PartnershipRole.objects.get(user=people.petter)
    return {
        "frosta": Organisation.objects.get(municipality_number="5036").pk,
        "verdal": Organisation.objects.get(municipality_number="5038").pk,
        "levanger": levanger.pk,
        "namsos": namsos.pk,
        "trondheim": trondheim.pk,
        "lena_m": lena_membership.pk,
        "tor_m": tor_membership.pk,
        "inv": invitation.pk,
        "sara_role": sara_role.pk,
        "petter_role": petter_role.pk,
    }


ALL_200 = dict.fromkeys(PEOPLE, 200)
INSIDERS_HNT = {"sara", "ada", "lena", "nils", "hanne", "stine", "siri", "kai"}


def _expect(
    insider: int, *, anon: int = 302, overrides: dict[str, int] | None = None
) -> dict[str, int]:
    result = {p: (insider if p in INSIDERS_HNT else 404) for p in PEOPLE}
    result["anon"] = anon
    result.update(overrides or {})
    return result


# people who may see people lists (VIEW_PEOPLE): secretariat, admin, coordinators, leaders
VIEW_PEOPLE_403 = {"stine": 403}
MANAGE_403 = {"lena": 403, "nils": 403, "hanne": 403, "stine": 403, "siri": 403, "kai": 403}
# Editing a party's contact details: the secretariat, and that party's own coordinators.
NOT_ITS_COORDINATOR = {
    "lena": 403,
    "nils": 403,
    "hanne": 403,
    "stine": 403,
    "siri": 403,
    "kai": 403,
}

CASES: list[tuple[str, str, dict[str, int]]] = [
    ("GET", "/", ALL_200),
    ("GET", "/hnt/", ALL_200),
    ("GET", "/hnt/helsefellesskap/", ALL_200),
    ("GET", "/hnt/samarbeidsavtaler/", ALL_200),
    ("GET", "/hnt/verktoy/", ALL_200),
    ("GET", "/hnt/tall-og-statistikk/", ALL_200),
    ("GET", "/hnt/kontakt/", ALL_200),
    ("GET", "/ukjent/", dict.fromkeys(PEOPLE, 404)),
    ("GET", "/hnt/intern/", _expect(200)),
    (
        "GET",
        "/stolav/intern/",
        {
            **dict.fromkeys(PEOPLE, 404),
            "anon": 302,
            "siri": 200,
            "kai": 200,  # Frosta is in Værnesregionen, a party of both partnerships
            "tor": 200,
            "petter": 200,
            "stine": 200,
        },
    ),
    ("GET", "/hnt/intern/personer/", _expect(200, overrides=VIEW_PEOPLE_403)),
    ("GET", "/hnt/intern/personer/?kind=seat&council=asu", _expect(200, overrides=VIEW_PEOPLE_403)),
    # The export has the list's rule: 404 outside, 403 without VIEW_PEOPLE.
    ("GET", "/hnt/intern/personer/eksport.xlsx", _expect(200, overrides=VIEW_PEOPLE_403)),
    (
        "GET",
        "/stolav/intern/personer/eksport.xlsx",
        {
            **dict.fromkeys(PEOPLE, 404),
            "anon": 302,
            "siri": 200,
            "kai": 200,
            "tor": 200,
            "petter": 200,
            "stine": 403,  # an observer there too: no VIEW_PEOPLE
        },
    ),
    ("GET", "/hnt/intern/personer/inviter/", _expect(200, overrides=MANAGE_403)),
    ("GET", "/hnt/intern/parter/", _expect(200, overrides=VIEW_PEOPLE_403)),
    ("GET", "/hnt/intern/parter/{levanger}/", _expect(200, overrides=VIEW_PEOPLE_403)),
    # Trondheim takes no part in HNT: 404 for everyone there, as if it did not exist.
    ("GET", "/hnt/intern/parter/{trondheim}/", _expect(404, overrides={"stine": 403})),
    (
        "GET",
        "/hnt/intern/parter/{levanger}/kontakt/",
        _expect(200, overrides={**NOT_ITS_COORDINATOR, "lena": 200}),
    ),
    (
        "GET",
        "/hnt/intern/parter/{namsos}/kontakt/",
        _expect(200, overrides={**NOT_ITS_COORDINATOR, "nils": 200}),
    ),
    (
        "GET",
        "/hnt/intern/parter/{frosta}/kontakt/",
        _expect(200, overrides={**NOT_ITS_COORDINATOR, "kai": 200}),
    ),
    # Kai is a member of Verdal, not its coordinator: per party, no edit.
    ("GET", "/hnt/intern/parter/{verdal}/kontakt/", _expect(200, overrides=NOT_ITS_COORDINATOR)),
    ("GET", "/hnt/intern/medlemskap/{lena_m}/", _expect(200, overrides=MANAGE_403)),
    ("GET", "/hnt/intern/medlemskap/{tor_m}/", _expect(404, overrides=MANAGE_403)),
    ("GET", "/hnt/intern/roller/", _expect(200, overrides=MANAGE_403)),
    ("POST", "/hnt/intern/invitasjoner/{inv}/trekk-tilbake/", _expect(302, overrides=MANAGE_403)),
    ("POST", "/hnt/intern/roller/{petter_role}/avslutt/", _expect(404, overrides=MANAGE_403)),
    ("GET", "/konto/", {**dict.fromkeys(PEOPLE, 200), "anon": 302}),
    ("GET", "/api/partnerships/hnt", ALL_200),
    ("GET", "/api/me", {**dict.fromkeys(PEOPLE, 200), "anon": 401}),
    ("GET", "/api/partnerships/hnt/my-access", _expect(200, anon=401)),
    ("GET", "/api/partnerships", ALL_200),
    ("GET", "/api/openapi.json", ALL_200),
    # The interactive documentation is off (it would load scripts from a CDN).
    ("GET", "/api/", dict.fromkeys(PEOPLE, 404)),
    ("GET", "/healthz", ALL_200),
    # Choosing a language: back to the page, for anyone.
    ("POST", "/i18n/setlang/", dict.fromkeys(PEOPLE, 302)),
]


@pytest.mark.parametrize(
    ("method", "url", "expected"), CASES, ids=[f"{m} {u}" for m, u, _ in CASES]
)
def test_permission_matrix(
    as_person: Any, people: Any, method: str, url: str, expected: dict[str, int]
) -> None:
    ids = _ids(people)
    failures = []
    for key in PEOPLE:
        client = as_person(None if key == "anon" else key)
        target = url.format(**ids)
        response = client.get(target) if method == "GET" else client.post(target)
        if response.status_code != expected[key]:
            failures.append(f"{key}: expected {expected[key]}, got {response.status_code}")
        if method == "POST" and response.status_code == 302 and key != "anon":
            # Undo the write so the next person meets the same state.
            Invitation.objects.filter(pk=ids["inv"]).update(status=Invitation.Status.PENDING)
    assert not failures, f"{method} {url}:\n" + "\n".join(failures)
