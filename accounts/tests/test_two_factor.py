"""No way around the second factor: the admin behind Samspill's log-in, no new
key for a password-only session, recovery codes, a logged reset, sessions."""

from __future__ import annotations

from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode, RecoveryCodeDevice, User, UserSession
from conftest import log_in, totp_device, totp_now
from partnerships.demo import DEMO_PASSWORD

ROOT_PASSWORD = "et-langt-passord-for-roten"


def _password_step(client: Client, email: str, password: str = DEMO_PASSWORD) -> Any:
    return client.post("/konto/logg-inn/", {"email": email, "password": password})


def _wrong(device: TOTPDevice) -> str:
    return "000000" if totp_now(device) != "000000" else "111111"


@pytest.fixture
def root(people: Any) -> User:
    return User.objects.create_superuser(
        email="root@hnt.example", password=ROOT_PASSWORD, full_name="Rot Administrator"
    )


# --- the Django admin ------------------------------------------------------------


def test_the_admin_login_page_sends_people_to_samspills_login(root: User) -> None:
    client = Client()
    page = client.get("/django-admin/login/?next=/django-admin/")
    assert page.status_code == 302
    assert page["Location"].startswith("/konto/logg-inn/?next=")
    # The admin's own password form does not exist any more: a POST logs nobody in.
    posted = client.post(
        "/django-admin/login/", {"username": root.email, "password": ROOT_PASSWORD}
    )
    assert posted.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/django-admin/").status_code == 302


def test_the_admin_needs_a_session_verified_with_a_second_factor(root: User) -> None:
    device = totp_device(root)
    client = Client()
    client.force_login(root, backend="accounts.backends.EmailBackend")  # password only
    response = client.get("/django-admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/tofaktor/kode/")
    assert client.post("/konto/tofaktor/kode/", {"token": totp_now(device)}).status_code == 302
    assert client.get("/django-admin/").status_code == 200


def test_a_verified_person_without_admin_rights_is_refused(people: Any) -> None:
    client = log_in(Client(), people.sara)
    assert client.get("/django-admin/", follow=True).status_code == 403


def test_staff_accounts_need_two_factor(people: Any) -> None:
    from accounts.services import requires_two_factor

    lena = people.lena
    assert not requires_two_factor(lena)
    lena.is_staff = True
    assert requires_two_factor(lena)


# --- no new key for a password-only session -----------------------------------------


def test_a_password_only_session_is_never_offered_a_new_key(people: Any) -> None:
    device = totp_device(people.sara)
    client = Client()
    _password_step(client, "sara@hnt.example")
    page = client.get("/konto/tofaktor/oppsett/")
    assert page.status_code == 302
    assert page["Location"].startswith("/konto/tofaktor/kode/")
    client.post("/konto/tofaktor/oppsett/", {"token": "123456"})
    assert list(TOTPDevice.objects.filter(user=people.sara)) == [device]


def test_a_logged_in_session_without_the_second_factor_is_asked_for_the_code(people: Any) -> None:
    device = totp_device(people.sara)
    client = Client()
    client.force_login(people.sara, backend="accounts.backends.EmailBackend")
    for path in ("/hnt/intern/", "/konto/tofaktor/oppsett/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/konto/tofaktor/kode/"), path
    assert list(TOTPDevice.objects.filter(user=people.sara)) == [device]


def test_a_verified_person_replaces_the_app_and_the_old_one_stops_working(people: Any) -> None:
    old = totp_device(people.sara)
    client = log_in(Client(), people.sara)
    page = client.get("/konto/tofaktor/oppsett/")
    assert page.status_code == 200
    assert "xmlns" in page.context["qr"] or "xmlns%3D" in page.context["qr"]
    new = TOTPDevice.objects.get(user=people.sara, confirmed=False)
    response = client.post("/konto/tofaktor/oppsett/", {"token": totp_now(new)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert client.get("/hnt/intern/").status_code == 200
    history = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(TOTPDevice), object_pk=str(old.pk)
    )
    assert history.filter(action=LogEntry.Action.DELETE, actor=people.sara).exists()


# --- recovery codes -----------------------------------------------------------------


def _enrol(client: Client, user: User) -> list[str]:
    _password_step(client, user.email)
    client.get("/konto/tofaktor/oppsett/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/konto/tofaktor/oppsett/", {"token": totp_now(device)})
    assert response["Location"].startswith("/konto/tofaktor/koder/")
    page = client.get(response["Location"])
    return list(page.context["codes"])


def test_enrolment_shows_ten_recovery_codes_once_and_stores_only_digests(people: Any) -> None:
    TOTPDevice.objects.filter(user=people.sara).delete()
    client = Client()
    codes = _enrol(client, people.sara)
    assert len(codes) == 10 and len(set(codes)) == 10
    again = client.get("/konto/tofaktor/koder/")
    assert again.context["codes"] is None
    assert codes[0] not in again.content.decode()
    stored = list(
        RecoveryCode.objects.filter(device__user=people.sara).values_list("digest", flat=True)
    )
    assert len(stored) == 10
    assert not {c.replace("-", "") for c in codes} & set(stored)
    assert all(len(d) == 64 for d in stored)


def test_a_recovery_code_logs_in_once_and_leads_to_a_new_authenticator(people: Any) -> None:
    TOTPDevice.objects.filter(user=people.sara).delete()
    codes = _enrol(Client(), people.sara)
    phone = TOTPDevice.objects.get(user=people.sara, confirmed=True)

    lost = Client()  # the phone is lost: a new browser, the password and a code
    _password_step(lost, "sara@hnt.example")
    verify = lost.get("/konto/tofaktor/kode/")
    assert "/konto/tofaktor/gjenoppretting/" in verify.content.decode()
    used = lost.post("/konto/tofaktor/gjenoppretting/", {"code": codes[3].lower()})
    assert used.status_code == 302
    assert used["Location"].startswith("/konto/tofaktor/oppsett/")
    assert lost.get("/hnt/intern/").status_code == 200
    # Setting up the new phone replaces the lost one.
    lost.get("/konto/tofaktor/oppsett/")
    new = TOTPDevice.objects.get(user=people.sara, confirmed=False)
    lost.post("/konto/tofaktor/oppsett/", {"token": totp_now(new)})
    assert list(TOTPDevice.objects.filter(user=people.sara)) == [new]
    assert not TOTPDevice.objects.filter(pk=phone.pk).exists()

    # The same code never works twice (and the new enrolment replaced the codes anyway).
    again = Client()
    _password_step(again, "sara@hnt.example")
    refused = again.post("/konto/tofaktor/gjenoppretting/", {"code": codes[3]})
    assert refused.status_code == 200
    assert "_auth_user_id" not in again.session


def test_a_used_code_is_refused_and_the_use_is_in_the_audit_trail(people: Any) -> None:
    from accounts.services import new_recovery_codes

    totp_device(people.sara)
    codes = new_recovery_codes(people.sara)
    first = Client()
    _password_step(first, "sara@hnt.example")
    assert first.post("/konto/tofaktor/gjenoppretting/", {"code": codes[0]}).status_code == 302
    second = Client()
    _password_step(second, "sara@hnt.example")
    response = second.post("/konto/tofaktor/gjenoppretting/", {"code": codes[0]})
    assert response.status_code == 200
    assert "brukt" in response.content.decode()
    device = RecoveryCodeDevice.objects.get(user=people.sara)
    assert device.unused == 9
    uses = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(RecoveryCodeDevice),
        object_pk=str(device.pk),
        action=LogEntry.Action.UPDATE,
    )
    assert [(e.actor, e.changes_dict) for e in uses] == [
        (people.sara, {"recovery code": ["unused", "used"]})
    ]


