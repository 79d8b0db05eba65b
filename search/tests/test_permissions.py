"""Every search URL × every named person → the expected status code.

The internal page answers 404 to anyone without a role in the partnership
(the same as for a partnership that does not exist) and sends anonymous
visitors to log in; the public page and the API answer everyone.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.matrix import PEOPLE

INSIDERS_HNT = {"sara", "ada", "lena", "nils", "hanne", "stine", "siri", "kai"}
INSIDERS_STOLAV = {"siri", "kai", "tor", "petter", "stine"}


def _expect(insider: int, insiders: set[str], anon: int) -> dict[str, int]:
    result = {p: (insider if p in insiders else 404) for p in PEOPLE}
    result["anon"] = anon
    return result


EVERYONE_200 = dict.fromkeys(PEOPLE, 200)
ID_NUMBER = "15078810022"

CASES: list[tuple[str, dict[str, int]]] = [
    ("/hnt/intern/sok/", _expect(200, INSIDERS_HNT, 302)),
    ("/hnt/intern/sok/?q=solsikkeprosjektet", _expect(200, INSIDERS_HNT, 302)),
    ("/hnt/intern/sok/?q=rapport&kind=minutes&page=2", _expect(200, INSIDERS_HNT, 302)),
    ("/hnt/intern/sok/?q=utskrivning&kind=routine", _expect(200, INSIDERS_HNT, 302)),
    ("/stolav/intern/sok/?q=solsikkeprosjektet", _expect(200, INSIDERS_STOLAV, 302)),
    ("/nope/intern/sok/?q=x", dict.fromkeys(PEOPLE, 404)),
    ("/hnt/helsefellesskap/sok/", EVERYONE_200),
    ("/hnt/helsefellesskap/sok/?q=solsikkeprosjektet&kind=case", EVERYONE_200),
    ("/hnt/helsefellesskap/sok/?q=samarbeidsavtale&kind=clause", EVERYONE_200),
    ("/stolav/helsefellesskap/sok/?q=solsikkeprosjektet", EVERYONE_200),
    ("/nope/helsefellesskap/sok/?q=x", dict.fromkeys(PEOPLE, 404)),
    ("/api/partnerships/hnt/search?q=solsikkeprosjektet", EVERYONE_200),
    ("/api/partnerships/stolav/search?q=solsikkeprosjektet", EVERYONE_200),
    ("/api/partnerships/nope/search?q=x", dict.fromkeys(PEOPLE, 404)),
    (f"/api/partnerships/hnt/search?q={ID_NUMBER}", dict.fromkeys(PEOPLE, 400)),
    ("/api/partnerships/hnt/search?q=", dict.fromkeys(PEOPLE, 400)),
]


@pytest.mark.parametrize(("url", "expected"), CASES, ids=[u for u, _e in CASES])
def test_permission_matrix(as_person: Any, world: Any, url: str, expected: dict[str, int]) -> None:
    failures = []
    for key in PEOPLE:
        response = as_person(None if key == "anon" else key).get(url)
        if response.status_code != expected[key]:
            failures.append(f"{key}: expected {expected[key]}, got {response.status_code}")
    assert not failures, f"GET {url}:\n" + "\n".join(failures)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_pages_only_answer_reads(as_person: Any, people: Any, method: str) -> None:
    client = as_person("sara")
    for url in ["/api/partnerships/hnt/search?q=x"]:
        assert getattr(client, method)(url).status_code == 405
