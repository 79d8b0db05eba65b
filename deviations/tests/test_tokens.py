"""API tokens: who issues and revokes them, shown once, stored only as a
hash, one token per click, and the page's query count."""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deviations import tokens
from deviations.models import OrganisationToken
from deviations.tests.test_api import URL, bearer, hnt_hf, levanger, make_token, namsos, stjordal
from tests.matrix import PEOPLE

PAGE = "/{slug}/intern/avvik/api-nokler/"
CREATE = "/{slug}/intern/avvik/api-nokler/ny/"
REVOKE = "/{slug}/intern/avvik/api-nokler/{pk}/trekk-tilbake/"
SHOWN = re.compile(r'id="new-token" value="([^"]+)" readonly')


def _expect(allowed: int, *, others: dict[str, int] | None = None) -> dict[str, int]:
    """HNT: the secretariat, administrators and the coordinators and leaders
    of parties may; the observer is an insider without the right (403);
    the other partnership's people and the outsider get 404."""
    result = {
        "anon": 302,
        "sara": allowed,
        "ada": allowed,
        "lena": allowed,
        "nils": allowed,
        "hanne": allowed,
        "stine": 403,
        "siri": allowed,
        "kai": allowed,  # for Frosta, which Kai coordinates
        "tor": 404,
        "petter": 404,
        "otto": 404,
    }
    result.update(others or {})
    return result


def _client(as_person: Any, key: str) -> Client:
    client: Client = as_person(None if key == "anon" else key)
    return client


def _form(organisation: Any, name: str = "Synergi-integrasjon", key: str = "") -> dict[str, str]:
    return {
        "organisation": str(organisation.pk),
        "name": name,
        "client_key": key or str(uuid.uuid4()),
    }


def test_the_page_permission_matrix(as_person: Any, people: Any) -> None:
    url = PAGE.format(slug="hnt")
    got = {p: _client(as_person, p).get(url).status_code for p in PEOPLE}
    assert got == _expect(200)


def test_the_other_partnerships_page_permission_matrix(as_person: Any, people: Any) -> None:
    url = PAGE.format(slug="stolav")
    got = {p: _client(as_person, p).get(url).status_code for p in PEOPLE}
    assert got == {
        **dict.fromkeys(PEOPLE, 404),
        "anon": 302,
        "siri": 200,  # Stjørdal takes part in both
        "kai": 200,  # so does Frosta
        "tor": 200,
        "petter": 200,
        "stine": 403,
    }


def test_issuing_permission_matrix(as_person: Any, people: Any) -> None:
    """An empty form comes back with its errors (400) for those who may issue."""
    url = CREATE.format(slug="hnt")
    got = {p: _client(as_person, p).post(url, {}).status_code for p in PEOPLE}
    assert got == _expect(400)
    assert not OrganisationToken.objects.exists()


def test_revoking_permission_matrix(as_person: Any, people: Any) -> None:
    """A Levanger token: revoked by the secretariat and Levanger's coordinator;
    for coordinators of other parties it does not exist (404)."""
    make_token(people, levanger())
    row = OrganisationToken.objects.get()
    url = REVOKE.format(slug="hnt", pk=row.pk)
    got = {}
    for person in PEOPLE:
        got[person] = _client(as_person, person).post(url).status_code
        OrganisationToken.objects.update(revoked_at=None)
    assert got == _expect(
        302, others={"nils": 404, "hanne": 404, "siri": 404, "kai": 404, "stine": 403}
    )


def test_writes_are_post_only(as_person: Any, people: Any) -> None:
    make_token(people, levanger())
    pk = OrganisationToken.objects.get().pk
    client = _client(as_person, "sara")
    assert client.get(CREATE.format(slug="hnt")).status_code == 405
    assert client.get(REVOKE.format(slug="hnt", pk=pk)).status_code == 405


def test_the_token_is_shown_once_in_a_labelled_read_only_field(as_person: Any, people: Any) -> None:
    client = _client(as_person, "lena")
    response = client.post(CREATE.format(slug="hnt"), _form(levanger()))
    assert response.status_code == 200
    page = response.content.decode()
    shown = SHOWN.findall(page)
    assert len(shown) == 1
    token = shown[0]
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert '<label class="ds-label" for="new-token">' in page
    assert "no-store" in response["Cache-Control"]
    row = OrganisationToken.objects.get()
    assert (row.organisation, row.name, row.created_by) == (
        levanger(),
        "Synergi-integrasjon",
        people.lena,
    )
    # It works, for Levanger …
    assert Client().get(URL, headers=bearer(token)).status_code == 200
    # … and is never shown again.
    again = client.get(PAGE.format(slug="hnt")).content.decode()
    assert token not in again
    assert 'id="new-token"' not in again
    assert "Synergi-integrasjon" in again


def test_the_token_is_never_stored_in_clear(people: Any) -> None:
    token = make_token(people, levanger())
    row = OrganisationToken.objects.get()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(v) for v in OrganisationToken.objects.filter(pk=row.pk).values().get().values()]
    assert not any(token in value for value in stored)
    assert token not in str(row)
    assert not any(token in str(e.changes) for e in LogEntry.objects.all())


def test_a_double_submit_makes_one_token(as_person: Any, people: Any) -> None:
    client = _client(as_person, "lena")
    form = _form(levanger())
    first = client.post(CREATE.format(slug="hnt"), form)
    second = client.post(CREATE.format(slug="hnt"), form)
    assert first.status_code == 200 and len(SHOWN.findall(first.content.decode())) == 1
    assert second.status_code == 302
    assert OrganisationToken.objects.count() == 1
    # A new click (a new key) makes a new one.
    third = client.post(CREATE.format(slug="hnt"), _form(levanger()))
    assert len(SHOWN.findall(third.content.decode())) == 1
    assert OrganisationToken.objects.count() == 2


