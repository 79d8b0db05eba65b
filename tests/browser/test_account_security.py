"""A secretariat member saves recovery codes, loses the phone, logs in with a
code and sets up a new phone; then ends the other sessions. axe on every page,
at desktop and phone width; the QR code is drawn."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import totp_now
from core.tests.report import report_figure
from tests.browser.test_journeys import _log_in

pytestmark = pytest.mark.browser


def _activate(v: Any, sara: Any) -> None:
    assert "/konto/tofaktor/oppsett/" in v.page.url
    drawn = v.page.evaluate("() => document.querySelector('img.qr').naturalWidth")
    assert drawn > 0  # the QR code image is drawn, not a broken image
    v.check_accessibility()
    device = TOTPDevice.objects.get(user=sara, confirmed=False)
    v.page.get_by_label("Kode fra autentiseringsappen din").fill(totp_now(device))
    v.page.get_by_role("button", name="Aktiver").click()
    v.page.wait_for_load_state()


@pytest.mark.parametrize("width", [1280, 390])
def test_recovery_codes_replace_a_lost_phone(visit: Any, browser_people: Any, width: int) -> None:
    sara = browser_people["sara"]
    TOTPDevice.objects.filter(user=sara).delete()
    v = visit()
    v.page.set_viewport_size({"width": width, "height": 900})
    _log_in(v, "sara@hnt.example")
    _activate(v, sara)
    assert "/konto/tofaktor/koder/" in v.page.url
    codes = [c.strip() for c in v.page.locator(".recovery-codes code").all_inner_texts()]
    assert len(codes) == 10
    v.check_accessibility()
    v.page.get_by_role("link", name="Jeg har lagret kodene").click()
    v.page.wait_for_load_state()
    v.check_accessibility()

    lost = visit()  # the phone is gone: a new browser
    lost.page.set_viewport_size({"width": width, "height": 900})
    _log_in(lost, "sara@hnt.example")
    assert "/konto/tofaktor/kode/" in lost.page.url
    lost.check_accessibility()
    lost.page.get_by_role("link", name="Logg inn med en gjenopprettingskode").click()
    lost.page.wait_for_load_state()
    lost.check_accessibility()
    lost.page.get_by_label("Gjenopprettingskode").fill("AAAAA-BBBBB")
    lost.page.get_by_role("button", name="Logg inn").last.click()
    lost.page.wait_for_load_state()
    assert lost.page.locator(".ds-error-summary").count() == 1
    lost.check_accessibility()
    lost.page.get_by_label("Gjenopprettingskode").fill(codes[0])
    lost.page.get_by_role("button", name="Logg inn").last.click()
    lost.page.wait_for_load_state()
    assert "9 koder er igjen" in lost.page.locator("main").inner_text()
    _activate(lost, sara)
    assert TOTPDevice.objects.filter(user=sara).count() == 1

    lost.go("/konto/")
    lost.check_accessibility()
    lost.page.get_by_role("link", name="Hvor du er logget inn").click()
    lost.page.wait_for_load_state()
    lost.check_accessibility()
    lost.page.get_by_role("button", name="Avslutt alle andre økter").click()
    lost.page.wait_for_load_state()
    lost.check_accessibility()
    v.go("/hnt/intern/")
    assert "/konto/logg-inn/" in v.page.url  # the first browser was logged out
    report_figure(
        f"browser: account security pages checked with axe at {width} px",
        str(len(v.checked) + len(lost.checked)),
    )
