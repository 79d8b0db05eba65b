"""The task transfer pages: the journey from proposal to agreement, forms
that keep what was typed, stale edits, double submits, and query counts
that do not grow with the rows."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.utils import timezone, translation

from agreements.models import AgreementVersion
from councils.models import Case
from notifications.models import Notification
from transfers import services
from transfers.models import ASPECTS, ConsequenceAssessment, TaskTransfer
from transfers.tests.factory import (
    FNR,
    FULL,
    answer_all,
    asu,
    decided,
    hnt,
    on_consultation,
    party,
    proposal,
    registered,
    trust,
)

BASE = "/hnt/intern/oppgaveoverforing/"
Status = TaskTransfer.Status


def _new(**overrides: str) -> dict[str, str]:
    data = {
        "proposing_party": str(party("5037").pk),
        "title": "Oppfølging av hjemmerespirator",
        "task": "Kommunen overtar daglig oppfølging av hjemmerespirator.",
        "from_party": str(trust().pk),
        "to_party": str(party("5037").pk),
        "patients": "Voksne med langvarig respiratorbehandling i hjemmet.",
        "from_date": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
        "client_key": str(uuid.uuid4()),
        **{name: f"{name}: vurdert." for name, _label in ASPECTS},
    }
    data.update(overrides)
    return data


def test_the_journey_from_proposal_to_agreement_through_the_pages(
    as_person: Any, people: Any
) -> None:
    lena, sara, hanne = as_person("lena"), as_person("sara"), as_person("hanne")
    # Lena finds the area from the internal home page and proposes for Levanger.
    assert f'href="{BASE}"' in lena.get("/hnt/intern/").content.decode()
    page = lena.get(BASE).content.decode()
    assert f'href="{BASE}forslag/ny/"' in page and f'href="{BASE}uavtalt/ny/"' in page
    response = lena.post(f"{BASE}forslag/ny/", _new())
    transfer = TaskTransfer.objects.get(title="Oppfølging av hjemmerespirator")
    assert response.status_code == 302 and response["Location"] == f"{BASE}{transfer.pk}/"
    assert transfer.proposing_party == party("5037") and transfer.created_by == people.lena
    assert transfer.assessments.get().economy == "economy: vurdert."

    # The secretariat sends it on consultation to the two parties and Verdal.
    page = sara.get(f"{BASE}{transfer.pk}/").content.decode()
    assert f'href="{BASE}{transfer.pk}/horing/"' in page
    form = sara.get(f"{BASE}{transfer.pk}/horing/").content.decode()
    assert "Oppfølging av hjemmerespirator" in form  # the suggested question
    response = sara.post(
        f"{BASE}{transfer.pk}/horing/",
        {
            "deadline": (timezone.localdate() + datetime.timedelta(days=28)).isoformat(),
            "message": "Partene bes svare.",
            "parties": [str(party("5038").pk)],
            "version": "0",
            "client_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == Status.CONSULTATION
    assert transfer.consultation is not None and transfer.consultation.addressed.count() == 3

    # Hanne finds the trust's assessment in her work queue and writes it.
    url = f"{BASE}{transfer.pk}/konsekvensvurdering/{trust().pk}/"
    assert url in hanne.get("/hnt/intern/").content.decode()
    response = hanne.post(url, {"capacity": "Frigjør senger.", "ict": "Ingen endring."})
    assert response.status_code == 302
    page = sara.get(f"{BASE}{transfer.pk}/").content.decode()
    assert "Frigjør senger." in page and "capacity: vurdert." in page
    # The consultation's own page, where the parties answer.
    assert f'href="/hnt/intern/avtaler/horing/{transfer.consultation_id}/"' in page

    # Every party answers; the secretariat takes it to ASU's coming meeting.
    answer_all(transfer, people)
    from councils import services as council_services

    meeting = council_services.plan_meeting(
        asu(), starts_at=timezone.now() + datetime.timedelta(days=10)
    )
    page = sara.get(f"{BASE}{transfer.pk}/sak/").content.decode()
    assert f'value="{meeting.pk}"' in page
    response = sara.post(
        f"{BASE}{transfer.pk}/sak/", {"council": str(asu().pk), "meeting": str(meeting.pk)}
    )
    transfer.refresh_from_db()
    assert transfer.case is not None
    assert response["Location"] == f"/hnt/intern/rad/saker/{transfer.case.pk}/"
    assert meeting.treatments.filter(case=transfer.case).exists()
    # A second click lands on the same case.
    assert (
        sara.post(f"{BASE}{transfer.pk}/sak/", {"council": str(asu().pk)})["Location"]
        == f"/hnt/intern/rad/saker/{transfer.case.pk}/"
    )
    assert Case.objects.filter(task_transfers=transfer).count() == 1

    # ASU decides; the secretariat records it as agreed, with the version.
    from councils.models import Meeting, Treatment

    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    decision = council_services.record_decision(
        Treatment.objects.select_related("meeting").get(meeting=meeting, case=transfer.case),
        adopted_as_recommended=True,
        adopted_text="",
        by=people.sara,
    )
    version = AgreementVersion.objects.get(
        agreement__partnership=hnt(), agreement__slug="samarbeidsavtale", label="2021"
    )
    page = sara.get(f"{BASE}{transfer.pk}/utfall/").content.decode()
    assert f'value="{decision.pk}"' in page and f'value="{version.pk}"' in page
    response = sara.post(
        f"{BASE}{transfer.pk}/utfall/",
        {
            "outcome": "agreed",
            "decision": str(decision.pk),
            "agreement_version": str(version.pk),
            "version": str(transfer.version),
        },
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == Status.AGREED and transfer.agreement_version == version
    page = lena.get(f"{BASE}{transfer.pk}/").content.decode()
    assert f'href="/hnt/intern/avtaler/versjon/{version.pk}/"' in page
    assert f'href="/hnt/intern/rad/saker/{transfer.case.pk}/"' in page
    assert Notification.objects.filter(user=people.lena, kind="task_transfer").exists()


def test_a_registration_through_the_page_becomes_a_case(as_person: Any, people: Any) -> None:
    nils, sara = as_person("nils"), as_person("sara")
    response = nils.post(
        f"{BASE}uavtalt/ny/",
        _new(
            proposing_party=str(party("5007").pk),
            to_party=str(party("5007").pk),
            from_date=(timezone.localdate() - datetime.timedelta(days=20)).isoformat(),
            **dict.fromkeys([name for name, _label in ASPECTS], ""),
        ),
    )
    assert response.status_code == 302
    transfer = TaskTransfer.objects.get(title="Oppfølging av hjemmerespirator")
    assert transfer.kind == "unagreed" and transfer.status == Status.REGISTERED
    assert not transfer.assessments.exists()
    response = sara.post(f"{BASE}{transfer.pk}/sak/", {"council": str(asu().pk), "meeting": ""})
    transfer.refresh_from_db()
    assert transfer.status == Status.FOR_DECISION and transfer.case is not None
    # The outcome page offers "handled" only.
    page = sara.get(f"{BASE}{transfer.pk}/utfall/").content.decode()
    assert 'value="handled"' in page and 'value="agreed"' not in page


def test_a_form_with_errors_keeps_what_was_typed_and_never_echoes_a_number(
    as_person: Any, people: Any
) -> None:
    lena = as_person("lena")
    response = lena.post(
        f"{BASE}forslag/ny/",
        _new(patients=f"Pasienten {FNR} og andre.", to_party=str(trust().pk), ict=""),
    )
    page = response.content.decode()
    assert response.status_code == 400
    # What was typed stays (once, in its field), the errors stand by the fields.
    assert "Kommunen overtar daglig oppfølging av hjemmerespirator." in page
    assert page.count(FNR) == 1
    assert "identity number" in page.lower() or "fødselsnummer" in page.lower()
    assert 'id="id_patients-error"' in page and 'id="id_to_party-error"' in page
    assert 'id="id_ict-error"' in page
    assert not TaskTransfer.objects.filter(title="Oppfølging av hjemmerespirator").exists()
    # The assessment form too.
    transfer = proposal(people)
    url = f"{BASE}{transfer.pk}/konsekvensvurdering/{party('5037').pk}/"
    response = lena.post(url, {"economy": f"Gjelder {FNR}.", "capacity": "Fire plasser."})
    page = response.content.decode()
    assert response.status_code == 400 and "Fire plasser." in page and page.count(FNR) == 1
    response = lena.post(url, {})
    assert response.status_code == 400 and "at least one heading" in response.content.decode()
    assert not ConsequenceAssessment.objects.filter(
        transfer=transfer, organisation=party("5037")
    ).exists()


def test_a_stale_edit_is_refused_and_keeps_the_text(as_person: Any, people: Any) -> None:
    transfer = proposal(people)
    services.change(transfer, 0, title="Endret av en annen")
    hanne = as_person("hanne")
    data = {
        "version": "0",
        "title": "Min endring",
        "task": transfer.task,
        "from_party": str(trust().pk),
        "to_party": str(party("5037").pk),
        "patients": transfer.patients,
        "from_date": transfer.from_date.isoformat(),
    }
    response = hanne.post(f"{BASE}{transfer.pk}/rediger/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="Min endring"' in page and "Endret av en annen" in page
    assert 'name="version" value="1"' in page
    assert TaskTransfer.objects.get(pk=transfer.pk).title == "Endret av en annen"
    # Saving again, having seen the other change, is a choice.
    data["version"] = "1"
    assert hanne.post(f"{BASE}{transfer.pk}/rediger/", data).status_code == 302
    assert TaskTransfer.objects.get(pk=transfer.pk).title == "Min endring"
    # The same for an assessment.
    services.assess(transfer, party("5037"), None, by=people.lena, economy="Først.")
    services.assess(transfer, party("5037"), 0, by=people.lena, economy="Så.")
    response = as_person("lena").post(
        f"{BASE}{transfer.pk}/konsekvensvurdering/{party('5037').pk}/",
        {"version": "0", "economy": "Min tekst."},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Min tekst." in page and "Så." in page


def test_a_double_submit_of_the_proposal_page_makes_one(as_person: Any) -> None:
    lena = as_person("lena")
    data = _new()
    assert lena.post(f"{BASE}forslag/ny/", data).status_code == 302
    assert lena.post(f"{BASE}forslag/ny/", data).status_code == 302
    assert TaskTransfer.objects.filter(title="Oppfølging av hjemmerespirator").count() == 1


def test_withdrawing_from_the_page(as_person: Any, people: Any) -> None:
    transfer = proposal(people)
    page = as_person("hanne").get(f"{BASE}{transfer.pk}/").content.decode()
    assert f'action="{BASE}{transfer.pk}/trekk/"' in page
    # Levanger did not propose it: no button, and a refusal.
    assert (
        f'action="{BASE}{transfer.pk}/trekk/"'
        not in as_person("lena").get(f"{BASE}{transfer.pk}/").content.decode()
    )
    assert (
        as_person("lena").post(f"{BASE}{transfer.pk}/trekk/", {"version": "0"}).status_code == 403
    )
    as_person("hanne").post(f"{BASE}{transfer.pk}/trekk/", {"version": "0"})
    assert TaskTransfer.objects.get(pk=transfer.pk).status == Status.WITHDRAWN


def test_the_pages_show_the_partnerships_own_text_in_its_language(
    as_person: Any, people: Any
) -> None:
    """On an English page the transfer's own texts are marked lang="nb".
    (Lena, who does not read the audit trail: its consultation's name is
    agreements' to mark, see ``agreements.Consultation``.)"""
    from tests.test_content_language import unmarked

    transfer = proposal(people)
    on_consultation(transfer, people)
    lines = {
        transfer.title,
        transfer.task,
        transfer.patients,
        *(text for text in FULL.values()),
    }
    lena = as_person("lena")
    with translation.override("en"):
        for url in (
            BASE,
            f"{BASE}{transfer.pk}/",
            f"{BASE}{transfer.pk}/konsekvensvurdering/{party('5037').pk}/",
        ):
            html = lena.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
            assert 'lang="en"' in html
            assert not unmarked(html, lines, "nb"), url


# Queries of every page for a logged-in, verified secretariat member: the
# session, the user, the second factor, the partnership, the person's
# partnership roles and memberships (6), and the session saved in a
# savepoint (3) = 9 (as partnerships/tests/test_queries.py counts them).
BASE_QUERIES = 9


def _grow(people: Any) -> TaskTransfer:
    """More transfers, parties asked, answers and assessments."""
    for i in range(4):
        sent = on_consultation(proposal(people, title=f"Forslag {i}"), people, party("5038"))
        answer_all(sent, people)
        registered(people, title=f"Uavtalt {i}")
    transfer = on_consultation(
        proposal(people, title="Målt"), people, party("5038"), party("5007"), party("5036")
    )
    answer_all(transfer, people)
    for number in ("5038", "5007", "5036", "5037"):
        services.assess(transfer, party(number), None, by=people.sara, economy="Vurdert.")
    return transfer


@pytest.mark.parametrize("page", ["list", "detail"])
def test_the_pages_make_a_fixed_number_of_queries(
    as_person: Any, people: Any, django_assert_num_queries: Any, page: str
) -> None:
    transfer = on_consultation(proposal(people, title="Målt"), people)
    services.assess(transfer, party("5037"), None, by=people.lena, economy="Vurdert.")
    answer_all(transfer, people)
    sara = as_person("sara")
    # The list: + the transfers with their three parties (1).
    # The detail: + the transfer with its parties, consultation, case,
    # decision and version (1), the assessments with their authors (1), the
    # answers, their clause comments (none here, but asked) and the parties
    # asked (3), the audit trail (1) with the names of the records its
    # entries link to, one query per link (the partnership, the three
    # parties, the consultation, the author: 6) = 12.
    expected = BASE_QUERIES + (1 if page == "list" else 12)

    def url() -> str:
        found = TaskTransfer.objects.get(title="Målt")
        return BASE if page == "list" else f"{BASE}{found.pk}/"

    first = url()
    with django_assert_num_queries(expected):
        assert sara.get(first).status_code == 200
    TaskTransfer.objects.filter(pk=transfer.pk).update(title="Målt før")
    _grow(people)
    grown = url()
    with django_assert_num_queries(expected):
        assert sara.get(grown).status_code == 200


def test_the_agreed_demo_transfer_shows_its_decision_and_version(as_person: Any) -> None:
    transfer = TaskTransfer.objects.get(partnership__slug="hnt", status=Status.AGREED)
    page = as_person("stine").get(f"{BASE}{transfer.pk}/").content.decode()
    assert transfer.decision is not None and transfer.agreement_version is not None
    assert f'href="/hnt/intern/avtaler/versjon/{transfer.agreement_version.pk}/"' in page
    assert f'href="/hnt/intern/rad/saker/{transfer.case_id}/"' in page
    # The observer reads it all and may do nothing with it.
    assert f'href="{BASE}{transfer.pk}/utfall/"' not in page
    assert "konsekvensvurdering" not in page


def test_a_decided_case_shows_on_the_page_until_the_outcome_is_recorded(
    as_person: Any, people: Any
) -> None:
    transfer = registered(people)
    decided(transfer, people)
    page = as_person("sara").get(f"{BASE}{transfer.pk}/").content.decode()
    assert f'href="{BASE}{transfer.pk}/utfall/"' in page
