"""Tall og statistikk and the annual report in the browser: the secretariat
imports SSB's json-stat2 file (a dry run first, then stored), links a
measure of the action plan to the indicator it is to move, and the public
reads the indicator beside the measure, the indicator's page and its CSV.
Then the secretariat drafts the year's annual report, sends it to ASU, ASU
adopts it, the adoption is recorded, and the public reads the report and
downloads its PDF. axe runs on every page, at phone width too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from annual.models import AnnualReport
from conftest import totp_device
from councils.models import Council
from indicators.models import ImportBatch, ImportProfile, IndicatorValue
from plans.models import Measure
from tests.browser.test_agreements_journey import _at_phone_width, _click, _council_decides
from tests.browser.test_councils_journey import _log_in

pytestmark = pytest.mark.browser

SAMPLES = Path(__file__).resolve().parents[2] / "indicators" / "tests" / "samples"
MEASURE = "Felles sjekkliste ved utskrivning av skrøpelige eldre"


def test_statistics_are_imported_linked_to_a_measure_and_read_by_the_public(
    visit: Any, browser_people: Any
) -> None:
    sara = browser_people["sara"]
    totp_device(sara)
    v = visit()
    _log_in(v, "sara@hnt.example", sara)

    # The file is read: a dry run, nothing stored yet.
    v.go("/hnt/intern/statistikk/")
    v.check_accessibility()
    _at_phone_width(v)
    profile = ImportProfile.objects.get(product="ssb-07459")
    v.page.get_by_label("Produkt").select_option(label=profile.name)
    v.page.get_by_label("Fil", exact=True).set_input_files(str(SAMPLES / "ssb-07459.json"))
    _click(v, "button", "Les filen")
    batch = ImportBatch.objects.get(partnership__slug="hnt", file_name="ssb-07459.json")
    assert batch.status == ImportBatch.Status.PENDING
    assert not IndicatorValue.objects.filter(batch=batch).exists()
    assert "Hva som endres hvis du lagrer filen" in v.page.locator("main").inner_text()
    v.check_accessibility()
    _at_phone_width(v)

    # Stored.
    _click(v, "button", "Lagre tallene")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    leka = IndicatorValue.objects.get(
        batch=batch, indicator__code="befolkning", area_code="5052", year=2024
    )
    v.check_accessibility()

    # The measure is to move overliggedøgn.
    measure = Measure.objects.get(goal__plan__partnership__slug="hnt", title=MEASURE)
    v.go(f"/hnt/intern/handlingsplan/tiltak/{measure.pk}/rediger/")
    v.check_accessibility()
    v.page.get_by_label("Overliggedøgn per 1 000 innbyggere").check()
    _click(v, "button", "Lagre", exact=True)
    assert measure.indicators.filter(code="overliggedogn").exists()

    # The public reads the indicator beside the measure…
    public = visit()
    public.go(f"/hnt/handlingsplan/tiltak/{measure.pk}/")
    main = public.page.locator("main").inner_text()
    assert "Indikatorer tiltaket skal påvirke" in main
    assert "Overliggedøgn per 1 000 innbyggere" in main
    public.check_accessibility()
    _at_phone_width(public)

    # …the population the secretariat imported, and the CSV.
    public.go("/hnt/tall-og-statistikk/befolkning/")
    row = public.page.get_by_role("row", name="Leka kommune")
    assert leka.value is not None
    assert str(int(leka.value)) in row.inner_text().replace("\u00a0", "").replace(" ", "")
    assert "ssb-07459.json" in public.page.locator("main").inner_text()
    public.check_accessibility()
    _at_phone_width(public)
    with public.page.expect_download() as download:
        public.page.get_by_role("link", name="Last ned som CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert any(";5052;2024;" in line for line in text.splitlines())

    # The annual report: drafted, written, sent to ASU.
    year = timezone.localdate().year - 3  # the demo's are this year's and the one or two before
    v.go("/hnt/intern/arsrapport/")
    v.check_accessibility()
    v.page.get_by_label("År", exact=True).fill(str(year))
    _click(v, "button", "Lag utkast til rapporten")
    report = AnnualReport.objects.get(partnership__slug="hnt", year=year)
    assert f"/hnt/intern/arsrapport/{year}/" in v.page.url
    v.check_accessibility()
    _at_phone_width(v)
    v.page.get_by_label("Innledning").fill("Året da tallene kom på plass.")
    _click(v, "button", "Lagre", exact=True)
    report.refresh_from_db()
    assert report.introduction == "Året da tallene kom på plass."
    asu = Council.objects.get(partnership__slug="hnt", slug="asu")
    v.page.get_by_label("Råd", exact=True).select_option(value=str(asu.pk))
    _click(v, "button", "Send til rådet som sak")
    report.refresh_from_db()
    assert report.case is not None

    # ASU decides, outside the browser; the adoption is recorded.
    _council_decides(report.case, sara)
    v.go(f"/hnt/intern/arsrapport/{year}/")
    _click(v, "button", "Registrer vedtaket og publiser")
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.ADOPTED and report.figures
    v.check_accessibility()

    # The public reads it and downloads the PDF.
    public.go("/hnt/arsrapport/")
    public.check_accessibility()
    _click(public, "link", f"Årsrapport {year}")
    main = public.page.locator("main").inner_text()
    assert "Året da tallene kom på plass." in main
    public.check_accessibility()
    _at_phone_width(public)
    pdf = public.page.request.get(public.base_url + f"/hnt/arsrapport/{year}/pdf/")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
