"""Journeys a person walks through, in a real browser, with axe on each page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import totp_now
from core.tests.report import report_figure
from partnerships.demo import DEMO_PASSWORD
from partnerships.models import Membership

pytestmark = pytest.mark.browser

PUBLIC = [
    "/hnt/helsefellesskap/",
    "/hnt/samarbeidsavtaler/",
    "/hnt/verktoy/",
    "/hnt/tall-og-statistikk/",
    "/hnt/kontakt/",
]


def test_the_public_reads_the_partnerships_pages(visit: Any, browser_people: Any) -> None:
    v = visit()
    v.go("/")
    v.check_accessibility()
    v.page.get_by_role("link", name="Helsefellesskap Nord-Trøndelag").first.click()
    v.page.wait_for_url("**/hnt/")
    assert v.page.locator("h1").inner_text() == "Helsefellesskap Nord-Trøndelag"
    v.check_accessibility()
    for path in PUBLIC:
        v.go(path)
        assert v.page.locator("h1").count() == 1
        v.check_accessibility()
    report_figure("browser: public pages checked with axe", str(len(v.checked)))


def test_the_language_switch_works_by_keyboard(visit: Any, browser_people: Any) -> None:
    v = visit()
    v.go("/hnt/")
    assert v.page.locator("html").get_attribute("lang") == "nb"
    v.page.get_by_label("Språk").select_option("nn")
    v.page.get_by_role("button", name="Bytt språk").press("Enter")
    v.page.wait_for_load_state()
    assert v.page.locator("html").get_attribute("lang") == "nn"
    assert v.page.get_by_role("link", name="Hopp til hovudinnhaldet").count() == 1
    v.check_accessibility()
    v.page.get_by_label("Språk").select_option("en")
    v.page.get_by_role("button", name="Byt språk").click()
    v.page.wait_for_load_state()
    assert v.page.locator("html").get_attribute("lang") == "en"
    assert (
        v.page.get_by_role("navigation", name="Main menu")
        .get_by_role("link", name="Facts and figures")
        .count()
        == 1
    )
    v.check_accessibility()


def test_the_skip_link_is_the_first_stop_for_the_keyboard(visit: Any, browser_people: Any) -> None:
    v = visit()
    v.go("/hnt/kontakt/")
    v.page.keyboard.press("Tab")
    focused = v.page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Hopp til hovedinnhold"
    v.page.keyboard.press("Enter")
    assert v.page.evaluate("document.activeElement.id") == "main"


def _log_in(v: Any, email: str) -> None:
    v.go("/konto/logg-inn/")
    v.check_accessibility()
    v.page.get_by_label("E-postadresse").fill(email)
    v.page.get_by_label("Passord").fill(DEMO_PASSWORD)
    v.page.get_by_label("Passord").press("Enter")
    v.page.wait_for_load_state()


def test_the_secretariat_logs_in_with_2fa_and_invites_a_person(
    visit: Any, browser_people: Any
) -> None:
    sara = browser_people["sara"]
    v = visit()
    _log_in(v, "sara@hnt.example")
    # First log-in for a secretariat member: set up the authenticator app.
    assert "/konto/tofaktor/oppsett/" in v.page.url
    v.check_accessibility()
    assert v.page.locator("#totp-key").inner_text().strip()
    device = TOTPDevice.objects.get(user=sara, confirmed=False)
    v.page.get_by_label("Kode fra autentiseringsappen din").fill(totp_now(device))
    v.page.get_by_role("button", name="Aktiver").click()
    v.page.wait_for_load_state()
    assert "/konto/" in v.page.url
    v.check_accessibility()

    v.go("/hnt/intern/")
    v.check_accessibility()
    v.page.get_by_role("link", name="Personer").click()
    v.page.wait_for_load_state()
    v.check_accessibility()
    v.page.get_by_role("link", name="Inviter en person").click()
    v.page.wait_for_load_state()
    v.check_accessibility()
    # Submitting an empty form shows the errors, accessibly.
    v.page.get_by_role("button", name="Send invitasjon").click()
    v.page.wait_for_load_state()
    assert v.page.locator(".ds-error-summary").count() == 1
    v.check_accessibility()
    v.page.get_by_label("Organisasjon", exact=True).select_option(label="Levanger kommune")
    v.page.get_by_label("Fullt navn").fill("Kari Nyansatt")
    v.page.get_by_label("E-postadresse").fill("kari@levanger.example")
    v.page.get_by_label("Rolle i organisasjonen").select_option("member")
    v.page.get_by_role("button", name="Send invitasjon").click()
    v.page.wait_for_load_state()
    assert "kari@levanger.example" in v.page.locator("main").inner_text()
    v.check_accessibility()

    # Kari follows the link in the e-mail and creates her account.
    link = re.search(r"(/konto/invitasjon/\S+/)", str(mail.outbox[-1].body))
    assert link
    kari = visit()
    kari.go(link.group(1))
    kari.check_accessibility()
    kari.page.get_by_label("Velg et passord").fill("et-langt-og-trygt-passord")
    kari.page.get_by_label("Gjenta passordet").fill("et-langt-og-trygt-passord")
    kari.page.get_by_role("button", name="Opprett konto").click()
    kari.page.wait_for_load_state()
    assert "/hnt/intern/" in kari.page.url
    kari.check_accessibility()
    assert Membership.objects.filter(user__email="kari@levanger.example").count() == 1
    report_figure(
        "browser: staff journey pages checked with axe", str(len(v.checked) + len(kari.checked))
    )


def test_a_coordinator_sees_her_organisation_and_edits_its_contact(
    visit: Any, browser_people: Any
) -> None:
    v = visit()
    _log_in(v, "lena@levanger.example")
    v.go("/hnt/intern/")
    v.page.get_by_role("link", name="Levanger kommune", exact=True).click()
    v.page.wait_for_load_state()
    v.check_accessibility()
    v.page.get_by_role("link", name="Rediger kontaktinformasjon").click()
    v.page.wait_for_load_state()
    v.check_accessibility()
    v.page.get_by_label("Telefon").fill("74 05 20 00")
    v.page.get_by_role("button", name="Lagre").click()
    v.page.wait_for_load_state()
    v.check_accessibility()
    v.go("/hnt/kontakt/")
    assert "74 05 20 00" in v.page.locator("main").inner_text()
