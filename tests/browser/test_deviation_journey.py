"""A deviation from Levanger to the hospital trust, from report to closed, and
into the numbers and the ASU quarterly draft. axe runs on every page."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone

from conftest import totp_device
from core.tests.report import report_figure
from councils.models import Case
from deviations.models import Deviation
from followups.models import FollowUp
from tests.browser.test_councils_journey import _log_in

pytestmark = pytest.mark.browser
VALID_NUMBER = "30108299920"


def test_a_deviation_is_reported_answered_closed_and_counted(
    visit: Any, browser_people: Any
) -> None:
    lena = visit()
    _log_in(lena, "lena@levanger.example")
    lena.go("/hnt/intern/")
    lena.page.get_by_role("link", name="Avvik mellom partene").click()
    lena.page.wait_for_load_state()
    lena.check_accessibility()
    lena.page.get_by_role("link", name="Meld avvik").click()
    lena.page.wait_for_load_state()
    lena.check_accessibility()

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    lena.page.get_by_label("Meldt til").select_option(label="Helse Nord-Trøndelag HF")
    lena.page.get_by_label("Dato for hendelsen").fill(yesterday.isoformat())
    lena.page.get_by_label("Klokkeslett for hendelsen").fill("22:15")
    lena.page.get_by_label("Kategori").select_option(label="C Ved utskrivning")
    lena.page.get_by_label("Hva skjedde").fill(
        f"Pasient {VALID_NUMBER} ble skrevet ut sent på kvelden uten epikrise."
    )
    lena.page.get_by_label("Liten").check()
    lena.page.get_by_label("Referanse i eget system").fill("Levanger avvik 2026-77")
    lena.page.get_by_role("button", name="Send avviket").click()
    lena.page.wait_for_load_state()
    # Refused, with what was typed kept and a message saying what to remove.
    assert "fødselsnummer" in lena.page.locator("main").inner_text()
    assert "sent på kvelden" in lena.page.get_by_label("Hva skjedde").input_value()
    assert lena.page.get_by_label("Referanse i eget system").input_value() == (
        "Levanger avvik 2026-77"
    )
    assert not Deviation.objects.filter(external_reference="Levanger avvik 2026-77").exists()
    lena.check_accessibility()
    lena.page.get_by_label("Hva skjedde").fill(
        "Pasienten ble skrevet ut sent på kvelden uten epikrise og uten at "
        "hjemmesykepleien var varslet."
    )
    lena.page.get_by_role("button", name="Send avviket").click()
    lena.page.wait_for_load_state()
    deviation = Deviation.objects.get(external_reference="Levanger avvik 2026-77")
    assert deviation.status == "submitted"
    assert deviation.number in lena.page.locator("h1").inner_text()
    lena.check_accessibility()

    # The hospital trust receives it, asks a question and answers with a measure.
    hanne = visit()
    _log_in(hanne, "hanne@hnt-hf.example")
    hanne.go("/hnt/intern/avvik/")
    hanne.check_accessibility()
    hanne.page.get_by_role("link", name=deviation.number).click()
    hanne.page.wait_for_load_state()
    hanne.check_accessibility()
    hanne.page.get_by_role("button", name=re.compile("Mottatt")).click()
    hanne.page.wait_for_load_state()
    hanne.page.get_by_label("Melding", exact=True).fill("Hvilken avdeling skrev pasienten ut?")
    hanne.page.get_by_role("button", name="Send meldingen").click()
    hanne.page.wait_for_load_state()
    hanne.check_accessibility()
    hanne.page.get_by_label("Årsak").fill("Epikrisen ble ikke ferdigstilt før utreise.")
    hanne.page.get_by_label("Tiltak", exact=True).fill(
        "Sjekkliste ved utskrivning: epikrise og varsel til kommunen før pasienten reiser."
    )
    hanne.page.get_by_role("button", name="Send svaret").click()
    hanne.page.wait_for_load_state()
    deviation.refresh_from_db()
    assert deviation.status == "answered"
    hanne.page.get_by_label("Tiltak som skal følges opp").fill(
        "Innføre sjekkliste ved utskrivning på medisinsk avdeling"
    )
    hanne.page.get_by_role("button", name="Følg opp tiltaket").click()
    hanne.page.wait_for_load_state()
    assert FollowUp.objects.filter(source_object_id=deviation.pk, origin="deviation").exists()
    hanne.check_accessibility()

    # Levanger reads the dialogue and the answer, and closes it.
    lena.go(f"/hnt/intern/avvik/{deviation.pk}/")
    text = lena.page.locator("main").inner_text()
    assert "Hvilken avdeling skrev pasienten ut?" in text
    assert "Sjekkliste ved utskrivning" in text
    lena.page.get_by_role("button", name="Godta svaret og lukk").click()
    lena.page.wait_for_load_state()
    deviation.refresh_from_db()
    assert deviation.status == "closed"
    lena.check_accessibility()

    # The secretariat sees it in the numbers and drafts the quarterly report.
    sara = browser_people["sara"]
    totp_device(sara)
    v = visit()
    _log_in(v, "sara@hnt.example", sara)
    v.go("/hnt/intern/avvik/statistikk/")
    v.check_accessibility()
    assert "Helse Nord-Trøndelag HF" in v.page.locator("main").inner_text()
    v.go("/hnt/intern/avvik/kvartalsrapport/")
    v.check_accessibility()
    v.page.get_by_role("button", name=re.compile("Lag utkast")).click()
    v.page.wait_for_load_state()
    case = Case.objects.filter(title__icontains="avvik").order_by("-pk").first()
    assert case is not None and case.number in v.page.locator("h1").inner_text()
    v.check_accessibility()
    report_figure(
        "browser: deviation journey pages checked with axe",
        str(len(lena.checked) + len(hanne.checked) + len(v.checked)),
    )


def test_a_member_reports_once_their_party_allows_it(visit: Any, browser_people: Any) -> None:
    """Levanger's coordinator lets all members report; Vilde in Verdal, whose
    party has it on in the demo, reports and follows her deviation."""
    lena = visit()
    _log_in(lena, "lena@levanger.example")
    lena.go("/hnt/intern/avvik/")
    lena.page.get_by_role("link", name="Hvem kan melde").click()
    lena.page.wait_for_load_state()
    lena.check_accessibility()
    lena.page.get_by_role("button", name="La alle medlemmer i Levanger kommune melde").click()
    lena.page.wait_for_load_state()
    assert "Alle medlemmer i Levanger kommune kan nå melde avvik." in (
        lena.page.locator("main").inner_text()
    )
    lena.check_accessibility()

    vilde = visit()
    _log_in(vilde, "vilde.fagleder@verdal.example")
    vilde.go("/hnt/intern/")
    vilde.page.get_by_role("link", name="Avvik mellom partene").click()
    vilde.page.wait_for_load_state()
    vilde.check_accessibility()
    vilde.page.get_by_role("link", name="Meld avvik").click()
    vilde.page.wait_for_load_state()
    vilde.page.get_by_label("Meldt til").select_option(label="Helse Nord-Trøndelag HF")
    vilde.page.get_by_label("Dato for hendelsen").fill(timezone.localdate().isoformat())
    vilde.page.get_by_label("Kategori").select_option(label="A Ved innleggelse")
    vilde.page.get_by_label("Hva skjedde").fill(
        "Innleggelsen kom uten at legemiddellisten fulgte med."
    )
    vilde.page.get_by_label("Ingen").check()
    vilde.page.get_by_role("button", name="Send avviket").click()
    vilde.page.wait_for_load_state()
    deviation = Deviation.objects.get(reported_by__email="vilde.fagleder@verdal.example")
    assert deviation.status == "submitted" and deviation.reporting_organisation.name == (
        "Verdal kommune"
    )
    assert deviation.number in vilde.page.locator("h1").inner_text()
    # She follows it and writes in the dialogue, but answering and closing are not hers.
    assert vilde.page.get_by_role("button", name="Send meldingen").count() == 1
    assert vilde.page.get_by_role("button", name="Følg opp tiltaket").count() == 0
    vilde.check_accessibility()
