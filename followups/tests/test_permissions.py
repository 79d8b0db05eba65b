"""Every follow-up URL × every named person → the expected status code.

Outsiders (other partnership, no role) get 404, the same answer as for a
follow-up that does not exist; insiders without the right get 403 on writes;
anonymous visitors are sent to log in.
"""

from __future__ import annotations

from typing import Any

import pytest

from followups.models import FollowUp, FollowUpLogEntry
from followups.tests.conftest import levanger, make_followup, namsos
from partnerships.models import Partnership
from tests.matrix import PEOPLE

# kai (tests/matrix.py): coordinator of Frosta (Værnesregionen, in both
# partnerships) and a plain member of Verdal.
INSIDERS_HNT = {"sara", "ada", "lena", "nils", "hanne", "stine", "siri", "kai"}
INSIDERS_STOLAV = {"siri", "kai", "tor", "petter", "stine"}


def _expect(
    insider: int,
    *,
    insiders: set[str] = INSIDERS_HNT,
    anon: int = 302,
    overrides: dict[str, int] | None = None,
) -> dict[str, int]:
    result = {p: (insider if p in insiders else 404) for p in PEOPLE}
    result["anon"] = anon
    result.update(overrides or {})
    return result


# Only the secretariat and administrators manage follow-ups.
MANAGE_403 = {"lena": 403, "nils": 403, "hanne": 403, "stine": 403, "siri": 403, "kai": 403}
# On a Levanger follow-up, Lena (Levanger's coordinator) reports too.
REPORT_LEVANGER_403 = {"nils": 403, "hanne": 403, "stine": 403, "siri": 403, "kai": 403}

LOG = {"text": "Møte holdt med fastlegene", "progress": "20"}
START = {"status": "in_progress", "version": "0", "comment": ""}
CANCEL = {"status": "cancelled", "version": "0", "comment": ""}
EMPTY: dict[str, str] = {}

CASES: list[tuple[str, str, dict[str, str], dict[str, int]]] = [
    ("GET", "/hnt/intern/oppfolging/", EMPTY, _expect(200)),
    ("GET", "/hnt/intern/oppfolging/?status=all&overdue=on", EMPTY, _expect(200)),
    ("GET", "/hnt/intern/oppfolging/ny/", EMPTY, _expect(200, overrides=MANAGE_403)),
    # An empty form comes back with its errors (200) for those who may create.
    ("POST", "/hnt/intern/oppfolging/ny/", EMPTY, _expect(200, overrides=MANAGE_403)),
    ("GET", "/hnt/intern/oppfolging/{lev}/", EMPTY, _expect(200)),
    ("GET", "/hnt/intern/oppfolging/{lev}/rediger/", EMPTY, _expect(200, overrides=MANAGE_403)),
    (
        "POST",
        "/hnt/intern/oppfolging/{lev}/logg/",
        LOG,
        _expect(302, overrides=REPORT_LEVANGER_403),
    ),
    # The responsible coordinator starts and finishes her party's follow-up.
    (
        "POST",
        "/hnt/intern/oppfolging/{lev}/status/",
        START,
        _expect(302, overrides={**MANAGE_403, "lena": 302}),
    ),
    # Cancelling stays with the secretariat.
    ("POST", "/hnt/intern/oppfolging/{lev}/status/", CANCEL, _expect(302, overrides=MANAGE_403)),
    # Writes are POST only, for everyone.
    ("GET", "/hnt/intern/oppfolging/{lev}/logg/", EMPTY, dict.fromkeys(PEOPLE, 405)),
    ("GET", "/hnt/intern/oppfolging/{lev}/status/", EMPTY, dict.fromkeys(PEOPLE, 405)),
    # A follow-up that does not exist.
    ("GET", "/hnt/intern/oppfolging/999999/", EMPTY, _expect(404)),
    # St. Olavs' follow-up asked for under /hnt/: 404 for everyone, whatever
    # their role in either partnership …
    ("GET", "/hnt/intern/oppfolging/{stolav}/", EMPTY, _expect(404)),
    ("GET", "/hnt/intern/oppfolging/{stolav}/rediger/", EMPTY, _expect(404)),
    ("POST", "/hnt/intern/oppfolging/{stolav}/logg/", LOG, _expect(404)),
    ("POST", "/hnt/intern/oppfolging/{stolav}/status/", START, _expect(404)),
    # … while it is there under its own partnership.
    (
        "GET",
        "/stolav/intern/oppfolging/{stolav}/",
        EMPTY,
        _expect(200, insiders=INSIDERS_STOLAV),
    ),
]


def _ids(people: Any) -> dict[str, int]:
    lev = make_followup(people, responsible_organisation=levanger())
    stolav = make_followup(
        people, partnership=Partnership.objects.get(slug="stolav"), responsible_organisation=None
    )
    return {"lev": lev.pk, "stolav": stolav.pk}


def _reset(ids: dict[str, int]) -> None:
    """Undo a write so the next person meets the same state."""
    FollowUp.objects.filter(pk__in=ids.values()).update(
        status=FollowUp.Status.PLANNED, version=0, progress=0, closed_at=None
    )
    FollowUpLogEntry.objects.all().delete()


@pytest.mark.parametrize(
    ("method", "url", "data", "expected"),
    CASES,
    ids=[f"{m} {u}" for m, u, _, _ in CASES],
)
def test_permission_matrix(
    as_person: Any,
    people: Any,
    method: str,
    url: str,
    data: dict[str, str],
    expected: dict[str, int],
) -> None:
    ids = _ids(people)
    target = url.format(**ids)
    failures = []
    for key in PEOPLE:
        client = as_person(None if key == "anon" else key)
        response = client.get(target) if method == "GET" else client.post(target, data)
        if response.status_code != expected[key]:
            failures.append(f"{key}: expected {expected[key]}, got {response.status_code}")
        if method == "POST" and response.status_code == 302 and key != "anon":
            _reset(ids)
    assert not failures, f"{method} {url}:\n" + "\n".join(failures)


def test_the_writes_in_the_matrix_really_happened(as_person: Any, people: Any) -> None:
    """The 302s above are successes, not refusals in disguise."""
    ids = _ids(people)
    lena = as_person("lena")
    lena.post(f"/hnt/intern/oppfolging/{ids['lev']}/logg/", LOG)
    followup = FollowUp.objects.get(pk=ids["lev"])
    assert followup.progress == 20
    assert followup.log_entries.get().author == people.lena
    assert followup.status == FollowUp.Status.IN_PROGRESS
    as_person("sara").post(
        f"/hnt/intern/oppfolging/{ids['lev']}/status/",
        {"status": "done", "version": followup.version},
    )
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.DONE


def test_the_responsible_person_reports_even_without_the_party_role(
    as_person: Any, people: Any
) -> None:
    """Hanne (HF leader) is named responsible on a Namsos follow-up: she may
    report on it, though she belongs to another organisation."""
    followup = make_followup(
        people, responsible_organisation=namsos(), responsible_person=people.hanne
    )
    url = f"/hnt/intern/oppfolging/{followup.pk}/logg/"
    assert as_person("hanne").post(url, LOG).status_code == 302
    assert as_person("lena").post(url, LOG).status_code == 403
    assert as_person("nils").post(url, LOG).status_code == 302
    assert followup.log_entries.count() == 2
