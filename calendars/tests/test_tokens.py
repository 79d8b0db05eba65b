"""Secret links: made, shown once, stored only as a hash, rotated and revoked,
and the day of last use recorded without a write per fetch."""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from calendars import services
from calendars.models import CalendarToken
from calendars.tests.conftest import events, fetch, personal_url, site_path

MANAGE = "/kalender/"
CREATE = "/kalender/ny-lenke/"
REVOKE = "/kalender/opphev-lenke/"
LINK = re.compile(r'id="calendar-link" value="([^"]+)" readonly')


def _shown_link(response: Any) -> str:
    assert response.status_code == 200
    found = LINK.findall(response.content.decode())
    assert len(found) == 1
    return found[0]


def test_a_token_has_at_least_32_random_bytes_and_only_its_hash_is_stored(people: Any) -> None:
    token = services.create_token(people.lena)
    assert len(token) >= 43  # 32 bytes, URL-safe base64
    row = CalendarToken.objects.get(user=people.lena)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(v) for v in CalendarToken.objects.filter(pk=row.pk).values().get().values()]
    assert not any(token in value for value in stored)
    assert token not in str(row)
    assert row.token_hash not in str(row)


def test_the_page_shows_the_new_link_once_in_a_labelled_read_only_field(
    as_person: Any, people: Any
) -> None:
    client = as_person("lena")
    response = client.post(CREATE)
    link = _shown_link(response)
    page = response.content.decode()
    assert '<label class="ds-label" for="calendar-link">' in page
    assert "no-store" in response["Cache-Control"]
    assert link.startswith(settings.SITE_URL + "/kalender/") and link.endswith(".ics")
    assert events(fetch(site_path(link)))
    token = site_path(link).removeprefix("/kalender/").removesuffix(".ics")
    # Never again: not on the page, nowhere in the database.
    again = client.get(MANAGE).content.decode()
    assert token not in again
    assert 'id="calendar-link"' not in again
    assert not CalendarToken.objects.filter(token_hash=token).exists()


def test_the_page_says_when_the_link_was_made_and_last_used(as_person: Any, people: Any) -> None:
    client = as_person("nils")
    assert 'action="/kalender/opphev-lenke/"' not in client.get(MANAGE).content.decode()
    row_created = timezone.localtime(timezone.now()).date()
    link = _shown_link(client.post(CREATE))
    page = client.get(MANAGE).content.decode()
    assert f'datetime="{row_created:%Y-%m-%d}' in page
    assert 'action="/kalender/opphev-lenke/"' in page
    CalendarToken.objects.filter(user=people.nils).update(
        last_used_on=datetime.date(2026, 3, 4), created=timezone.now()
    )
    assert 'datetime="2026-03-04"' in client.get(MANAGE).content.decode()
    fetch(site_path(link))
    today = timezone.localdate()
    assert f'datetime="{today:%Y-%m-%d}"' in client.get(MANAGE).content.decode()


def test_a_new_link_revokes_the_old_one(as_person: Any, people: Any) -> None:
    client = as_person("lena")
    first = site_path(_shown_link(client.post(CREATE)))
    assert fetch(first).status_code == 200
    second = site_path(_shown_link(client.post(CREATE)))
    assert first != second
    assert fetch(first).status_code == 404
    assert fetch(second).status_code == 200
    assert CalendarToken.objects.filter(user=people.lena).count() == 2
    assert CalendarToken.objects.filter(user=people.lena, revoked_at=None).count() == 1


def test_a_double_submit_leaves_one_working_link_the_one_shown_last(
    as_person: Any, people: Any
) -> None:
    client = as_person("lena")
    shown = [site_path(_shown_link(client.post(CREATE))) for _ in range(2)]
    assert CalendarToken.objects.filter(user=people.lena, revoked_at=None).count() == 1
    assert [fetch(url).status_code for url in shown] == [404, 200]


def test_revoking_stops_the_link(as_person: Any, people: Any) -> None:
    client = as_person("lena")
    link = site_path(_shown_link(client.post(CREATE)))
    response = client.post(REVOKE)
    assert response.status_code == 302 and response["Location"] == MANAGE
    assert fetch(link).status_code == 404
    assert CalendarToken.objects.get(user=people.lena).revoked_at is not None
    assert 'action="/kalender/opphev-lenke/"' not in client.get(MANAGE).content.decode()
    # Revoking again changes nothing.
    assert client.post(REVOKE).status_code == 302
    assert services.revoke_tokens(people.lena) == 0


def test_a_wrong_token_is_404(people: Any) -> None:
    services.create_token(people.lena)
    assert fetch("/kalender/" + "A" * 43 + ".ics").status_code == 404
    assert fetch("/kalender/kort.ics").status_code == 404
    assert fetch("/kalender/" + "A" * 43).status_code == 404


def test_a_hash_is_not_a_key(people: Any) -> None:
    services.create_token(people.lena)
    stored = CalendarToken.objects.get(user=people.lena).token_hash
    assert fetch(f"/kalender/{stored}.ics").status_code == 404


def test_one_persons_link_does_not_survive_a_deactivated_account(people: Any) -> None:
    url = personal_url(people.lena)
    people.lena.is_active = False
    people.lena.save(update_fields=["is_active"])
    assert fetch(url).status_code == 404


def test_each_person_has_their_own_link(people: Any) -> None:
    lena = personal_url(people.lena)
    nils = personal_url(people.nils)
    services.revoke_tokens(people.nils)
    assert fetch(lena).status_code == 200
    assert fetch(nils).status_code == 404


def test_the_day_of_last_use_is_written_at_most_once_a_day(
    people: Any, django_assert_num_queries: Any
) -> None:
    url = personal_url(people.lena)
    row = CalendarToken.objects.get(user=people.lena)
    assert row.last_used_on is None
    # The link with its person, the day of use, the meetings.
    with django_assert_num_queries(3):
        fetch(url)
    row.refresh_from_db()
    assert row.last_used_on == timezone.localdate()
    # The same day: no write.
    with django_assert_num_queries(2):
        fetch(url)
    CalendarToken.objects.filter(pk=row.pk).update(
        last_used_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    with django_assert_num_queries(3):
        fetch(url)
    row.refresh_from_db()
    assert row.last_used_on == timezone.localdate()


def test_making_and_revoking_links_is_in_the_audit_trail_without_the_secret(
    as_person: Any, people: Any
) -> None:
    client = as_person("lena")
    token = site_path(_shown_link(client.post(CREATE))).removeprefix("/kalender/")[:-4]
    client.post(CREATE)
    client.post(REVOKE)
    row_hashes = list(CalendarToken.objects.values_list("token_hash", flat=True))
    entries = list(
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(CalendarToken))
    )
    actions = sorted(e.action for e in entries)
    # Two created, the first revoked by the second, the second revoked.
    assert actions == [
        LogEntry.Action.CREATE,
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.UPDATE,
    ]
    assert all(e.actor == people.lena for e in entries)
    for entry in entries:
        dump = f"{entry.object_repr} {entry.changes} {entry.changes_text}"
        assert token not in dump
        assert "token_hash" not in dump
        assert not any(h in dump for h in row_hashes)
