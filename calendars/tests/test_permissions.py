"""Every calendar URL × every named person → the expected status code.

The management page is each person's own (any logged-in person: 200;
anonymous: sent to log in). The feeds need no log-in: the public feeds are
public, and the personal feed answers to its secret link alone, whoever
(and whatever session) asks.
"""

from __future__ import annotations

from typing import Any

import pytest

from calendars import services
from tests.matrix import PEOPLE


def _all(status: int, *, anon: int | None = None) -> dict[str, int]:
    result = dict.fromkeys(PEOPLE, status)
    if anon is not None:
        result["anon"] = anon
    return result


CASES: list[tuple[str, str, dict[str, int]]] = [
    ("GET", "/kalender/", _all(200, anon=302)),
    # A new link is shown on the page itself (200), once.
    ("POST", "/kalender/ny-lenke/", _all(200, anon=302)),
    ("POST", "/kalender/opphev-lenke/", _all(302)),
    # Writes are POST only, for everyone.
    ("GET", "/kalender/ny-lenke/", _all(405)),
    ("GET", "/kalender/opphev-lenke/", _all(405)),
    ("POST", "/kalender/", _all(405)),
    # Lena's secret link works for whoever holds it; a wrong one for nobody.
    ("GET", "{lena_feed}", _all(200)),
    ("GET", "/kalender/" + "x" * 43 + ".ics", _all(404)),
    ("GET", "{revoked_feed}", _all(404)),
    # Public feeds and their index.
    ("GET", "/hnt/helsefellesskap/kalender/", _all(200)),
    ("GET", "/hnt/helsefellesskap/kalender/asu.ics", _all(200)),
    ("GET", "/stolav/helsefellesskap/kalender/", _all(200)),
    ("GET", "/stolav/helsefellesskap/kalender/psu.ics", _all(200)),
    ("GET", "/hnt/helsefellesskap/kalender/finnes-ikke.ics", _all(404)),
    ("GET", "/stolav/helsefellesskap/kalender/asu.ics", _all(404)),
    ("GET", "/finnes-ikke/helsefellesskap/kalender/", _all(404)),
    ("POST", "/hnt/helsefellesskap/kalender/asu.ics", _all(405)),
]


@pytest.mark.parametrize(
    ("method", "url", "expected"), CASES, ids=[f"{m} {u}" for m, u, _ in CASES]
)
def test_permission_matrix(
    as_person: Any, people: Any, method: str, url: str, expected: dict[str, int]
) -> None:
    revoked = services.create_token(people.nils)
    services.revoke_tokens(people.nils)
    lena = services.create_token(people.lena)
    target = url.format(lena_feed=f"/kalender/{lena}.ics", revoked_feed=f"/kalender/{revoked}.ics")
    failures = []
    for key in PEOPLE:
        client = as_person(None if key == "anon" else key)
        response = client.get(target) if method == "GET" else client.post(target)
        if response.status_code != expected[key]:
            failures.append(f"{key}: expected {expected[key]}, got {response.status_code}")
        elif response.status_code == 302:
            where = response["Location"]
            wanted = "/konto/logg-inn/" if key == "anon" else "/kalender/"
            if not where.startswith(wanted):
                failures.append(f"{key}: redirected to {where}")
    assert not failures, f"{method} {url}:\n" + "\n".join(failures)


def test_the_page_and_its_buttons_concern_only_the_own_link(as_person: Any, people: Any) -> None:
    """Nils revoking or renewing touches only his own link."""
    lena = f"/kalender/{services.create_token(people.lena)}.ics"
    nils = as_person("nils")
    nils.post("/kalender/ny-lenke/")
    nils.post("/kalender/opphev-lenke/")
    assert as_person(None).get(lena).status_code == 200
    assert services.active_token(people.lena) is not None
    assert services.active_token(people.nils) is None
