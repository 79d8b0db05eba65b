"""The learning loop in the browser: the secretariat takes the deviations of
the discharge routine to ASU from the statistics page, the council decides,
the decision becomes the follow-up "revise the routine", the routine's new
version records both, and the routine's page shows its deviations before and
after and where the version came from. axe runs on every page, the routine's
page also at phone width."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import totp_device
from core.tests.report import report_figure
from councils.models import Council
from deviations.models import TrendCase
from followups.models import FollowUp
from routines.models import Routine, RoutineVersion
from tests.browser.test_agreements_journey import _at_phone_width, _click, _council_decides
from tests.browser.test_councils_journey import _log_in

pytestmark = pytest.mark.browser

ROUTINE = "Utskrivning av pasienter med behov for kommunale tjenester"


def test_deviations_of_a_routine_lead_to_a_revised_routine(visit: Any, browser_people: Any) -> None:
    sara = browser_people["sara"]
    totp_device(sara)
    routine = Routine.objects.get(partnership__slug="hnt", slug="utskrivning")
    asu = Council.objects.get(partnership__slug="hnt", slug="asu")
    v = visit()
    _log_in(v, "sara@hnt.example", sara)

    # The trend of the routine's deviations goes to ASU as a case.
    v.go("/hnt/intern/avvik/statistikk/")
    v.check_accessibility()
    trend = v.page.locator("section").filter(
        has=v.page.get_by_role("heading", name="Ta en trend til et råd")
    )
    subject = trend.get_by_label("Hva avvikene gjelder")
    option = subject.locator("option").filter(has_text=re.compile(f"^Rutine .*{ROUTINE}"))
    assert option.count() == 1
    subject.select_option(value=option.get_attribute("value"))
    trend.get_by_label("Råd", exact=True).select_option(label=asu.name)
    with v.page.expect_navigation():
        trend.get_by_role("button", name="Lag saken").click()
    trend_case = TrendCase.objects.filter(routine=routine).order_by("-pk").first()
    assert trend_case is not None and trend_case.followup is None
    case = trend_case.case
    assert case.council == asu
    assert case.number in v.page.locator("h1").inner_text()
    paper = v.page.locator("main").inner_text()
    assert "Per kvartal:" in paper and ROUTINE in paper
    quarters = v.page.get_by_role("table").filter(
        has=v.page.get_by_role("columnheader", name="Kvartal")
    )
    assert quarters.count() == 1
    # The quarters add up to the deviations the case counted.
    counted = sum(int(n) for n in quarters.locator("tbody tr td:last-child").all_inner_texts())
    assert counted == trend_case.deviations.count() > 0
    v.check_accessibility()

    # ASU decides, outside the browser.
    decision = _council_decides(case, sara)

    # The decision becomes the follow-up "revise this routine".
    v.go(f"/hnt/intern/rutiner/{routine.pk}/")
    v.check_accessibility()
    _click(v, "button", "Opprett oppfølgingen: revider denne rutinen")
    trend_case.refresh_from_db()
    followup = trend_case.followup
    assert followup is not None and followup.origin == FollowUp.Origin.DECISION
    assert followup.source_object_id == decision.pk
    assert f"/hnt/intern/oppfolging/{followup.pk}/" in v.page.url
    assert f"Revider rutinen «{routine}»" in v.page.locator("h1").inner_text()
    v.check_accessibility()

    # A new version of the routine, revised after that decision and follow-up.
    v.go(f"/hnt/intern/rutiner/{routine.pk}/")
    _click(v, "link", "Ny versjon")
    v.check_accessibility()
    label = v.page.get_by_label("Navn på versjonen").input_value()
    assert label
    v.page.get_by_label("Hva som er endret").fill(
        "Sjekkliste for utskrivning etter kl. 15, etter ASUs vedtak om avvikene."
    )
    chosen = v.page.get_by_label("Revidert etter vedtak")
    chosen.select_option(
        value=chosen.locator("option").filter(has_text=case.number).get_attribute("value")
    )
    v.page.get_by_label("Revidert etter oppfølging").select_option(value=str(followup.pk))
    _click(v, "button", "Lagre utkast")
    version = RoutineVersion.objects.get(routine=routine, label=label)
    assert version.decision == decision and version.followup == followup
    main = v.page.locator("main").inner_text()
    assert case.number in main and followup.title in main
    v.check_accessibility()
    _click(v, "button", "Sett i kraft")
    version.refresh_from_db()
    assert version.status == RoutineVersion.Status.IN_FORCE

    # The routine's page: deviations before and after, and where it came from.
    assert f"/hnt/intern/rutiner/{routine.pk}/" in v.page.url
    loop = v.page.locator("section").filter(
        has=v.page.get_by_role("heading", name="Avvik som gjelder rutinen")
    )
    table = loop.get_by_role("table", name="Avvik per kvartal, før og etter revisjonen")
    assert table.get_by_role("row").filter(has_text="Revisjonen trådte i kraft").count() == 1
    assert table.get_by_role("row").filter(has_text="Før").count() >= 1
    origin = loop.locator("p").filter(has_text=f"Versjon {label} ble laget etter vedtaket")
    assert origin.count() == 1
    assert origin.get_by_role("link", name=f"sak {case.number}").count() == 1
    assert origin.get_by_role("link", name=followup.title).count() == 1
    assert loop.get_by_role("button", name=re.compile("Opprett oppfølgingen")).count() == 0
    v.check_accessibility()
    _at_phone_width(v)
    report_figure("browser: learning loop pages checked with axe", str(len(v.checked)))
