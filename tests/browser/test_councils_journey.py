"""The secretariat plans a meeting, prepares a case and publishes the notice;
the public reads the agenda and the case paper; a member reads the papers.
axe runs on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import totp_device, totp_now
from core.tests.report import report_figure
from councils.models import Case, Meeting
from partnerships.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _log_in(v: Any, email: str, user: Any = None) -> None:
    v.go("/konto/logg-inn/")
    v.page.get_by_label("E-postadresse").fill(email)
    v.page.get_by_label("Passord").fill(DEMO_PASSWORD)
    v.page.get_by_label("Passord").press("Enter")
    v.page.wait_for_load_state()
    if user is not None:
        v.page.get_by_label("Kode fra autentiseringsappen din").fill(totp_now(totp_device(user)))
        v.page.get_by_label("Kode fra autentiseringsappen din").press("Enter")
        v.page.wait_for_load_state()


def test_the_secretariat_prepares_a_meeting_that_the_public_can_read(
    visit: Any, browser_people: Any
) -> None:
    sara = browser_people["sara"]
    totp_device(sara)
    v = visit()
    _log_in(v, "sara@hnt.example", sara)
    v.go("/hnt/intern/rad/")
    v.check_accessibility()

    # A new case with its case paper.
    v.page.get_by_role("link", name="Ny sak").first.click()
    v.page.wait_for_load_state()
    v.check_accessibility()
    v.page.get_by_label("Forberedt for").select_option(label="ASU")
    v.page.get_by_label("Tittel", exact=True).fill("Felles rutine for legemiddelhåndtering")
    v.page.get_by_label("Bakgrunn").fill("Partene bruker ulike rutiner ved utskrivning.")
    v.page.get_by_label("Forslag til vedtak").fill("ASU vedtar den felles rutinen.")
    v.page.get_by_role("button", name="Lagre saken").click()
    v.page.wait_for_load_state()
    case = Case.objects.get(title="Felles rutine for legemiddelhåndtering")
    assert case.number in v.page.locator("h1").inner_text()
    v.check_accessibility()

    # A meeting of ASU, with the case on its agenda, and the notice published.
    v.go("/hnt/intern/rad/asu/")
    v.check_accessibility()
    v.page.get_by_role("link", name="Planlegg et møte").click()
    v.page.wait_for_load_state()
    v.check_accessibility()
    v.page.get_by_label("Dato").fill("2031-02-05")
    v.page.get_by_label("Starter").fill("09:00")
    v.page.get_by_label("Slutter").fill("14:00")
    v.page.get_by_label("Sted").fill("Steinkjer")
    v.page.get_by_role("button", name="Planlegg møtet").click()
    v.page.wait_for_load_state()
    meeting = Meeting.objects.get(starts_at__year=2031)
    v.check_accessibility()
    v.page.get_by_label("Sak", exact=True).select_option(value=str(case.pk))
    v.page.get_by_label("Behandling").select_option("decision")
    v.page.get_by_role("button", name="Legg til i sakslisten").click()
    v.page.wait_for_load_state()
    assert "Felles rutine for legemiddelhåndtering" in v.page.locator("main").inner_text()
    v.check_accessibility()
    v.page.get_by_role("button", name=re.compile("Innkalling publisert")).click()
    v.page.wait_for_load_state()
    # One more click, naming who is told, before the council is e-mailed.
    assert meeting.__class__.objects.get(pk=meeting.pk).status == "planned"
    v.check_accessibility()
    v.page.get_by_role("button", name="Publiser og gi beskjed til rådet").click()
    v.page.wait_for_load_state()
    meeting.refresh_from_db()
    assert meeting.status == "notice_published"
    v.check_accessibility()

    # The public reads the agenda and the case paper.
    public = visit()
    public.go("/hnt/helsefellesskap/rad/")
    public.check_accessibility()
    public.go(f"/hnt/helsefellesskap/rad/asu/moter/{meeting.pk}/")
    public.check_accessibility()
    public.page.get_by_role("link", name=re.compile("Felles rutine")).click()
    public.page.wait_for_load_state()
    assert "ASU vedtar den felles rutinen." in public.page.locator("main").inner_text()
    public.check_accessibility()
    public.go("/hnt/helsefellesskap/rad/asu/")
    public.check_accessibility()

    # An ASU member reads the papers.
    lena = visit()
    _log_in(lena, "lena@levanger.example")
    lena.go("/hnt/intern/rad/saker/")
    lena.check_accessibility()
    lena.go(f"/hnt/intern/rad/moter/{meeting.pk}/")
    lena.check_accessibility()
    report_figure(
        "browser: council journey pages checked with axe",
        str(len(v.checked) + len(public.checked) + len(lena.checked)),
    )


def test_the_secretariat_records_a_meeting_and_publishes_the_minutes(
    visit: Any, browser_people: Any
) -> None:
    sara = browser_people["sara"]
    totp_device(sara)
    meeting = (
        Meeting.objects.filter(council__partnership__slug="hnt", council__slug="asu", status="held")
        .order_by("-starts_at")
        .first()
    )
    assert meeting is not None
    v = visit()
    _log_in(v, "sara@hnt.example", sara)
    v.go(f"/hnt/intern/rad/moter/{meeting.pk}/")
    v.page.get_by_role("link", name="Registrer oppmøte").click()
    v.page.wait_for_load_state()
    v.check_accessibility()
    for select in v.page.locator("select[name^=seat-]").all():
        select.select_option("present")
    v.page.get_by_role("button", name="Lagre oppmøte").click()
    v.page.wait_for_load_state()
    v.check_accessibility()

    for item in meeting.treatments.exclude(case=None).order_by("position"):
        v.go(f"/hnt/intern/rad/saksliste/{item.pk}/vedtak/")
        if item.kind != "decision":
            v.page.get_by_label("Vedtatt som innstilt").uncheck()
            v.page.get_by_label("Vedtak slik det ble fattet").fill("Tatt til orientering.")
        v.page.get_by_role("button", name="Lagre vedtaket").click()
        v.page.wait_for_load_state()
    v.check_accessibility()
    # A follow-up of the last decision.
    v.page.get_by_label("Hva skal gjøres").fill("Sekretariatet lager en plan for oppfølging")
    v.page.get_by_role("button", name="Opprett oppfølging").click()
    v.page.wait_for_load_state()
    assert "/hnt/intern/oppfolging/" in v.page.url
    v.check_accessibility()

    v.go(f"/hnt/intern/rad/moter/{meeting.pk}/")
    v.page.get_by_role("button", name=re.compile("Protokoll i utkast")).click()
    v.page.wait_for_load_state()
    meeting.refresh_from_db()
    assert meeting.status == "minutes_drafted"
    v.page.get_by_role("link", name="Protokoll", exact=True).click()
    v.page.wait_for_load_state()
    v.check_accessibility()
    v.page.get_by_label("Godkjent av").fill("Godkjent av møteleder og ett medlem")
    v.page.get_by_role("button", name="Godkjenn").click()
    v.page.wait_for_load_state()
    v.go(f"/hnt/intern/rad/moter/{meeting.pk}/")
    v.page.get_by_role("button", name=re.compile("Protokoll publisert")).click()
    v.page.wait_for_load_state()
    meeting.refresh_from_db()
    assert meeting.status == "published"

    public = visit()
    public.go(f"/hnt/helsefellesskap/rad/asu/moter/{meeting.pk}/")
    public.page.get_by_role("link", name="Protokoll", exact=True).click()
    public.page.wait_for_load_state()
    assert "Godkjent av møteleder og ett medlem" in public.page.locator("main").inner_text()
    public.check_accessibility()
    report_figure(
        "browser: minutes journey pages checked with axe", str(len(v.checked) + len(public.checked))
    )
