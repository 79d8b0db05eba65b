"""Two people at once, on PostgreSQL (SQLite ignores select_for_update and
serialises writers, so these only mean something there)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from core.services import EditConflict, save_versioned
from partnerships import services
from partnerships.demo import build_demo
from partnerships.models import Contact, Invitation, Membership, Organisation, Partnership

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="locking behaviour needs PostgreSQL"
    ),
]


def _race(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(i: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = action()
        except Exception as error:  # noqa: BLE001 - the result is what we inspect
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_clicks_on_one_invitation_give_one_membership(transactional_db: Any) -> None:
    people = build_demo()
    invitation, _ = services.invite(
        partnership=Partnership.objects.get(slug="hnt"),
        organisation=Organisation.objects.get(municipality_number="5037"),
        email="kari@levanger.example",
        full_name="Kari",
        role="member",
        invited_by=people["sara"],
    )

    def accept() -> Any:
        return services.accept_invitation(
            Invitation.objects.get(pk=invitation.pk), password="langt-og-trygt-1"
        )

    results = _race(accept, accept)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert Membership.objects.filter(user__email="kari@levanger.example").count() == 1


def test_two_people_saving_the_same_contact_do_not_overwrite_each_other(
    transactional_db: Any,
) -> None:
    build_demo()
    contact = Contact.objects.get(organisation__municipality_number="5037")

    def save(phone: str) -> Callable[[], Any]:
        def action() -> Any:
            mine = Contact.objects.get(pk=contact.pk)
            mine.phone = phone
            return save_versioned(mine, 0, ["phone"])

        return action

    results = _race(save("11 11 11 11"), save("22 22 22 22"))
    conflicts = [r for r in results if isinstance(r, EditConflict)]
    assert len(conflicts) == 1, results
    contact.refresh_from_db()
    assert contact.version == 1
    assert contact.phone in {"11 11 11 11", "22 22 22 22"}


def test_two_secretaries_inviting_the_same_person_give_one_invitation(
    transactional_db: Any,
) -> None:
    people = build_demo()
    hnt = Partnership.objects.get(slug="hnt")
    levanger = Organisation.objects.get(municipality_number="5037")

    def invite(by: str) -> Callable[[], Any]:
        return lambda: services.invite(
            partnership=hnt,
            organisation=levanger,
            email="kari@levanger.example",
            full_name="Kari",
            role="member",
            invited_by=people[by],
        )

    results = _race(invite("sara"), invite("ada"))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Invitation.objects.filter(email="kari@levanger.example").count() == 1
