"""A crisis from opening to the weekly coordination meeting: the secretariat
opens it, Levanger reports (a value out of range refused, an unusual one
accepted with a comment), Namsos reports "no change", the shared picture
shows both at once with levels and who is missing, Statsforvalteren reads
it, the agenda is generated and an event is logged. axe on every page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from conftest import totp_device
from core.tests.report import report_figure
from councils.models import Meeting
from crisis import periods, services
from crisis.models import Crisis, LogEntry, Report
from crisis.tests.conftest import kommune_values
from partnerships.models import Organisation
from tests.browser.test_councils_journey import _log_in

pytestmark = pytest.mark.browser


def test_a_crisis_is_opened_reported_pictured_and_coordinated(
    visit: Any, browser_people: Any
) -> None:
    checked = 0
    sara_user = browser_people["sara"]
    totp_device(sara_user)
    sara = visit()
    _log_in(sara, "sara@hnt.example", sara_user)

    # The secretariat opens the crisis, two weeks back, with the coordination group.
    sara.go("/hnt/intern/")
    sara.page.get_by_role("link", name="Kriseberedskap").click()
    sara.page.wait_for_load_state()
    sara.check_accessibility()
    sara.page.get_by_role("link", name="Åpne en krise").click()
    sara.page.wait_for_load_state()
    sara.check_accessibility()
    sara.page.get_by_label("Navn på krisen").fill("Luftveisinfeksjon vinter 2026")
    first = timezone.localdate() - datetime.timedelta(days=14)
    sara.page.get_by_label("Første rapporteringsperiode").fill(first.isoformat())
    sara.page.get_by_label("Koordineringsgruppe").select_option(label="Koordineringsgruppen")
    sara.page.get_by_role("button", name="Åpne krisen").click()
    sara.page.wait_for_load_state()
    crisis = Crisis.objects.get(name="Luftveisinfeksjon vinter 2026")
    assert crisis.status == Crisis.Status.ACTIVE and crisis.council is not None
    sara.check_accessibility()
    checked += 4
    start = periods.reporting_period(crisis)
    earlier = periods.previous(crisis.form, start)
    namsos = Organisation.objects.get(municipality_number="5007")
    levanger = Organisation.objects.get(municipality_number="5037")
    # Namsos reported the week before (so that it can say "no change" now).
    services.save_report(
        crisis,
        namsos,
        earlier,
        kommune_values(**{"smittevernutstyr:munnbind": "30"}),
        by=browser_people["nils"],
        submit=True,
    )

    # Levanger fills in its report from the crisis index.
    lena = visit()
    _log_in(lena, "lena@levanger.example")
    lena.go("/hnt/intern/krise/")
    lena.check_accessibility()
    lena.page.get_by_role("link", name="Fyll ut rapporten").first.click()
    lena.page.wait_for_load_state()
    lena.check_accessibility()
    page = lena.page
    for key, value in kommune_values(smittetall="-5").items():
        field = page.locator(f"[name='value.{key}']")
        if field.first.get_attribute("type") == "radio":
            page.locator(f"[name='value.{key}'][value='{value}']").check()
        else:
            field.fill(value)
    page.get_by_role("button", name="Send rapporten").click()
    page.wait_for_load_state()
    # Refused: the value out of range is named, and everything typed is kept.
    assert page.locator("[name='value.smittetall']").input_value() == "-5"
    assert (
        "0"
        in page.locator("#id_value\\.smittetall-error, .ds-validation-message").first.inner_text()
    )
    assert not Report.objects.filter(crisis=crisis, organisation=levanger).exists()
    lena.check_accessibility()
    # An unusual count: accepted once explained in the comment.
    page.locator("[name='value.smittetall']").fill("640")
    page.get_by_role("button", name="Send rapporten").click()
    page.wait_for_load_state()
    assert (
        not Report.objects.filter(crisis=crisis, status=Report.Status.SUBMITTED)
        .filter(organisation=levanger)
        .exists()
    )
    lena.check_accessibility()
    page.locator("[name='comment.smittetall']").fill("Utbrudd på en stor arbeidsplass.")
    page.get_by_role("button", name="Send rapporten").click()
    page.wait_for_load_state()
    report = Report.objects.get(crisis=crisis, organisation=levanger, period_start=start)
    assert report.status == Report.Status.SUBMITTED
    assert report.values.get(indicator__code="smittetall").comment.startswith("Utbrudd")
    lena.check_accessibility()
    checked += 6

    # Namsos: "no change since last report" with one click.
    nils = visit()
    _log_in(nils, "nils@namsos.example")
    nils.go("/hnt/intern/krise/")
    nils.page.get_by_role("button", name="Ingen endring siden forrige rapport").first.click()
    nils.page.wait_for_load_state()
    repeated = Report.objects.get(crisis=crisis, organisation=namsos, period_start=start)
    assert repeated.no_change and repeated.computed_level == 2
    nils.check_accessibility()
    checked += 1

    # The shared picture leads with what needs attention; a region's row
    # opens (by keyboard) to its parties, loaded when asked for.
    sara.go(f"/hnt/intern/krise/{crisis.pk}/situasjon/")
    verdal = Organisation.objects.get(municipality_number="5038")
    assert "Verdal kommune" in sara.page.locator("#not-reported").inner_text()
    assert sara.page.locator(f"#party-{levanger.pk}").count() == 0
    group = Report.objects.get(crisis=crisis, organisation=levanger, period_start=start)
    button = sara.page.locator(f"#group-{group.figure_group} a.disclose")
    assert button.get_attribute("aria-expanded") == "false"
    button.focus()
    sara.page.keyboard.press("Enter")
    sara.page.locator(f"#party-{levanger.pk}").wait_for()
    assert button.get_attribute("aria-expanded") == "true"
    assert sara.page.locator(f"#party-{levanger.pk}").get_attribute("data-status") == "submitted"
    assert sara.page.locator(f"#party-{verdal.pk}").get_attribute("data-status") in {
        "late",
        "missing",
    }
    # A chart's numbers come as a table when its details open.
    assert sara.page.locator("#chart-completeness-table").count() == 0
    sara.page.locator("details.chart-table summary").first.click()
    sara.page.locator("#chart-completeness-table").wait_for()
    sara.check_accessibility()
    button.click()
    assert button.get_attribute("aria-expanded") == "false"
    assert sara.page.locator(f"#group-{group.figure_group}-parties").is_hidden()

    # Statsforvalteren reads it, without the forms.
    stine = visit()
    _log_in(stine, "stine@statsforvalteren.example")
    stine.go(f"/hnt/intern/krise/{crisis.pk}/situasjon/")
    namsos_group = Report.objects.get(crisis=crisis, organisation=namsos, period_start=start)
    stine.page.locator(f"#group-{namsos_group.figure_group} a.disclose").click()
    stine.page.locator(f"#party-{namsos.pk}").wait_for()
    assert stine.page.locator("main form[method='post']").count() == 0
    stine.check_accessibility()
    checked += 2

    # The weekly coordination meeting gets its agenda from the reports.
    sara.go(f"/hnt/intern/krise/{crisis.pk}/koordinering/")
    sara.check_accessibility()
    sara.page.get_by_role("button", name="Lag sakslisten").click()
    sara.page.wait_for_load_state()
    meeting = Meeting.objects.get(crisis_link__crisis=crisis)
    assert meeting.council_id == crisis.council_id
    assert meeting.treatments.filter(case__isnull=False).count() >= 5
    sara.check_accessibility()

    # A significant event goes into the crisis log.
    sara.go(f"/hnt/intern/krise/{crisis.pk}/logg/")
    sara.page.get_by_label("Hva skjedde").fill(
        "Koordineringsmøtet besluttet felles innkjøp av munnbind."
    )
    sara.page.get_by_role("button", name="Legg til i loggen").click()
    sara.page.wait_for_load_state()
    assert LogEntry.objects.filter(crisis=crisis, text__contains="felles innkjøp").count() == 1
    sara.check_accessibility()
    checked += 3
    report_figure("browser: crisis journey pages checked with axe", str(checked))
