from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import LoginFailure
from conftest import totp_device, totp_now
from partnerships.demo import DEMO_PASSWORD


def _password_step(client: Client, email: str, password: str = DEMO_PASSWORD, **extra: Any) -> Any:
    return client.post("/konto/logg-inn/", {"email": email, "password": password, **extra})


def test_a_coordinator_logs_in_with_password_alone(people: Any) -> None:
    client = Client()
    response = _password_step(client, "lena@levanger.example")
    assert response.status_code == 302
    assert response["Location"] == "/konto/start/"
    assert client.get("/konto/").context["user"] == people.lena


def test_it_rotates_the_session_key_at_login(people: Any) -> None:
    client = Client()
    client.get("/konto/logg-inn/")
    session = client.session
    session["before"] = 1
    session.save()
    before = client.session.session_key
    _password_step(client, "lena@levanger.example")
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_it_rejects_a_wrong_password_without_saying_which_part_was_wrong(people: Any) -> None:
    response = _password_step(Client(), "lena@levanger.example", "wrong")
    assert response.status_code == 200
    assert "E-postadressen eller passordet er feil" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_it_keeps_the_typed_email_after_a_failed_login(people: Any) -> None:
    response = _password_step(Client(), "lena@levanger.example", "wrong")
    assert 'value="lena@levanger.example"' in response.content.decode()


def test_it_sends_the_secretariat_to_two_factor_setup_first(people: Any) -> None:
    client = Client()
    response = _password_step(client, "sara@hnt.example")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/tofaktor/oppsett/")
    # Not logged in yet: the internal pages still ask for a log-in.
    assert client.get("/hnt/intern/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_setting_up_totp_completes_the_login(people: Any) -> None:
    client = Client()
    _password_step(client, "sara@hnt.example")
    page = client.get("/konto/tofaktor/oppsett/")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.content.decode()
    assert "xmlns" in page.context["qr"]
    device = TOTPDevice.objects.get(user=people.sara, confirmed=False)
    response = client.post("/konto/tofaktor/oppsett/", {"token": totp_now(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/hnt/intern/").status_code == 200


def test_a_person_with_totp_must_give_a_code(people: Any) -> None:
    device = totp_device(people.sara)
    client = Client()
    response = _password_step(client, "sara@hnt.example")
    assert response["Location"].startswith("/konto/tofaktor/kode/")
    wrong = client.post(
        "/konto/tofaktor/kode/", {"token": "000000" if totp_now(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    ok = client.post("/konto/tofaktor/kode/", {"token": totp_now(device)})
    assert ok.status_code == 302
    assert client.get("/hnt/intern/personer/").status_code == 200


def test_it_throttles_after_repeated_failures_with_a_cool_off(people: Any, settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_COOLOFF_MINUTES = 15
    client = Client()
    for _ in range(3):
        _password_step(client, "lena@levanger.example", "wrong")
    # Even the right password is refused during the cool-off, without being checked.
    blocked = _password_step(client, "lena@levanger.example")
    assert blocked.status_code == 200
    assert "For mange mislykkede forsøk" in blocked.content.decode()
    assert "15 minutter" in blocked.content.decode()
    # Not a permanent lock: once the failures are older than the window, it works.
    LoginFailure.objects.update(created=timezone.now() - timedelta(minutes=16))
    assert _password_step(client, "lena@levanger.example").status_code == 302


def test_the_throttle_does_not_count_refused_attempts(people: Any, settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 2
    client = Client()
    for _ in range(6):
        _password_step(client, "lena@levanger.example", "wrong")
    assert LoginFailure.objects.count() == 2


def test_it_throttles_wrong_two_factor_codes(people: Any, settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 2
    device = totp_device(people.sara)
    client = Client()
    _password_step(client, "sara@hnt.example")
    bad = "000000" if totp_now(device) != "000000" else "111111"
    for _ in range(2):
        client.post("/konto/tofaktor/kode/", {"token": bad})
    blocked = client.post("/konto/tofaktor/kode/", {"token": totp_now(device)})
    assert "For mange mislykkede forsøk" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_new_secretariat_role_forces_two_factor_before_anything_else(people: Any) -> None:
    from partnerships.models import Partnership, PartnershipRole

    client = Client()
    _password_step(client, "lena@levanger.example")
    PartnershipRole.objects.create(
        user=people.lena, partnership=Partnership.objects.get(slug="hnt"), role="secretariat"
    )
    response = client.get("/hnt/intern/personer/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/tofaktor/oppsett/")


def test_it_ends_idle_sessions(people: Any, settings: Any) -> None:
    client = Client()
    _password_step(client, "lena@levanger.example")
    assert client.get("/konto/").status_code == 200
    # Every request moves the expiry forward by the idle timeout...
    stored = Session.objects.get(session_key=client.session.session_key)
    remaining = stored.expire_date - timezone.now()
    assert abs(remaining.total_seconds() - settings.SESSION_COOKIE_AGE) < 60
    # ...and a session left idle past it is no longer a log-in.
    Session.objects.filter(pk=stored.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/konto/").status_code == 302


def test_logout_needs_post(people: Any) -> None:
    client = Client()
    _password_step(client, "lena@levanger.example")
    assert client.get("/konto/logg-ut/").status_code == 405
    assert client.post("/konto/logg-ut/").status_code == 302
    assert client.get("/konto/").status_code == 302


def test_it_ignores_a_next_url_to_another_site(people: Any) -> None:
    response = _password_step(Client(), "lena@levanger.example", next="https://evil.example/")
    assert response["Location"] == "/konto/start/"


def test_password_reset_sends_a_link_by_email(people: Any) -> None:
    client = Client()
    response = client.post("/konto/glemt-passord/", {"email": "lena@levanger.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(line for line in body.splitlines() if "/konto/tilbakestill/" in line)
    path = link[link.index("/konto/") :]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    new = "et-nytt-og-langt-passord-42"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    people.lena.refresh_from_db()
    assert people.lena.check_password(new)


def test_password_reset_does_not_reveal_unknown_addresses(people: Any) -> None:
    response = Client().post("/konto/glemt-passord/", {"email": "ingen@example.invalid"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["LENA@Levanger.example", " lena@levanger.example "])
def test_it_accepts_the_email_in_any_case(people: Any, email: str) -> None:
    assert _password_step(Client(), email).status_code == 302


def test_the_client_address_comes_from_the_proxy_only_behind_one(settings: Any) -> None:
    from django.test import RequestFactory

    from accounts.services import client_ip

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "10.0.0.1"
    settings.BEHIND_PROXY = True
    assert client_ip(request) == "203.0.113.7"