def test_recovery_codes_are_throttled_like_the_code_from_the_app(
    people: Any, settings: Any
) -> None:
    from accounts.services import new_recovery_codes

    settings.LOGIN_MAX_FAILURES = 2
    totp_device(people.sara)
    codes = new_recovery_codes(people.sara)
    client = Client()
    _password_step(client, "sara@hnt.example")
    for _ in range(2):
        client.post("/konto/tofaktor/gjenoppretting/", {"code": "AAAAA-BBBBB"})
    blocked = client.post("/konto/tofaktor/gjenoppretting/", {"code": codes[0]})
    assert "For mange mislykkede forsøk" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    assert RecoveryCodeDevice.objects.get(user=people.sara).unused == 10


def test_another_administrator_resets_a_lost_second_factor_and_it_is_logged(
    people: Any, root: User
) -> None:
    from accounts.services import new_recovery_codes

    device = totp_device(people.sara)
    new_recovery_codes(people.sara)
    sara = log_in(Client(), people.sara)
    UserSession.objects.create(user=people.sara, session_key=str(sara.session.session_key))
    with pytest.raises(CommandError):
        call_command("reset_two_factor", "sara@hnt.example", "--by", "sara@hnt.example")
    with pytest.raises(CommandError):
        call_command("reset_two_factor", "sara@hnt.example", "--by", "lena@levanger.example")
    call_command("reset_two_factor", "sara@hnt.example", "--by", root.email)
    assert not TOTPDevice.objects.filter(user=people.sara).exists()
    assert not RecoveryCodeDevice.objects.filter(user=people.sara).exists()
    assert sara.get("/hnt/intern/").status_code == 302  # the session ended
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(TOTPDevice),
        object_pk=str(device.pk),
        action=LogEntry.Action.DELETE,
    )
    assert entry.actor == root
    # At the next log-in Sara sets up a new authenticator.
    client = Client()
    assert _password_step(client, "sara@hnt.example")["Location"].startswith(
        "/konto/tofaktor/oppsett/"
    )


# --- sessions -----------------------------------------------------------------------


def test_a_person_sees_their_sessions_and_ends_the_others(people: Any) -> None:
    laptop, phone = Client(HTTP_USER_AGENT="Laptop"), Client(HTTP_USER_AGENT="Telefon")
    _password_step(laptop, "lena@levanger.example")
    _password_step(phone, "lena@levanger.example")
    page = laptop.get("/konto/okter/")
    assert page.status_code == 200
    assert {s.user_agent for s in page.context["sessions"]} == {"Laptop", "Telefon"}
    assert "denne økten" in page.content.decode()
    laptop.post("/konto/okter/", {"scope": "others"})
    assert phone.get("/konto/").status_code == 302
    assert laptop.get("/konto/").status_code == 200
    assert [s.user_agent for s in laptop.get("/konto/okter/").context["sessions"]] == ["Laptop"]


def test_log_out_everywhere_ends_this_session_too(people: Any) -> None:
    laptop, phone = Client(), Client()
    _password_step(laptop, "lena@levanger.example")
    _password_step(phone, "lena@levanger.example")
    response = laptop.post("/konto/okter/", {"scope": "all"})
    assert response.status_code == 302
    assert laptop.get("/konto/").status_code == 302
    assert phone.get("/konto/").status_code == 302
    assert not Session.objects.filter(
        session_key__in=UserSession.objects.values_list("session_key", flat=True)
    ).exists()


def test_the_sessions_page_needs_a_log_in() -> None:
    assert Client().get("/konto/okter/").status_code == 302
