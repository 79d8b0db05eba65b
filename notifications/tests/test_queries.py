"""The notifications page uses a fixed number of queries, whatever the
number of notifications."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications import services
from notifications.models import Notification

URL = "/konto/varsler/"

# For a logged-in, two-factor-verified secretariat member, a page outside
# any partnership costs: session, user, OTP device (django-otp), and the
# session save that moves the idle timeout on (savepoint, update, release
# inside the test's transaction) = 6.
BASE = 6
# + the preference, + the latest notifications with their partnership joined.
PINNED = BASE + 2


def _notify(people: Any, hnt: Any, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        services.notify(
            Notification.Kind.PAPERS_CHANGED,
            [people.sara],
            partnership=hnt,
            headline=f"Sakspapir {i} endret",
            path=f"/hnt/intern/rad/sak/{i}/",
        )


def test_the_page_pins_its_query_count(
    as_person: Any, people: Any, hnt: Any, django_assert_num_queries: Any
) -> None:
    _notify(people, hnt, 1)
    services.set_delivery(people.sara, "digest")
    client = as_person("sara")
    assert client.get(URL).status_code == 200
    with django_assert_num_queries(PINNED):
        client.get(URL)


def test_the_page_does_not_grow_with_its_rows(as_person: Any, people: Any, hnt: Any) -> None:
    _notify(people, hnt, 1)
    client = as_person("sara")
    client.get(URL)
    with CaptureQueriesContext(connection) as before:
        first = client.get(URL)
    _notify(people, hnt, 20, start=1)
    with CaptureQueriesContext(connection) as after:
        second = client.get(URL)
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]
    assert len(second.content) > len(first.content)