def test_the_client_key_is_remembered_in_the_stored_session(people: Any) -> None:
    """Two submits at once: the second reads the key the first wrote to the
    session store, not its own stale copy of the session."""
    from django.contrib.sessions.backends.db import SessionStore

    from partnerships.access import PartnershipAccess
    from partnerships.models import Partnership

    first_copy = SessionStore()
    first_copy["x"] = 1
    first_copy.create()
    stale_copy = SessionStore(session_key=first_copy.session_key)
    stale_copy.load()
    access = PartnershipAccess.for_user(Partnership.objects.get(slug="hnt"), people.sara)
    key = uuid.uuid4()
    made = tokens.issue_token_once(
        access, levanger(), name="A", by=people.sara, client_key=key, session=first_copy
    )
    again = tokens.issue_token_once(
        access, levanger(), name="A", by=people.sara, client_key=key, session=stale_copy
    )
    assert made is not None and again is None
    assert OrganisationToken.objects.count() == 1


@pytest.mark.parametrize(
    ("person", "organisation", "allowed"),
    [
        ("lena", levanger, True),
        ("lena", namsos, False),  # not her party
        ("lena", hnt_hf, False),
        ("hanne", hnt_hf, True),  # leader at the HF
        ("siri", stjordal, True),
        ("sara", namsos, True),  # the secretariat: any party
        ("ada", hnt_hf, True),
    ],
)
def test_coordinators_issue_tokens_only_to_their_own_parties(
    as_person: Any, people: Any, person: str, organisation: Any, allowed: bool
) -> None:
    response = _client(as_person, person).post(CREATE.format(slug="hnt"), _form(organisation()))
    assert response.status_code == (200 if allowed else 400)
    assert OrganisationToken.objects.filter(organisation=organisation()).exists() == allowed


def test_the_list_shows_the_own_parties_tokens(as_person: Any, people: Any) -> None:
    make_token(people, levanger())
    make_token(people, namsos())
    OrganisationToken.objects.filter(organisation=levanger()).update(name="Levanger Synergi")
    OrganisationToken.objects.filter(organisation=namsos()).update(name="Namsos Synergi")
    lena = _client(as_person, "lena").get(PAGE.format(slug="hnt")).content.decode()
    assert "Levanger Synergi" in lena and "Namsos Synergi" not in lena
    sara = _client(as_person, "sara").get(PAGE.format(slug="hnt")).content.decode()
    assert "Levanger Synergi" in sara and "Namsos Synergi" in sara
    for row in OrganisationToken.objects.all():
        assert REVOKE.format(slug="hnt", pk=row.pk) in sara
        assert (REVOKE.format(slug="hnt", pk=row.pk) in lena) == (row.organisation == levanger())


def test_revoking_stops_the_token_at_once(as_person: Any, people: Any) -> None:
    token = make_token(people, levanger())
    assert Client().get(URL, headers=bearer(token)).status_code == 200
    row = OrganisationToken.objects.get()
    response = _client(as_person, "lena").post(REVOKE.format(slug="hnt", pk=row.pk))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert Client().get(URL, headers=bearer(token)).status_code == 401
    # Revoked stays revoked; the list says so and offers no button.
    page = _client(as_person, "lena").get(PAGE.format(slug="hnt")).content.decode()
    assert REVOKE.format(slug="hnt", pk=row.pk) not in page


def test_a_token_of_another_partnership_cannot_be_revoked_here(as_person: Any, people: Any) -> None:
    make_token(people, stjordal(), slug="stolav")
    row = OrganisationToken.objects.get()
    # Siri coordinates Stjørdal in both; under /hnt/ the St. Olavs token is not there.
    response = _client(as_person, "siri").post(REVOKE.format(slug="hnt", pk=row.pk))
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None


def test_last_use_is_recorded_once_a_day(people: Any) -> None:
    token = make_token(people, levanger())
    assert OrganisationToken.objects.get().last_used_on is None
    found = tokens.verify_token(token)
    assert found is not None and found.last_used_on is not None
    with CaptureQueriesContext(connection) as queries:
        assert tokens.verify_token(token) is not None
    assert len(queries) == 1
    assert tokens.verify_token("x" + token) is None


# Every page for a logged-in, two-factor-verified secretariat member costs 9
# queries (see followups/tests/test_queries.py: session, user, OTP device,
# partnership, roles + memberships, session save in a savepoint).
BASE = 9


@pytest.mark.parametrize(
    ("person", "pinned"),
    [
        # + the parties, the tokens with party and creator, the parties for
        #   the form's choices
        ("sara", BASE + 3),
        # the same for a coordinator: the parties she handles come with her
        # access (per-party roles), no query of their own
        ("lena", BASE + 3),
    ],
)
def test_the_page_pins_its_query_count(
    as_person: Any, people: Any, person: str, pinned: int
) -> None:
    client = _client(as_person, person)
    url = PAGE.format(slug="hnt")
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert count() == pinned
    for _ in range(10):
        make_token(people, levanger())
        make_token(people, namsos())
    OrganisationToken.objects.filter(pk__in=OrganisationToken.objects.values("pk")[:5]).update(
        last_used_on="2026-01-01"
    )
    assert count() == pinned
