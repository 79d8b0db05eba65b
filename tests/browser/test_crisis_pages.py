"""axe on every crisis page that the crisis journey does not pass through:
the crisis page, a report, an unlock, standing down, the action cards, the
resource requests, a log follow-up and the settings pages."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import totp_device
from core.tests.report import report_figure
from crisis import log as crisis_log
from crisis import periods, resources, services
from crisis.catalogue import ensure_covid_form
from crisis.models import Indicator, LogEntry, ReportForm
from crisis.tests.conftest import kommune_values, levanger, make_crisis, namsos
from tests.browser.test_councils_journey import _log_in

pytestmark = pytest.mark.browser


def test_every_other_crisis_page_passes_axe(visit: Any, browser_people: Any) -> None:
    sara_user = browser_people["sara"]
    crisis = make_crisis(sara_user, weeks_ago=4, name="Vintersesong 2026")
    start = periods.reporting_period(crisis)
    day = start.isoformat()
    report = services.save_report(
        crisis,
        levanger(),
        start,
        kommune_values(**{"smittevernutstyr:frakker": "12", "personell": "utfordrende"}),
        by=browser_people["lena"],
        submit=True,
    )
    services.declare_level(
        report,
        level=4,
        reason="Mange syke ansatte i hjemmetjenesten.",
        by=browser_people["lena"],
        expected_version=report.version,
    )
    asked = resources.request_resources(
        crisis,
        organisation=namsos(),
        kind="equipment",
        description="Åndedrettsvern til to uker",
        quantity="2000 stk",
        by=browser_people["nils"],
    )
    entry = crisis_log.add_log_entry(
        crisis, text="Smittevernutstyr fordeles mellom kommunene.", by=sara_user
    )
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    form = ReportForm.objects.get(pk=ensure_covid_form(crisis.partnership).pk)
    indicator = Indicator.objects.get(partnership=crisis.partnership, code="smittevernutstyr")
    line = form.lines.get(indicator=indicator)
    oldest = periods.align(crisis.form, crisis.starts_on).isoformat()

    totp_device(sara_user)
    sara = visit()
    _log_in(sara, "sara@hnt.example", sara_user)
    base = f"/hnt/intern/krise/{crisis.pk}"
    pages = [
        f"{base}/",
        f"{base}/rapport/{levanger().pk}/{day}/vis/",
        f"{base}/rapport/{namsos().pk}/{oldest}/lås-opp/",
        f"{base}/avslutt/",
        f"{base}/situasjon/?period={day}",
        f"{base}/situasjon/gruppe/0/?period={day}",
        f"{base}/situasjon/behov/?period={day}",
        f"{base}/situasjon/tabell/levels/?period={day}",
        f"{base}/tiltakskort/",
        f"{base}/ressurser/",
        f"{base}/ressurser/ny/",
        f"{base}/ressurser/{asked.pk}/",
        f"{base}/logg/{entry.pk}/oppfolging/",
        "/hnt/intern/krise/innstillinger/",
        "/hnt/intern/krise/innstillinger/indikatorer/ny/",
        f"/hnt/intern/krise/innstillinger/indikatorer/{indicator.pk}/",
        "/hnt/intern/krise/innstillinger/skjema/ny/",
        f"/hnt/intern/krise/innstillinger/skjema/{form.pk}/",
        f"/hnt/intern/krise/innstillinger/skjema/{form.pk}/linjer/{line.pk}/",
    ]
    for url in pages:
        sara.go(url)
        assert sara.page.locator("h1").count() == 1, url
        sara.check_accessibility()

    # A coordinator sees the report form with its own party's values, and
    # another party's request with the offer form.
    lena = visit()
    _log_in(lena, "lena@levanger.example")
    for url in (
        f"{base}/rapport/{levanger().pk}/{day}/",
        f"{base}/rapport/{levanger().pk}/{day}/vis/",
        f"{base}/ressurser/{asked.pk}/",
    ):
        lena.go(url)
        assert lena.page.locator("h1").count() == 1, url
        lena.check_accessibility()
    report_figure("browser: other crisis pages checked with axe", str(len(pages) + 3))
