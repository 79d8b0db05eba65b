"""A coordinator reports progress on her party's follow-up; the secretariat
closes it. axe runs on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import totp_device, totp_now
from core.tests.report import report_figure
from followups.models import FollowUp
from partnerships.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _log_in(v: Any, email: str, user: Any = None) -> None:
    v.go("/konto/logg-inn/")
    v.page.get_by_label("E-postadresse").fill(email)
    v.page.get_by_label("Passord").fill(DEMO_PASSWORD)
    v.page.get_by_label("Passord").press("Enter")
    v.page.wait_for_load_state()
    if user is not None:  # the device exists before the log-in, so this is the code step
        v.page.get_by_label("Kode fra autentiseringsappen din").fill(totp_now(totp_device(user)))
        v.page.get_by_label("Kode fra autentiseringsappen din").press("Enter")
        v.page.wait_for_load_state()


def test_a_follow_up_is_reported_on_and_closed(visit: Any, browser_people: Any) -> None:
    followup = FollowUp.objects.get(title__startswith="Handlingsplanen forankres")
    totp_device(browser_people["sara"])
    lena = visit()
    _log_in(lena, "lena@levanger.example")
    lena.go("/hnt/intern/")
    lena.page.get_by_role("link", name="Oppfølging av vedtak").click()
    lena.page.wait_for_load_state()
    lena.check_accessibility()
    lena.page.get_by_role("link", name=followup.title).click()
    lena.page.wait_for_load_state()
    lena.check_accessibility()
    lena.page.get_by_label("Merknad").fill(
        "Levanger har tatt planen inn i helse- og omsorgsplanen."
    )
    lena.page.get_by_label("Framdrift (%)").fill("60")
    lena.page.get_by_role("button", name="Legg til i loggen").click()
    lena.page.wait_for_load_state()
    assert "Levanger har tatt planen inn" in lena.page.locator("main").inner_text()
    lena.check_accessibility()
    followup.refresh_from_db()
    assert followup.progress == 60

    sara = visit()
    _log_in(sara, "sara@hnt.example", browser_people["sara"])
    sara.go(f"/hnt/intern/oppfolging/{followup.pk}/")
    sara.check_accessibility()
    sara.page.get_by_role("button", name=re.compile("Fullført|Ferdig")).first.click()
    sara.page.wait_for_load_state()
    followup.refresh_from_db()
    assert followup.status == "done"
    sara.check_accessibility()
    sara.go("/hnt/intern/oppfolging/?status=done")
    sara.check_accessibility()
    report_figure(
        "browser: follow-up journey pages checked with axe",
        str(len(lena.checked) + len(sara.checked)),
    )
