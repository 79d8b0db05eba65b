"""Throttling that cannot be used to lock the owner out (OWASP ASVS 5.0 6.3.1):
the (account, address) pair is locked, the account and the address are only
slowed down, the password change form is throttled too."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts import throttle
from accounts.models import LoginFailure
from conftest import log_in
from partnerships.demo import DEMO_PASSWORD

LENA = "lena@levanger.example"
LOCKED = "For mange mislykkede forsøk"


@pytest.fixture
def pauses(monkeypatch: Any, settings: Any) -> list[float]:
    """The delays the throttle asked for, instead of sleeping through them."""
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_COOLOFF_MINUTES = 15
    settings.LOGIN_MAX_DELAY_SECONDS = 8
    asked: list[float] = []
    monkeypatch.setattr(throttle, "pause", asked.append)
    return asked


def _from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def _login(client: Client, password: str = DEMO_PASSWORD, email: str = LENA) -> Any:
    return client.post("/konto/logg-inn/", {"email": email, "password": password})


def test_the_guessing_address_is_locked_for_that_account(people: Any, pauses: list[float]) -> None:
    attacker = _from("203.0.113.9")
    for _ in range(3):
        _login(attacker, "feil")
    refused = _login(attacker)  # even the right password, unchecked
    assert LOCKED in refused.content.decode()
    assert "_auth_user_id" not in attacker.session


def test_the_owner_logs_in_from_another_address_while_an_attacker_is_locked(
    people: Any, pauses: list[float]
) -> None:
    attacker = _from("203.0.113.9")
    for _ in range(3):
        _login(attacker, "feil")
    owner = _from("198.51.100.20")
    assert _login(owner).status_code == 302
    assert owner.get("/konto/").status_code == 200


def test_many_addresses_slow_the_account_down_but_never_refuse_the_owner(
    people: Any, pauses: list[float]
) -> None:
    for n in range(7):
        _login(_from(f"203.0.113.{n}"), "feil")
    # Each attempt is checked after a delay for the failures before it (limit 3).
    assert pauses == [0, 0, 0, 0, 1, 2, 4]
    owner = _from("198.51.100.20")
    response = _login(owner)
    assert response.status_code == 302
    assert pauses[-1] == 8  # slowed (capped at 8 s), not refused
    # The owner's success does not clear the attackers' failures.
    assert LoginFailure.objects.filter(email=LENA).count() == 7


def test_the_delay_grows_with_the_failures_and_is_capped(people: Any, pauses: list[float]) -> None:
    def delay(failures: int) -> float:
        LoginFailure.objects.all().delete()
        for n in range(failures):
            throttle.record_failure(LENA, f"203.0.113.{n}", LoginFailure.Kind.PASSWORD)
        return throttle.check(LENA, "198.51.100.20", LoginFailure.Kind.PASSWORD).delay_seconds

    assert [delay(n) for n in (0, 3, 4, 5, 6, 7, 12)] == [0, 0, 1, 2, 4, 8, 8]


def test_one_guesser_behind_a_shared_address_does_not_lock_out_colleagues(
    people: Any, pauses: list[float]
) -> None:
    office = "192.0.2.1"  # one NAT address for a whole hospital
    for n in range(40):  # one person tries many accounts from the office
        throttle.record_failure(f"person{n}@hnt-hf.example", office, LoginFailure.Kind.PASSWORD)
    colleague = _from(office)
    assert _login(colleague).status_code == 302
    assert pauses[-1] > 0  # the address is slowed down, not refused


def test_a_lock_ends_when_the_failures_leave_the_window(people: Any, pauses: list[float]) -> None:
    attacker = _from("203.0.113.9")
    for _ in range(3):
        _login(attacker, "feil")
    assert "15 minutter" in _login(attacker).content.decode()
    LoginFailure.objects.update(created=timezone.now() - timedelta(minutes=16))
    assert _login(attacker).status_code == 302


def test_refused_attempts_are_not_counted(people: Any, pauses: list[float]) -> None:
    attacker = _from("203.0.113.9")
    for _ in range(8):
        _login(attacker, "feil")
    assert LoginFailure.objects.filter(email=LENA).count() == 3


def test_the_password_change_form_throttles_wrong_old_passwords(
    people: Any, pauses: list[float]
) -> None:
    client = log_in(_from("203.0.113.9"), people.lena)
    new = "et-nytt-og-langt-passord-42"
    form = {"old_password": "feil", "new_password1": new, "new_password2": new}
    for _ in range(3):
        assert client.post("/konto/passord/", form).status_code == 200
    refused = client.post("/konto/passord/", {**form, "old_password": DEMO_PASSWORD})
    assert refused.status_code == 429
    assert LOCKED in refused.content.decode()
    people.lena.refresh_from_db()
    assert people.lena.check_password(DEMO_PASSWORD)
    # From the owner's own address the change goes through.
    owner = log_in(_from("198.51.100.20"), people.lena)
    done = owner.post("/konto/passord/", {**form, "old_password": DEMO_PASSWORD})
    assert done.status_code == 302
    people.lena.refresh_from_db()
    assert people.lena.check_password(new)
