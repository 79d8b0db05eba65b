"""Single sign-on against a real OpenID Connect provider started here
(node-oidc-provider, tests/oidc): the whole code flow in Chromium with PKCE
and ``private_key_jwt``, and each way it must fail (wrong state, wrong nonce,
an expired or tampered ID token, an unknown issuer, nobody invited) with a
clear message and no session. The provider sends the fødselsnummer (``pid``)
as ID-porten does; nothing in the database or the logs holds it afterwards."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import time_machine
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import mail
from django.utils import timezone

from accounts import sso
from accounts.models import ExternalIdentity, User, UserSession
from conftest import totp_device, totp_now
from core.identity_numbers import is_identity_number
from partnerships import services as partnership_services
from partnerships.models import Membership, Organisation, Partnership
from tests.oidc.runner import ID_TOKEN_TTL, TestProvider

pytestmark = pytest.mark.browser


def _test_pid(serial: int) -> str:
    """A fødselsnummer that passes the checksums (born 1 January 1990)."""
    for individual in range(serial, 1000):
        for checks in range(100):
            candidate = f"010190{individual:03d}{checks:02d}"
            if is_identity_number(candidate):
                return candidate
    raise AssertionError("no valid test number")


PID = _test_pid(123)
OTHER_PID = _test_pid(456)


@pytest.fixture(scope="session")
def provider_process(live_server: Any) -> Iterator[TestProvider]:
    running = TestProvider(live_server.url)
    yield running
    running.stop()


@pytest.fixture
def provider(settings: Any, provider_process: TestProvider) -> TestProvider:
    settings.SAMSPILL_OIDC_PROVIDERS = provider_process.settings()
    return provider_process


@pytest.fixture
def invited(transactional_db: Any, browser_people: Any) -> dict[str, Any]:
    """A new person invited to a kommune of the demo partnership; the
    invitation's link as the e-mail gives it."""
    partnership = Partnership.objects.get(slug="hnt")
    organisation = (
        Organisation.objects.filter(participations__partnership=partnership, kind="kommune")
        .order_by("name")
        .first()
    )
    assert organisation is not None
    mail.outbox.clear()
    partnership_services.invite(
        partnership=partnership,
        organisation=organisation,
        email="kari.nordmann@kommune.example",
        full_name="Kari Nordmann",
        role="member",
        invited_by=browser_people["sara"],
    )
    link = re.search(r"https?://\S+/konto/invitasjon/\S+/", str(mail.outbox[-1].body))
    assert link is not None
    return {"path": urlsplit(link.group(0)).path, "organisation": organisation, **browser_people}


def _at_provider(v: Any, provider: TestProvider, pid: str, acr: str) -> None:
    v.page.wait_for_url(provider.issuer + "/interaction/**")
    v.page.get_by_label("Fødselsnummer (test)").fill(pid)
    v.page.get_by_label("Sikkerhetsnivå").select_option(acr)


def _provider_login(
    v: Any, provider: TestProvider, pid: str, acr: str = "idporten-loa-substantial"
) -> None:
    _at_provider(v, provider, pid, acr)
    v.page.get_by_role("button", name="Logg inn").click()
    v.page.wait_for_url(v.base_url + "/**")
    v.page.wait_for_load_state()


def _logged_in_user(v: Any) -> int | None:
    """Whose session the browser holds in Samspill, if anybody's."""
    for cookie in v.page.context.cookies(v.base_url):
        if cookie["name"] == "sessionid":
            session = Session.objects.filter(session_key=cookie["value"]).first()
            if session is not None:
                found = session.get_decoded().get("_auth_user_id")
                return int(found) if found else None
    return None


def _everything_stored() -> str:
    """Every row of every table, session contents decoded, as text."""
    parts = []
    for model in apps.get_models():
        for row in model._default_manager.all().values():
            parts.append(repr(row))
    for session in Session.objects.all():
        parts.append(repr(session.get_decoded()))
    return "\n".join(parts)


