"""One meeting from plan to published minutes, with representation.

The secretariat plans a meeting, adds a public and an exempt case with an
attachment and publishes the notice; a member reads the papers and asks her
constituency for input; a constituency member answers; the meeting is held,
attendance, decisions and a vote recorded, a follow-up created; the minutes
are approved and published; the public sees only public items and the exempt
case by its public title; the member reports back; the follow-up is closed.
axe runs on every page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from conftest import totp_device
from core.tests.report import report_figure
from councils.models import Case, Meeting, Vote
from followups.models import FollowUp
from representation.models import InputAnswer, InputRound, ReportBack
from tests.browser.test_councils_journey import _log_in

pytestmark = pytest.mark.browser


def _new_case(v: Any, title: str, *, exempt: bool = False) -> Case:
    v.go("/hnt/intern/rad/saker/ny/")
    v.page.get_by_label("Forberedt for").select_option(label="ASU")
    v.page.get_by_label("Tittel", exact=True).fill(title)
    if exempt:
        v.page.get_by_label("Synlighet").select_option("restricted")
        v.page.get_by_label("Offentlig tittel").fill("Forhandlinger om avtale")
        v.page.get_by_label("Hjemmel for unntak").fill("Offl. § 23 første ledd")
    v.page.get_by_label("Bakgrunn").fill(f"Bakgrunn for {title}.")
    v.page.get_by_label("Forslag til vedtak").fill(f"ASU slutter seg til {title.lower()}.")
    v.page.get_by_role("button", name="Lagre saken").click()
    v.page.wait_for_load_state()
    return Case.objects.get(title=title)


def test_a_meeting_from_plan_to_published_minutes_with_representation(
    visit: Any, browser_people: Any, tmp_path: Path
) -> None:
    sara = browser_people["sara"]
    totp_device(sara)
    v = visit()
    _log_in(v, "sara@hnt.example", sara)

    # Two cases: one public with an attachment, one exempt from public access.
    public_case = _new_case(v, "Felles plan for hjemmesykehus")
    attachment = tmp_path / "plan.txt"
    attachment.write_text("Utkast til felles plan for hjemmesykehus.", encoding="utf-8")
    v.page.get_by_label(re.compile("^Tittel")).fill("Utkast til plan")
    v.page.get_by_label("Fil", exact=True).set_input_files(str(attachment))
    v.page.get_by_role("button", name="Legg ved filen").click()
    v.page.wait_for_load_state()
    assert "Utkast til plan" in v.page.locator("main").inner_text()
    v.check_accessibility()
    exempt_case = _new_case(v, "Avtale med privat aktør om senger", exempt=True)
    v.check_accessibility()

    # The meeting, its agenda and the notice.
    v.go("/hnt/intern/rad/asu/nytt-mote/")
    v.page.get_by_label("Dato").fill("2031-03-06")
    v.page.get_by_label("Starter").fill("09:00")
    v.page.get_by_label("Slutter").fill("13:00")
    v.page.get_by_label("Sted").fill("Levanger")
    v.page.get_by_role("button", name="Planlegg møtet").click()
    v.page.wait_for_load_state()
    meeting = Meeting.objects.get(starts_at__year=2031, starts_at__month=3)
    for case in (public_case, exempt_case):
        v.page.get_by_label("Sak", exact=True).select_option(value=str(case.pk))
        v.page.get_by_label("Behandling").select_option("decision")
        v.page.get_by_role("button", name="Legg til i sakslisten").click()
        v.page.wait_for_load_state()
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

    # Lena, ASU member on behalf of her region, reads the papers and asks for input.
    lena = visit()
    _log_in(lena, "lena@levanger.example")
    lena.go(f"/hnt/intern/rad/moter/{meeting.pk}/")
    lena.check_accessibility()
    lena.page.get_by_role("link", name="Felles plan for hjemmesykehus").click()
    lena.page.wait_for_load_state()
    lena.check_accessibility()
    lena.go(f"/hnt/intern/rad/moter/{meeting.pk}/")
    lena.page.get_by_role("link", name="Be dem du representerer om innspill").click()
    lena.page.wait_for_load_state()
    lena.check_accessibility()
    lena.page.get_by_label("Hva du vil ha innspill på").select_option(value=str(public_case.pk))
    lena.page.get_by_label("Frist for innspill").fill("2031-03-01")
    lena.page.get_by_label("Melding eller spørsmål").fill(
        "Hvordan vil planen påvirke hjemmetjenesten hos dere?"
    )
    lena.page.get_by_role("button", name="Be om innspill").click()
    lena.page.wait_for_load_state()
    lena.check_accessibility()
    input_round = InputRound.objects.get(meeting=meeting)
    assert input_round.case == public_case

    # Vilde in Verdal kommune, in Lena's region, answers.
    vilde = visit()
    _log_in(vilde, "vilde.fagleder@verdal.example")
    vilde.go("/hnt/intern/representasjon/")
    vilde.check_accessibility()
    vilde.go(f"/hnt/intern/representasjon/innspill/{input_round.pk}/")
    vilde.check_accessibility()
    vilde.page.get_by_label("Ditt innspill").fill(
        "Vi trenger mer opplæring av hjemmetjenesten før oppstart."
    )
    vilde.page.get_by_role("button", name="Send innspill").click()
    vilde.page.wait_for_load_state()
    vilde.check_accessibility()
    assert InputAnswer.objects.filter(round=input_round).count() == 1
    lena.go(f"/hnt/intern/representasjon/innspill/{input_round.pk}/")
    assert "mer opplæring av hjemmetjenesten" in lena.page.locator("main").inner_text()
    lena.check_accessibility()

    # The meeting is held: attendance, decisions, a vote and a follow-up.
    v.go(f"/hnt/intern/rad/moter/{meeting.pk}/")
    v.page.get_by_role("button", name=re.compile("Møtet er holdt|Holdt")).click()
    v.page.wait_for_load_state()
    v.page.get_by_role("link", name="Registrer oppmøte").click()
    v.page.wait_for_load_state()
    for select in v.page.locator("select[name^=seat-]").all():
        select.select_option("present")
    v.page.get_by_role("button", name="Lagre oppmøte").click()
    v.page.wait_for_load_state()
    for item in meeting.treatments.exclude(case=None).order_by("position"):
        v.go(f"/hnt/intern/rad/saksliste/{item.pk}/vedtak/")
        v.page.get_by_role("button", name="Lagre vedtaket").click()
        v.page.wait_for_load_state()
    public_item = meeting.treatments.get(case=public_case)
    v.go(f"/hnt/intern/rad/saksliste/{public_item.pk}/vedtak/")
    v.page.locator("fieldset", has_text="Lena").get_by_label("Mot").check()
    v.page.get_by_role("button", name="Lagre stemmene").click()
    v.page.wait_for_load_state()
    assert Vote.objects.filter(decision__treatment=public_item, choice="against").count() == 1
    v.check_accessibility()
    v.page.get_by_label("Hva skal gjøres").fill("Kommunene lager opplæringsplan for hjemmesykehus")
    v.page.get_by_role("button", name="Opprett oppfølging").click()
    v.page.wait_for_load_state()
    followup = FollowUp.objects.get(title="Kommunene lager opplæringsplan for hjemmesykehus")

    # Minutes drafted, approved and published.
    v.go(f"/hnt/intern/rad/moter/{meeting.pk}/")
    v.page.get_by_role("button", name=re.compile("Protokoll i utkast")).click()
    v.page.wait_for_load_state()
    v.go(f"/hnt/intern/rad/moter/{meeting.pk}/protokoll/")
    v.check_accessibility()
    v.page.get_by_label("Godkjent av").fill("Leder og nestleder i ASU")
    v.page.get_by_role("button", name="Godkjenn").click()
    v.page.wait_for_load_state()
    v.go(f"/hnt/intern/rad/moter/{meeting.pk}/")
    v.page.get_by_role("button", name=re.compile("Protokoll publisert")).click()
    v.page.wait_for_load_state()
    meeting.refresh_from_db()
    assert meeting.status == "published"

    # The public: public items in full, the exempt case by its public title only.
    public = visit()
    public.go(f"/hnt/helsefellesskap/rad/asu/moter/{meeting.pk}/")
    public.check_accessibility()
    agenda = public.page.locator("main").inner_text()
    assert "Felles plan for hjemmesykehus" in agenda
    assert "Forhandlinger om avtale" in agenda and "privat aktør" not in agenda
    public.page.get_by_role("link", name="Protokoll", exact=True).click()
    public.page.wait_for_load_state()
    minutes = public.page.locator("main").inner_text()
    assert "Leder og nestleder i ASU" in minutes
    assert "Lena" in minutes  # the recorded vote, with whom she represents
    assert "Forhandlinger om avtale" in minutes and "privat aktør" not in minutes
    public.check_accessibility()

    # Lena reports back to her region.
    lena.go("/hnt/intern/representasjon/")
    lena.page.get_by_role("link", name=re.compile(r"Tilbakemelding fra .*2031")).first.click()
    lena.page.wait_for_load_state()
    lena.check_accessibility()
    summary = lena.page.get_by_role("textbox").first.input_value()
    assert "Felles plan for hjemmesykehus" in summary
    assert "Forhandlinger om avtale" in summary and "privat aktør" not in summary
    lena.page.get_by_role("button", name="Merk som tilbakemeldt").click()
    lena.page.wait_for_load_state()
    lena.check_accessibility()
    assert ReportBack.objects.get(meeting=meeting).reported_at is not None
    v.go(f"/hnt/intern/representasjon/mote/{meeting.pk}/")
    v.check_accessibility()

    # The follow-up is closed.
    v.go(f"/hnt/intern/oppfolging/{followup.pk}/")
    v.page.get_by_role("button", name=re.compile("Fullført|Ferdig")).first.click()
    v.page.wait_for_load_state()
    followup.refresh_from_db()
    assert followup.status == "done"
    v.check_accessibility()
    report_figure(
        "browser: meeting journey with representation, pages checked with axe",
        str(len(v.checked) + len(lena.checked) + len(vilde.checked) + len(public.checked)),
    )
