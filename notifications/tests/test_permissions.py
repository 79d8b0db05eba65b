"""The notifications page × every named person → the expected status.

It is the person's own page: everyone logged in may use it (whatever their
partnership), anonymous visitors are sent to log in.
"""

from __future__ import annotations

from typing import Any

import pytest

from notifications.models import NotificationPreference
from tests.matrix import PEOPLE

URL = "/konto/varsler/"

CASES: list[tuple[str, dict[str, str], int]] = [
    ("GET", {}, 200),
    ("POST", {"delivery": "digest"}, 302),
    # An invalid choice comes back with its error.
    ("POST", {"delivery": "weekly"}, 200),
]


@pytest.mark.parametrize(("method", "data", "logged_in"), CASES)
def test_permission_matrix(
    as_person: Any, people: Any, method: str, data: dict[str, str], logged_in: int
) -> None:
    failures = []
    for key in PEOPLE:
        client = as_person(None if key == "anon" else key)
        response = client.get(URL) if method == "GET" else client.post(URL, data)
        expected = 302 if key == "anon" else logged_in
        if response.status_code != expected:
            failures.append(f"{key}: expected {expected}, got {response.status_code}")
        elif key == "anon" and not response["Location"].startswith("/konto/logg-inn/"):
            failures.append(f"anon: redirected to {response['Location']}, not to log in")
    assert not failures, f"{method} {URL} {data}:\n" + "\n".join(failures)


def test_the_writes_in_the_matrix_really_happened(as_person: Any, people: Any) -> None:
    """The 302s above are saves, and the anonymous POST saved nothing."""
    before = NotificationPreference.objects.count()
    as_person(None).post(URL, {"delivery": "digest"})
    assert NotificationPreference.objects.count() == before
    for key in ("tor", "otto", "sara"):
        as_person(key).post(URL, {"delivery": "digest"})
        assert NotificationPreference.objects.get(user=getattr(people, key)).delivery == "digest"
