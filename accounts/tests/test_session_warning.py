"""The warning before an idle log-out (WCAG 2.2.1): what the page is told
and what "Stay logged in" does on the server. The dialog itself is tested in
the browser (tests/browser/test_session_warning.py)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.sessions.models import Session
from django.utils import timezone

from conftest import log_in


def test_logged_in_pages_carry_the_warning_with_the_idle_time(
    as_person: Any, settings: Any
) -> None:
    settings.SESSION_COOKIE_AGE = 45 * 60
    page = as_person("hanne").get("/hnt/intern/").content.decode()
    assert 'id="session-warning"' in page
    assert 'data-idle-seconds="2700"' in page and 'data-warn-seconds="120"' in page
    assert "logget ut om 2 minutter" in page
    assert "session-warning.js" in page


def test_a_short_idle_time_warns_at_half_of_it(as_person: Any, settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = 90
    page = as_person("hanne").get("/hnt/intern/").content.decode()
    assert 'data-warn-seconds="45"' in page
    assert "logget ut om 1 minutt." in page


def test_the_public_gets_no_warning(client: Any, people: Any) -> None:
    page = client.get("/hnt/").content.decode()
    assert "session-warning" not in page


def test_staying_logged_in_moves_the_end_of_the_session(client: Any, people: Any) -> None:
    log_in(client, people.hanne)
    client.get("/hnt/intern/")
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + datetime.timedelta(seconds=30)
    )
    response = client.post("/konto/okt/forleng/")
    assert response.status_code == 204
    assert response["Cache-Control"].startswith("max-age=0")
    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + datetime.timedelta(minutes=20)