def test_an_invited_person_signs_in_and_out_and_the_pid_is_kept_nowhere(
    visit: Any, provider: TestProvider, invited: dict[str, Any], caplog: Any, monkeypatch: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[dict[str, Any]] = []
    real_fetch = sso.fetch_token

    def spy(*args: Any, **kwargs: Any) -> Any:
        token = real_fetch(*args, **kwargs)
        payload = token["id_token"].split(".")[1]
        seen.append(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
        return token

    monkeypatch.setattr(sso, "fetch_token", spy)
    v = visit()
    v.go(invited["path"])
    v.check_accessibility()
    v.page.get_by_role("link", name="Test-ID").click()
    _provider_login(v, provider, PID)
    assert "/hnt/" in v.page.url, v.page.url
    assert "Velkommen" in v.page.locator("main").inner_text()
    v.check_accessibility()

    kari = User.objects.get(email="kari.nordmann@kommune.example")
    assert not kari.has_usable_password()
    assert _logged_in_user(v) == kari.pk
    assert Membership.objects.current().filter(user=kari, organisation=invited["organisation"])
    identity = ExternalIdentity.objects.get(user=kari)
    assert identity.provider == "testid"
    assert identity.issuer == provider.issuer
    assert identity.linked_how == ExternalIdentity.LinkedHow.INVITATION
    login = UserSession.objects.get(user=kari)
    assert (login.provider, login.assurance) == ("testid", "idporten-loa-substantial")
    assert not login.second_factor

    # The provider did send the pid, with PKCE and private_key_jwt accepted.
    assert seen and seen[0]["pid"] == PID and seen[0]["sub"] == identity.subject
    stored = _everything_stored()
    assert identity.subject in stored  # the search reads the tables
    assert PID not in stored
    logged = "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
    assert PID not in logged

    # Her pages say how she logged in and which log-in is linked.
    v.go("/konto/okter/")
    assert "Test-ID (idporten-loa-substantial)" in v.page.locator("table").inner_text()
    v.check_accessibility()
    v.go("/konto/")
    assert "Test-ID, koblet" in v.page.locator("main").inner_text()
    v.check_accessibility()

    # Log out: Samspill's session ends, and the provider's log-out is offered.
    v.page.get_by_role("button", name="Logg ut").first.click()
    v.page.wait_for_load_state()
    assert "/konto/logget-ut/" in v.page.url
    assert _logged_in_user(v) is None
    v.check_accessibility()
    v.page.get_by_role("link", name="Logg ut av Test-ID").click()
    v.page.get_by_role("button", name="Ja, logg ut").click()
    v.page.wait_for_url(v.base_url + "/konto/logget-ut/**")
    assert _logged_in_user(v) is None

    # The next time, from the log-in page: the provider asks again (its
    # session ended too) and the linked person is logged in.
    _start_from_log_in_page(v)
    _provider_login(v, provider, PID)
    assert _logged_in_user(v) == kari.pk
    assert PID not in _everything_stored()


def _subject(provider: TestProvider, pid: str) -> str:
    """The pseudonym the test provider derives from a pid (provider.mjs)."""
    digest = hashlib.sha256(f"{provider.issuer}:{pid}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]


def _failure(v: Any, provider_name: str, message: str) -> None:
    """The failure page: its heading, the message, and nobody logged in."""
    heading = f"Innloggingen med {provider_name} mislyktes"
    assert v.page.get_by_role("heading", level=1).inner_text() == heading
    assert message in v.page.locator("main").inner_text(), v.page.locator("main").inner_text()
    assert _logged_in_user(v) is None
    v.check_accessibility()


def _redirect(route: Any, location: str, change: Any) -> None:
    """Answer the intercepted request with a redirect to ``location``, its
    query rewritten by ``change``."""
    parts = urlsplit(location)
    query = parse_qs(parts.query)
    change(query)
    route.fulfill(
        status=302,
        headers={"location": urlunsplit(parts._replace(query=urlencode(query, doseq=True)))},
    )


def _start_from_log_in_page(v: Any, provider_name: str = "Test-ID") -> None:
    v.go("/konto/logg-inn/")
    v.page.get_by_role("link", name=provider_name).click()


def _link(user: Any, issuer: str, subject: str) -> ExternalIdentity:
    """As an administrator links a log-in (the admin's own test is in accounts)."""
    return ExternalIdentity.objects.create(
        user=user,
        name="Test-ID",
        confirmed=True,
        provider="testid",
        issuer=issuer,
        subject=subject,
        linked_how=ExternalIdentity.LinkedHow.ADMINISTRATOR,
    )


def _rewrite_callback(v: Any, provider: TestProvider, change: Any, before: Any = None) -> None:
    """When the provider's log-in form is sent, follow its redirects up to
    the answer to Samspill, let ``change`` rewrite that answer's query, then
    send the browser there (``before`` runs just before it goes)."""

    def handle(route: Any) -> None:
        response = route.fetch(max_redirects=0)
        location = response.headers["location"]
        while not location.startswith(v.base_url):
            hop = v.page.request.get(urljoin(provider.issuer + "/", location), max_redirects=0)
            location = hop.headers["location"]
        if before is not None:
            before()
        _redirect(route, location, change)

    v.page.route(provider.issuer + "/interaction/*/login", handle)


def test_an_answer_with_another_state_logs_nobody_in(
    visit: Any, provider: TestProvider, transactional_db: Any
) -> None:
    v = visit()
    _start_from_log_in_page(v)
    _rewrite_callback(v, provider, lambda q: q.update(state=["a-state-samspill-never-made"]))
    _provider_login(v, provider, PID)
    _failure(v, "Test-ID", "hører ikke til en innlogging som ble startet her")
    assert not ExternalIdentity.objects.exists()


def test_an_id_token_with_another_nonce_logs_nobody_in(
    visit: Any, provider: TestProvider, transactional_db: Any
) -> None:
    v = visit()

    def wrong_nonce(route: Any) -> None:
        location = route.fetch(max_redirects=0).headers["location"]
        _redirect(route, location, lambda q: q.update(nonce=["a-nonce-samspill-never-made"]))

    v.page.route("**/konto/sso/testid/?*", wrong_nonce)
    _start_from_log_in_page(v)
    _provider_login(v, provider, PID)
    _failure(v, "Test-ID", "Svaret fra Test-ID kunne ikke bekreftes")


def test_an_expired_id_token_logs_nobody_in(
    visit: Any, provider: TestProvider, transactional_db: Any
) -> None:
    v = visit()
    _start_from_log_in_page(v)
    # Samspill's clock runs past the token's lifetime and the allowed skew
    # just before the answer arrives (the provider's clock is not moved).
    later = timezone.now() + timedelta(seconds=ID_TOKEN_TTL + sso.LEEWAY_SECONDS + 60)
    travel = time_machine.travel(later, tick=True)
    _rewrite_callback(v, provider, lambda q: None, before=travel.start)
    try:
        _provider_login(v, provider, PID)
    finally:
        travel.stop()
    _failure(v, "Test-ID", "Innloggingen fra Test-ID var utløpt")


def test_a_tampered_id_token_logs_nobody_in(
    visit: Any, provider: TestProvider, invited: dict[str, Any], monkeypatch: Any
) -> None:
    """The token's payload is changed on its way (another subject: someone
    else's account); its signature no longer matches."""
    sara = invited["sara"]
    _link(sara, provider.issuer, "the-secretariat")
    real_fetch = sso.fetch_token

    def tamper(*args: Any, **kwargs: Any) -> Any:
        token = dict(real_fetch(*args, **kwargs))
        header, payload, signature = token["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims.update(sub="the-secretariat", acr="idporten-loa-high")
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        token["id_token"] = f"{header}.{forged}.{signature}"
        return token

    monkeypatch.setattr(sso, "fetch_token", tamper)
    v = visit()
    _start_from_log_in_page(v)
    _provider_login(v, provider, PID)
    _failure(v, "Test-ID", "Svaret fra Test-ID kunne ikke bekreftes")


def test_an_issuer_not_on_the_allow_list_logs_nobody_in(
    visit: Any, settings: Any, provider_process: TestProvider, transactional_db: Any
) -> None:
    settings.SAMSPILL_OIDC_PROVIDERS = provider_process.settings(
        allowed_issuers=["https://login.example/another-tenant/v2.0"]
    )
    v = visit()
    _start_from_log_in_page(v)
    _provider_login(v, provider_process, PID)
    _failure(v, "Test-ID", "kommer fra en virksomhet som ikke kan logge inn i Samspill her")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_person_nobody_invited_gets_a_reference_and_no_session(
    visit: Any, provider: TestProvider, transactional_db: Any, width: int
) -> None:
    """Through the provider that takes a client secret (as Entra ID may)."""
    v = visit()
    v.page.set_viewport_size({"width": width, "height": 900})
    v.go("/konto/logg-inn/")
    v.check_accessibility()
    v.page.get_by_role("link", name="Test-Entra").click()
    _provider_login(v, provider, OTHER_PID)
    _failure(v, "Test-Entra", "Ingen Samspill-konto er koblet til denne innloggingen")
    reference = v.page.locator(".reference code").inner_text()
    assert sso.read_reference(reference) == {
        "provider": "testsecret",
        "issuer": provider.issuer,
        "subject": _subject(provider, OTHER_PID),
    }
    scroll = v.page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width
    assert not User.objects.exists() and not ExternalIdentity.objects.exists()


def test_cancelling_at_the_provider_logs_nobody_in(
    visit: Any, provider: TestProvider, transactional_db: Any
) -> None:
    v = visit()
    _start_from_log_in_page(v)
    v.page.wait_for_url(provider.issuer + "/interaction/**")
    v.page.get_by_role("button", name="Avbryt").click()
    v.page.wait_for_url(v.base_url + "/**")
    _failure(v, "Test-ID", "Du avbrøt innloggingen hos Test-ID")


def test_the_provider_level_is_the_secretariat_second_factor_or_else_the_app(
    visit: Any, provider: TestProvider, browser_people: Any
) -> None:
    """Sara (secretariat) needs two factors: a log-in at the high level is
    enough; at the substantial level the authenticator app is still asked."""
    sara = browser_people["sara"]
    device = totp_device(sara)
    _link(sara, provider.issuer, _subject(provider, PID))
    high = visit()
    _start_from_log_in_page(high)
    _provider_login(high, provider, PID, acr="idporten-loa-high")
    assert "/hnt/intern/" in high.page.url, high.page.url
    assert _logged_in_user(high) == sara.pk
    login = UserSession.objects.get(user=sara)
    assert (login.provider, login.assurance, login.second_factor) == (
        "testid",
        "idporten-loa-high",
        True,
    )

    substantial = visit()
    _start_from_log_in_page(substantial)
    _provider_login(substantial, provider, PID, acr="idporten-loa-substantial")
    assert "/konto/tofaktor/kode/" in substantial.page.url
    assert _logged_in_user(substantial) is None
    substantial.page.get_by_label("Kode fra autentiseringsappen din").fill(totp_now(device))
    substantial.page.get_by_role("button", name="Bekreft").click()
    substantial.page.wait_for_load_state()
    assert "/hnt/intern/" in substantial.page.url
    assert _logged_in_user(substantial) == sara.pk
    newest = UserSession.objects.filter(user=sara).order_by("-created", "-pk").first()
    assert newest is not None
    assert (newest.provider, newest.assurance, newest.second_factor) == (
        "testid",
        "idporten-loa-substantial",
        True,
    )
