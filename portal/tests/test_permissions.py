"""Every portal URL added for the accessibility statement and the privacy
notice × every named person → the expected status code.

Both pages are public, for the whole service and for each partnership: the
same answer for everyone, logged in or not, in whichever partnership. A
partnership that does not exist is a plain 404. (The portal's other pages
are in partnerships/tests/test_permissions.py.)
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.matrix import PEOPLE

ALL_200 = dict.fromkeys(PEOPLE, 200)
ALL_404 = dict.fromkeys(PEOPLE, 404)

CASES: list[tuple[str, dict[str, int]]] = [
    ("/tilgjengelighet/", ALL_200),
    ("/personvern/", ALL_200),
    ("/hnt/tilgjengelighet/", ALL_200),
    ("/hnt/personvern/", ALL_200),
    ("/stolav/tilgjengelighet/", ALL_200),
    ("/stolav/personvern/", ALL_200),
    ("/ingen-slik/tilgjengelighet/", ALL_404),
    ("/ingen-slik/personvern/", ALL_404),
]


@pytest.mark.parametrize(("url", "expected"), CASES, ids=[url for url, _ in CASES])
def test_portal_statement_permission_matrix(
    as_person: Any, url: str, expected: dict[str, int]
) -> None:
    got = {key: as_person(None if key == "anon" else key).get(url).status_code for key in PEOPLE}
    assert got == expected
