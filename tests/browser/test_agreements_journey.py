"""An agreement version from draft to the public: the secretariat drafts a
særavtale, sends it on consultation, Levanger answers, ASU's case is made and
decided, Levanger's kommunestyre adopts it, the version comes in force and the
public reads which version binds Levanger and what the agreements cover. axe
runs on every page, a few of them also at phone width."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone

from agreements.models import Agreement, AgreementVersion, ConsultationAnswer, Ratification
from conftest import totp_device
from core.tests.report import report_figure
from councils import services as council_services
from councils.models import Case, Decision, Meeting, Treatment
from tests.browser.test_councils_journey import _log_in

pytestmark = pytest.mark.browser

IDENTITY_NUMBER = "15078810022"
TITLE = "Særavtale om felles legemiddelhåndtering ved utskrivning"
FIRST_CLAUSE = "Legemiddelliste ved utskrivning"
SECOND_CLAUSE = "Opplæring av personell"


def _at_phone_width(v: Any) -> None:
    """axe on the page as it is drawn 390 px wide, then back to desktop."""
    v.page.set_viewport_size({"width": 390, "height": 844})
    v.check_accessibility()
    v.page.set_viewport_size({"width": 1280, "height": 900})


def _click(v: Any, role: str, name: Any, **kwargs: Any) -> None:
    v.page.get_by_role(role, name=name, **kwargs).click()
    v.page.wait_for_load_state()


def _council_decides(case: Case, by: Any) -> Decision:
    """The council holds the meeting the case is on (or one planned for it, as
    ``agreements.tests.adoption.decided`` does) and adopts it as recommended."""
    treatment = Treatment.objects.filter(case=case).select_related("meeting").first()
    if treatment is None:
        meeting = council_services.plan_meeting(
            case.council, starts_at=timezone.now() - datetime.timedelta(days=1)
        )
        treatment = council_services.add_to_agenda(meeting, case, Treatment.Kind.DECISION)
    Meeting.objects.filter(pk=treatment.meeting_id).update(status=Meeting.Status.HELD)
    treatment = Treatment.objects.select_related("meeting", "case").get(pk=treatment.pk)
    return council_services.record_decision(
        treatment, adopted_as_recommended=True, adopted_text="", by=by
    )


def _add_clause(v: Any, number: str, heading: str, text: str, points: list[str]) -> None:
    _click(v, "link", "Legg til et punkt")
    v.page.get_by_label("Nummer").fill(number)
    v.page.get_by_label("Overskrift").fill(heading)
    editor = v.page.get_by_role("textbox", name=re.compile("^Tekst"))
    editor.focus()
    v.page.keyboard.type(text)
    for point in points:
        v.page.get_by_label(point).check()
    v.check_accessibility()
    _click(v, "button", "Lagre punktet")


def test_an_agreement_version_goes_from_draft_to_the_public(
    visit: Any, browser_people: Any
) -> None:
    today = timezone.localdate()
    sara = browser_people["sara"]
    totp_device(sara)
    v = visit()
    _log_in(v, "sara@hnt.example", sara)

    # 1. A new særavtale owned by ASU, its version "1" and two clauses.
    v.go("/hnt/intern/avtaler/")
    v.check_accessibility()
    v.go("/hnt/intern/avtaler/ny/")
    v.check_accessibility()
    v.page.get_by_label("Nivå").select_option(label="Særavtaler")
    v.page.get_by_label("Nummer").fill("S-9")
    v.page.get_by_label("Tittel").fill(TITLE)
    v.page.get_by_label("Eierråd").select_option(label="ASU")
    _click(v, "button", "Lagre")
    agreement = Agreement.objects.get(title=TITLE)
    assert "Avtalen er opprettet" in v.page.locator("main").inner_text()
    assert TITLE in v.page.locator("h1").inner_text()
    v.check_accessibility()
    v.page.get_by_label("Navn på versjonen").fill("1")
    _click(v, "button", "Lag et utkast")
    version = AgreementVersion.objects.get(agreement=agreement, label="1")
    assert "versjon 1" in v.page.locator("h1").inner_text()
    assert "Ingen punkter ennå." in v.page.locator("main").inner_text()
    v.check_accessibility()
    _add_clause(
        v,
        "1",
        FIRST_CLAUSE,
        "Sykehuset sender oppdatert legemiddelliste med pasienten.",
        ["Utskrivningsklare pasienter"],
    )
    _add_clause(
        v,
        "2",
        SECOND_CLAUSE,
        "Partene lærer opp sine ansatte i rutinen.",
        ["Forskning, utdanning, praksis og læretid", "Forebygging"],
    )
    main = v.page.locator("main").inner_text()
    assert FIRST_CLAUSE in main and SECOND_CLAUSE in main
    assert "Sykehuset sender oppdatert legemiddelliste" in main
    assert re.search(r"§ 6-2:\s*5", main)
    v.check_accessibility()

    # 2. On consultation to Levanger and the hospital trust.
    _click(v, "link", "Send på høring")
    v.check_accessibility()
    v.page.get_by_label("Svarfrist").fill((today + datetime.timedelta(days=21)).isoformat())
    v.page.get_by_label("Hva partene bes om å svare på").fill(
        "Gir punktene om legemiddelliste og opplæring det dere trenger?"
    )
    parties = v.page.get_by_role("group", name="Parter")
    for box in parties.get_by_role("checkbox").all():
        box.uncheck()
    parties.get_by_label("Levanger kommune").check()
    parties.get_by_label("Helse Nord-Trøndelag HF").check()
    _click(v, "button", "Send på høring")
    version.refresh_from_db()
    assert version.status == AgreementVersion.Status.CONSULTATION
    consultation = version.consultations.get()
    assert sorted(a.organisation.name for a in consultation.addressed.all()) == [
        "Helse Nord-Trøndelag HF",
        "Levanger kommune",
    ]
    assert "0 av 2 parter har svart" in v.page.locator("main").inner_text()
    v.check_accessibility()

    # 3. Levanger finds it in the work queue and answers, clause by clause.
    lena = visit()
    _log_in(lena, "lena@levanger.example")
    lena.go("/hnt/intern/")
    line = (
        lena.page.locator(".work-line")
        .filter(has_text="Høring å svare på")
        .filter(has_text="Levanger kommune")
    )
    assert line.count() == 1
    lena.check_accessibility()
    line.get_by_role("link").click()
    lena.page.wait_for_load_state()
    assert "Høringssvar fra Levanger kommune" in lena.page.locator("h1").inner_text()
    lena.check_accessibility()
    _at_phone_width(lena)
    lena.page.get_by_label("Støtter det, med merknader").check()
    lena.page.get_by_label("Partens svar").fill("Levanger støtter avtalen.")
    comment = lena.page.get_by_label(re.compile(f"Merknad til 1 {FIRST_CLAUSE}"))
    comment.fill(f"Gjelder for eksempel pasient {IDENTITY_NUMBER} i fjor.")
    _click(lena, "button", "Send svaret")
    # Refused: what was typed is kept, and the message does not repeat the number.
    summary = lena.page.locator(".ds-error-summary").inner_text()
    beside = lena.page.locator(".ds-validation-message").inner_text()
    assert "fødselsnummer" in summary and "fødselsnummer" in beside
    assert IDENTITY_NUMBER not in summary and IDENTITY_NUMBER not in beside
    assert IDENTITY_NUMBER in comment.input_value()
    assert lena.page.get_by_label("Partens svar").input_value() == "Levanger støtter avtalen."
    assert not ConsultationAnswer.objects.filter(consultation=consultation).exists()
    lena.check_accessibility()
    comment.fill("Listen må også gå til fastlegen, ikke bare til hjemmetjenesten.")
    _click(lena, "button", "Send svaret")
    answer = ConsultationAnswer.objects.get(consultation=consultation)
    assert answer.organisation.name == "Levanger kommune"
    assert answer.position == ConsultationAnswer.Position.SUPPORTS_WITH_COMMENTS
    assert "Svaret fra Levanger kommune er sendt til sekretariatet." in (
        lena.page.locator("body").inner_text()
    )
    lena.check_accessibility()

    # 4. The secretariat reads the comment beside the clause and marks it read.
    v.go(f"/hnt/intern/avtaler/horing/{consultation.pk}/")
    article = v.page.locator("article.clause").filter(has_text=FIRST_CLAUSE)
    text = article.inner_text()
    assert "Teksten som ble sendt" in text and "Sykehuset sender oppdatert legemiddelliste" in text
    assert "Hva partene sier" in text and "Listen må også gå til fastlegen" in text
    assert "Levanger kommune" in text
    v.check_accessibility()
    _click(v, "button", re.compile("Merk som lest"))
    answer.refresh_from_db()
    assert answer.read_at is not None
    assert v.page.get_by_role("button", name=re.compile("Merk som lest")).count() == 0
    v.check_accessibility()

    # The council case, on a coming ASU meeting if one is open for cases.
    v.go(f"/hnt/intern/avtaler/versjon/{version.pk}/")
    meeting_select = v.page.get_by_label("Sett saken på sakslisten til")
    offered = [o for o in meeting_select.locator("option").all() if o.get_attribute("value")]
    if offered:
        meeting_select.select_option(value=offered[0].get_attribute("value"))
    _click(v, "button", "Lag saken til rådet")
    version.refresh_from_db()
    case = version.case
    assert case is not None and case.number in v.page.locator("h1").inner_text()
    assert Treatment.objects.filter(case=case).exists() == bool(offered)
    v.check_accessibility()

    # ASU decides, outside the browser.
    decision = _council_decides(case, sara)

    # Adopted by the council with that decision, then sent to the parties.
    v.go(f"/hnt/intern/avtaler/versjon/{version.pk}/")
    v.page.get_by_label("Neste steg").select_option(label="Vedtatt i rådet")
    v.page.get_by_label("Rådets vedtak").select_option(value=str(decision.pk))
    _click(v, "button", "Send videre")
    version.refresh_from_db()
    assert version.status == AgreementVersion.Status.ADOPTED
    assert version.adopted_by == decision
    assert "Vedtatt i rådet" in v.page.locator("main").inner_text()
    v.check_accessibility()
    v.page.get_by_label("Neste steg").select_option(label="Til behandling hos partene")
    v.page.get_by_label("Gjelder fra").fill(today.isoformat())
    _click(v, "button", "Send videre")
    version.refresh_from_db()
    assert version.status == AgreementVersion.Status.RATIFICATION
    assert version.in_force_from == today
    v.check_accessibility()

    # 5. Levanger records its kommunestyre's adoption from the work queue.
    lena.go("/hnt/intern/")
    line = (
        lena.page.locator(".work-line")
        .filter(has_text="Vedtak å registrere")
        .filter(has_text=TITLE)
    )
    assert line.count() == 1
    line.get_by_role("link").click()
    lena.page.wait_for_load_state()
    assert "Registrer partens vedtak" in lena.page.locator("h1").inner_text()
    lena.check_accessibility()
    lena.page.get_by_label("Vedtatt", exact=True).check()
    lena.page.get_by_label(re.compile(r"^Organ\b")).select_option(label="Kommunestyret")
    lena.page.get_by_label("Navn på organet").fill("Levanger kommunestyre")
    lena.page.get_by_label("Saksnummer").fill("PS 45/25")
    lena.page.get_by_label("Møtedato").fill(today.isoformat())
    _click(lena, "button", "Lagre")
    ratification = Ratification.objects.get(agreement_version=version)
    assert ratification.organisation.name == "Levanger kommune"
    assert ratification.outcome == Ratification.Outcome.ADOPTED
    row = lena.page.get_by_role("row").filter(has_text="Levanger kommune")
    assert "Vedtatt" in row.inner_text() and "PS 45/25" in row.inner_text()
    lena.check_accessibility()

    # 6. In force; the public reads it.
    v.go(f"/hnt/intern/avtaler/versjon/{version.pk}/")
    v.page.get_by_label("Neste steg").select_option(label="Gjeldende")
    _click(v, "button", "Send videre")
    version.refresh_from_db()
    assert version.status == AgreementVersion.Status.IN_FORCE
    v.check_accessibility()

    public = visit()
    public.go("/hnt/samarbeidsavtaler/")
    public.check_accessibility()
    public.page.get_by_role("link", name=re.compile(TITLE)).first.click()
    public.page.wait_for_load_state()
    assert TITLE in public.page.locator("h1").inner_text()
    facts = public.page.locator("dl.fact-list").first.inner_text()
    assert "Versjon 1" in facts
    binding = public.page.get_by_role("row").filter(has_text="Levanger kommune")
    assert re.search(r"Versjon 1, fra", binding.inner_text())
    assert "Levanger kommunestyre" in binding.inner_text()
    trust = public.page.get_by_role("row").filter(has_text="Helse Nord-Trøndelag HF")
    assert "Ingen versjon" in trust.inner_text()
    public.check_accessibility()
    _at_phone_width(public)
    public.go("/hnt/samarbeidsavtaler/dekning/")
    point = public.page.get_by_role("row").filter(has_text="Utskrivningsklare pasienter")
    assert FIRST_CLAUSE in point.inner_text()
    public.check_accessibility()
    report_figure(
        "browser: agreement journey pages checked with axe",
        str(len(v.checked) + len(lena.checked) + len(public.checked)),
    )
