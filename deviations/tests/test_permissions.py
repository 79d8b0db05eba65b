"""Every deviation URL × every named person → the expected status.

A deviation is seen by its two parties' coordinators and leaders and by the
secretariat; a third kommune gets 404, as do outsiders; observers, who
neither report nor manage, get 403 on the list. A draft is the reporting
party's alone.
"""

from __future__ import annotations

from typing import Any

import pytest

from deviations import services
from deviations.tests.conftest import hnt, levanger, make_deviation, report_data
from tests.matrix import PEOPLE

OUTSIDE = {"tor": 404, "petter": 404, "otto": 404, "anon": 302}


def _expect(**by_person: int) -> dict[str, int]:
    result = dict(OUTSIDE)
    result.update(by_person)
    # Kai coordinates Frosta and is a plain member of Verdal: for a deviation
    # between Levanger and the HF a third party's coordinator, answered as Nils.
    result.setdefault("kai", result["nils"])
    assert set(result) == set(PEOPLE), set(PEOPLE) - set(result)
    return result


LIST = _expect(sara=200, ada=200, lena=200, nils=200, hanne=200, siri=200, stine=403)
REPORT_FORM = _expect(sara=403, ada=403, lena=200, nils=200, hanne=200, siri=200, stine=403)
SEEN = _expect(sara=200, ada=200, lena=200, hanne=200, nils=404, siri=404, stine=403)
DRAFT = _expect(sara=404, ada=404, lena=200, hanne=404, nils=404, siri=404, stine=403)
DRAFT_EDIT = DRAFT
# Writes: those who may see it get a redirect back (the service decides and
# explains); others 404/403 as for reading.
STATUS = _expect(sara=302, ada=302, lena=302, hanne=302, nils=404, siri=404, stine=403)
ESCALATE = _expect(sara=302, ada=302, lena=403, hanne=403, nils=404, siri=404, stine=403)

CASES: list[tuple[str, str, dict[str, int]]] = [
    ("GET", "/hnt/intern/avvik/", LIST),
    ("GET", "/hnt/intern/avvik/ny/", REPORT_FORM),
    # Who may report: a party's coordinators and leaders for their party, the
    # secretariat for all (test_member_reporting checks which party).
    ("GET", "/hnt/intern/avvik/meldere/", REPORT_FORM | {"sara": 200, "ada": 200}),
    ("GET", "/hnt/intern/avvik/{sent}/", SEEN),
    ("GET", "/hnt/intern/avvik/{draft}/", DRAFT),
    ("GET", "/hnt/intern/avvik/{draft}/rediger/", DRAFT_EDIT),
    (
        "GET",
        "/hnt/intern/avvik/{sent}/rediger/",
        _expect(sara=403, ada=403, lena=403, hanne=403, nils=404, siri=404, stine=403),
    ),
    ("POST", "/hnt/intern/avvik/{sent}/status/", STATUS),
    ("POST", "/hnt/intern/avvik/{sent}/tildel/", STATUS),
    ("POST", "/hnt/intern/avvik/{sent}/til-rad/", ESCALATE),
    ("POST", "/hnt/intern/avvik/{sent}/tiltak/", STATUS),
    # An empty answer or message comes back with its errors.
    (
        "POST",
        "/hnt/intern/avvik/{sent}/svar/",
        _expect(sara=400, ada=400, lena=400, hanne=400, nils=404, siri=404, stine=403),
    ),
    (
        "POST",
        "/hnt/intern/avvik/{sent}/melding/",
        _expect(sara=400, ada=400, lena=400, hanne=400, nils=404, siri=404, stine=403),
    ),
    (
        "GET",
        "/stolav/intern/avvik/{sent}/",
        _expect(
            sara=404,
            ada=404,
            lena=404,
            hanne=404,
            nils=404,
            siri=404,
            # Statsforvalteren observes both partnerships: an insider without the right.
            stine=403,
            tor=404,
            petter=404,
        ),
    ),
]


@pytest.mark.parametrize(
    ("method", "url", "expected"), CASES, ids=[f"{m} {u}" for m, u, _ in CASES]
)
def test_deviation_permission_matrix(
    as_person: Any, people: Any, method: str, url: str, expected: dict[str, int]
) -> None:
    sent = make_deviation(people)
    draft = services.save_draft(
        hnt(), report_data(), by=people.lena, own=frozenset({levanger().pk})
    )
    target = url.format(sent=sent.pk, draft=draft.pk)
    failures = []
    for key in PEOPLE:
        client = as_person(None if key == "anon" else key)
        response = client.get(target) if method == "GET" else client.post(target, {})
        if response.status_code != expected[key]:
            failures.append(f"{key}: expected {expected[key]}, got {response.status_code}")
    assert not failures, f"{method} {url}:\n" + "\n".join(failures)
