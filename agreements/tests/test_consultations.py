"""Consultation (høring), adoption by the council's decision, reminders and
the parties' documents."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from agreements import consultations, services
from agreements.models import (
    Agreement,
    AgreementLevel,
    AgreementVersion,
    Clause,
    Consultation,
    ConsultationAnswer,
    Document,
    Ratification,
)
from agreements.tests.adoption import adopted, decided
from core.services import EditConflict
from councils.models import Case, Council
from notifications.models import Notification
from partnerships.models import Organisation

Status = AgreementVersion.Status
Position = ConsultationAnswer.Position
FNR = "150788 10022"  # a valid fødselsnummer, written with a space


@pytest.fixture(autouse=True)
def _english() -> Any:
    """The rules' messages are matched in English (the pages in bokmål)."""
    with translation.override("en"):
        yield


@pytest.fixture
def version(hnt: Any, people: Any) -> AgreementVersion:
    level = AgreementLevel.objects.create(partnership=hnt, name="Test: særavtaler")
    agreement = Agreement.objects.create(
        partnership=hnt,
        level=level,
        title="Særavtale om høring",
        slug="hoering",
        owner=Council.objects.get(partnership=hnt, slug="asu"),
    )
    drafted = services.new_version(agreement, "2027", by=people.sara)
    services.add_clause(
        drafted, number="1", heading="Formål", text="Partene samarbeider.", points=[1]
    )
    services.add_clause(
        drafted, number="2", heading="Ansvar", text="Hver part har sitt.", points=[2]
    )
    return drafted


def _party(number: str) -> Organisation:
    return Organisation.objects.get(municipality_number=number)


def _trust() -> Organisation:
    return Organisation.objects.get(kind="helseforetak", name__contains="Nord-Trøndelag")


def _open(version: AgreementVersion, people: Any, *parties: Organisation) -> Consultation:
    return consultations.open_consultation(
        version,
        version.version,
        deadline=timezone.localdate() + datetime.timedelta(days=42),
        message="Partene bes om å svare på forslaget.",
        parties=parties or [_party("5037"), _party("5038"), _trust()],
        by=people.sara,
    )


def _deadline(days: int = 42) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


# --- The rules ---------------------------------------------------------------------


def test_a_draft_goes_on_consultation_and_each_party_is_told(
    version: AgreementVersion, people: Any
) -> None:
    consultation = _open(version, people)
    version.refresh_from_db()
    assert version.status == Status.CONSULTATION
    assert sorted(consultation.addressed.values_list("organisation__name", flat=True)) == [
        "Helse Nord-Trøndelag HF",
        "Levanger kommune",
        "Verdal kommune",
    ]
    told = Notification.objects.filter(kind=Notification.Kind.AGREEMENT_CONSULTATION)
    # Levanger's coordinator answers for Levanger; the trust's leader for the trust.
    assert (
        told.filter(user=people.lena)
        .get()
        .path.endswith(f"/horing/{consultation.pk}/svar/{_party('5037').pk}/")
    )
    assert told.filter(user=people.hanne).exists()
    # Nobody is told in another party's name.
    assert not told.filter(user=people.kai).exists()


def test_a_consultation_needs_time_parties_of_the_agreement_and_a_draft(
    version: AgreementVersion, people: Any, hnt: Any
) -> None:
    with pytest.raises(ValidationError, match="14"):
        consultations.open_consultation(
            version,
            0,
            deadline=timezone.localdate() + datetime.timedelta(days=13),
            message="?",
            parties=[_party("5037")],
            by=people.sara,
        )
    observer = Organisation.objects.get(name__startswith="Statsforvalteren")
    with pytest.raises(ValidationError, match="does not bind"):
        _open(version, people, observer)
    with pytest.raises(ValidationError, match="Choose the parties"):
        consultations.open_consultation(
            version,
            0,
            deadline=timezone.localdate() + datetime.timedelta(days=30),
            message="?",
            parties=[],
            by=people.sara,
        )
    assert Consultation.objects.filter(agreement_version=version).count() == 0
    _open(version, people)
    version.refresh_from_db()
    with pytest.raises(ValidationError):
        _open(version, people)  # no longer a draft
    assert Consultation.objects.filter(agreement_version=version).count() == 1


def test_a_double_submit_opens_one_round(version: AgreementVersion, people: Any) -> None:
    key = uuid.uuid4()

    def send() -> Consultation:
        return consultations.open_consultation(
            version,
            0,
            deadline=timezone.localdate() + datetime.timedelta(days=30),
            message="?",
            parties=[_party("5037")],
            by=people.sara,
            client_key=key,
        )

    assert send() == send()
    assert Consultation.objects.filter(agreement_version=version).count() == 1


def test_a_party_answers_once_and_changes_its_answer_with_its_version(
    version: AgreementVersion, people: Any
) -> None:
    consultation = _open(version, people)
    levanger = _party("5037")
    first, second = version.clauses.all()
    answer = consultations.answer(
        consultation,
        levanger,
        None,
        position=Position.SUPPORTS_WITH_COMMENTS,
        text="Levanger støtter med merknader.",
        comments={first.pk: "Presiser formålet.", second.pk: ""},
        document=None,
        by=people.lena,
    )
    assert [c.text for c in answer.comments.all()] == ["Presiser formålet."]
    # A second "first answer" (another tab, a colleague) is a conflict, not a copy.
    with pytest.raises(EditConflict):
        consultations.answer(
            consultation,
            levanger,
            None,
            position=Position.OBJECTS,
            text="",
            comments={},
            document=None,
            by=people.lena,
        )
    consultations.mark_read(answer, answer.version, by=people.sara)
    answer.refresh_from_db()
    changed = consultations.answer(
        consultation,
        levanger,
        answer.version,
        position=Position.SUPPORTS,
        text="Levanger støtter forslaget.",
        comments={second.pk: "Godt."},
        document=None,
        by=people.lena,
    )
    assert [(c.clause_id, c.text) for c in changed.comments.all()] == [(second.pk, "Godt.")]
    # A changed answer is read again.
    assert changed.read_at is None
    with pytest.raises(EditConflict):
        consultations.answer(
            consultation,
            levanger,
            answer.version,
            position=Position.OBJECTS,
            text="",
            comments={},
            document=None,
            by=people.lena,
        )
    assert ConsultationAnswer.objects.filter(consultation=consultation).count() == 1


def test_answers_come_only_from_parties_asked_and_only_while_open(
    version: AgreementVersion, people: Any
) -> None:
    consultation = _open(version, people, _party("5037"))
    with pytest.raises(ValidationError, match="not addressed"):
        consultations.answer(
            consultation,
            _party("5038"),
            None,
            position=Position.SUPPORTS,
            text="",
            comments={},
            document=None,
            by=people.sara,
        )
    other_clause = Clause.objects.exclude(agreement_version=version).first()
    assert other_clause is not None
    with pytest.raises(ValidationError, match="not in this version"):
        consultations.answer(
            consultation,
            _party("5037"),
            None,
            position=Position.SUPPORTS,
            text="",
            comments={other_clause.pk: "Feil punkt"},
            document=None,
            by=people.lena,
        )
    # The council adopts it: the round closes.
    adopted(version, people.sara)
    consultation.refresh_from_db()
    assert not consultation.is_open
    with pytest.raises(ValidationError, match="closed"):
        consultations.answer(
            consultation,
            _party("5037"),
            None,
            position=Position.SUPPORTS,
            text="",
            comments={},
            document=None,
            by=people.lena,
        )


def test_reminders_go_to_the_parties_that_have_not_answered(
    version: AgreementVersion, people: Any
) -> None:
    consultation = _open(version, people)
    consultations.answer(
        consultation,
        _trust(),
        None,
        position=Position.NO_COMMENT,
        text="",
        comments={},
        document=None,
        by=people.hanne,
    )
    Notification.objects.all().delete()
    reminded = consultations.remind(consultation)
    assert [p.name for p in reminded] == ["Levanger kommune", "Verdal kommune"]
    told = Notification.objects.filter(kind=Notification.Kind.AGREEMENT_CONSULTATION)
    assert told.filter(user=people.lena, headline__startswith="Reminder").exists()
    assert not told.filter(user=people.hanne).exists()
    assert consultation.addressed.filter(reminded_at__isnull=False).count() == 2


# --- Adoption by the council --------------------------------------------------------


def test_the_council_case_is_made_once_with_the_consultation_in_its_paper(
    version: AgreementVersion, people: Any
) -> None:
    consultation = _open(version, people)
    consultations.answer(
        consultation,
        _trust(),
        None,
        position=Position.OBJECTS,
        text="Nei.",
        comments={},
        document=None,
        by=people.hanne,
    )
    version.refresh_from_db()
    case, created = services.prepare_case(version, by=people.sara)
    again, created_again = services.prepare_case(version, by=people.sara)
    assert created and not created_again and case == again
    assert case.council.slug == "asu"
    # The partnership writes bokmål: the paper is in bokmål, whatever the
    # secretariat's own language.
    assert "versjon 2027" in case.title
    assert "3 parter" in case.paper_text and "1 svarte" in case.paper_text
    assert "1 støtter det ikke" in case.paper_text
    version.refresh_from_db()
    assert version.case == case


def test_adoption_links_the_councils_decision_on_the_versions_case(
    version: AgreementVersion, people: Any
) -> None:
    decision = decided(version, people.sara)
    version.refresh_from_db()
    # A decision on some other case is not this version's adoption.
    other = services.new_version(version.agreement, "2028", by=people.sara)
    services.add_clause(other, number="1", heading="A", text="B", points=[])
    with pytest.raises(ValidationError, match="council case"):
        services.move_on(other, 0, Status.ADOPTED, decision=decision)
    services.move_on(version, version.version, Status.ADOPTED, decision=decision)
    version.refresh_from_db()
    assert version.status == Status.ADOPTED and version.adopted_by == decision


def test_the_case_needs_an_owner_council(version: AgreementVersion, people: Any) -> None:
    Agreement.objects.filter(pk=version.agreement_id).update(owner=None)
    version.refresh_from_db()
    with pytest.raises(ValidationError, match="owner council"):
        services.prepare_case(version, by=people.sara)
    assert not Case.objects.filter(title__contains="Særavtale om høring").exists()


def test_parties_that_have_not_decided_are_reminded(version: AgreementVersion, people: Any) -> None:
    adopted(version, people.sara)
    version.refresh_from_db()
    services.move_on(version, version.version, Status.RATIFICATION)
    services.record_ratification(
        version, _party("5037"), None, by=people.lena, outcome=Ratification.Outcome.ADOPTED
    )
    Notification.objects.all().delete()
    waiting = services.remind_ratification(version)
    assert _party("5037") not in waiting and _party("5038") in waiting
    assert not Notification.objects.filter(user=people.lena).exists()
    version.refresh_from_db()
    assert version.reminded_at is not None


def test_notice_is_told_to_the_secretariat_and_the_other_parties(
    version: AgreementVersion, people: Any
) -> None:
    services.record_termination(
        version.agreement,
        _party("5038"),
        notice_given_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
        reason="",
        by=people.sara,
    )
    told = Notification.objects.filter(kind=Notification.Kind.AGREEMENT_TERMINATED)
    assert told.filter(user=people.sara).exists() and told.filter(user=people.lena).exists()
    assert "31.12.2027" in told.filter(user=people.lena).get().headline


# --- The pages ------------------------------------------------------------------------


def test_the_journey_from_draft_to_adoption_through_the_pages(
    as_person: Any, version: AgreementVersion, people: Any
) -> None:
    sara, lena = as_person("sara"), as_person("lena")
    levanger = _party("5037")
    page = sara.get(f"/hnt/intern/avtaler/versjon/{version.pk}/").content.decode()
    assert f"/hnt/intern/avtaler/versjon/{version.pk}/horing/" in page
    response = sara.post(
        f"/hnt/intern/avtaler/versjon/{version.pk}/horing/",
        {
            "deadline": _deadline(),
            "message": "Svar innen fristen.",
            "parties": [str(levanger.pk), str(_trust().pk)],
            "version": "0",
            "client_key": str(uuid.uuid4()),
        },
    )
    consultation = Consultation.objects.get(agreement_version=version)
    assert response.status_code == 302
    assert response["Location"] == f"/hnt/intern/avtaler/horing/{consultation.pk}/"

    # Levanger's coordinator finds it in her work queue and answers.
    answer_url = f"/hnt/intern/avtaler/horing/{consultation.pk}/svar/{levanger.pk}/"
    assert answer_url in lena.get("/hnt/intern/").content.decode()
    first = version.clauses.get(number="1")
    response = lena.post(
        answer_url,
        {
            "position": "comments",
            "text": "Levanger støtter forslaget med én merknad.",
            f"clause_{first.pk}": "Formålet bør nevne brukermedvirkning.",
            "document": SimpleUploadedFile("vedtak.txt", b"Levanger formannskap, sak 12/27."),
        },
    )
    assert response.status_code == 302
    answer = ConsultationAnswer.objects.get(consultation=consultation, organisation=levanger)
    assert answer.document is not None and answer.document.original_name == "vedtak.txt"

    # The secretariat reads the answers side by side, clause by clause.
    page = sara.get(f"/hnt/intern/avtaler/horing/{consultation.pk}/").content.decode()
    assert "Formålet bør nevne brukermedvirkning." in page
    assert "1 of 2 parties have answered" in page or "1 av 2 parter har svart" in page
    assert f"/hnt/intern/avtaler/horingssvar/{answer.pk}/lest/" in page
    assert f"/hnt/intern/avtaler/dokument/{answer.document.pk}/" in page
    assert f"/hnt/intern/avtaler/horing/{consultation.pk}/svar/" not in page.split("<table")[0]
    assert lena.get(f"/hnt/intern/avtaler/dokument/{answer.document.pk}/").status_code == 200

    # ASU's case, put on a coming meeting's agenda, decides; the version is adopted.
    response = sara.post(f"/hnt/intern/avtaler/versjon/{version.pk}/sak/", {"meeting": ""})
    version.refresh_from_db()
    assert version.case is not None
    assert response["Location"] == f"/hnt/intern/rad/saker/{version.case.pk}/"
    decision = decided(version, people.sara)
    version.refresh_from_db()
    page = sara.get(f"/hnt/intern/avtaler/versjon/{version.pk}/").content.decode()
    assert f'value="{decision.pk}"' in page
    response = sara.post(
        f"/hnt/intern/avtaler/versjon/{version.pk}/videre/",
        {"to": "adopted", "version": str(version.version), "decision": str(decision.pk)},
    )
    version.refresh_from_db()
    assert version.status == Status.ADOPTED and version.adopted_by == decision
    consultation.refresh_from_db()
    assert not consultation.is_open


def test_adoption_without_the_decision_is_refused_by_the_form(
    as_person: Any, version: AgreementVersion, people: Any
) -> None:
    decided(version, people.sara)
    version.refresh_from_db()
    as_person("sara").post(
        f"/hnt/intern/avtaler/versjon/{version.pk}/videre/",
        {"to": "adopted", "version": str(version.version)},
    )
    version.refresh_from_db()
    assert version.status == Status.DRAFT


def test_a_bad_answer_keeps_what_was_typed_and_stores_nothing(
    as_person: Any, version: AgreementVersion, people: Any
) -> None:
    consultation = _open(version, people)
    levanger = _party("5037")
    first = version.clauses.get(number="1")
    url = f"/hnt/intern/avtaler/horing/{consultation.pk}/svar/{levanger.pk}/"
    lena = as_person("lena")
    response = lena.post(
        url,
        {
            "position": "comments",
            "text": "Gjelder pasient.",
            f"clause_{first.pk}": f"Pasienten {FNR} ble skrevet ut.",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    # What was typed stays, so the number can be taken out; the message
    # says what to remove without repeating it.
    assert "Gjelder pasient." in page and page.count(FNR) == 1
    assert "fødselsnummer" in page.lower() or "identity number" in page.lower()
    documents = Document.objects.count()
    # A program dressed as a PDF is refused, and nothing of the answer is stored.
    response = lena.post(
        url,
        {
            "position": "supports",
            "text": "Levanger støtter.",
            "document": SimpleUploadedFile("vedtak.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 400 and "Levanger støtter." in response.content.decode()
    assert Document.objects.count() == documents
    assert not ConsultationAnswer.objects.filter(consultation=consultation).exists()


def test_a_signed_ratification_document_is_stored_with_the_record(
    as_person: Any, version: AgreementVersion, people: Any
) -> None:
    adopted(version, people.sara)
    version.refresh_from_db()
    services.move_on(version, version.version, Status.RATIFICATION)
    levanger = _party("5037")
    response = as_person("lena").post(
        f"/hnt/intern/avtaler/versjon/{version.pk}/ratifisering/{levanger.pk}/",
        {
            "outcome": "adopted",
            "body": "kommunestyre",
            "case_number": "PS 12/27",
            "meeting_date": "2027-02-01",
            "document": SimpleUploadedFile("protokoll.txt", b"Levanger kommunestyre vedtok."),
        },
    )
    assert response.status_code == 302
    record = Ratification.objects.get(agreement_version=version, organisation=levanger)
    assert record.document is not None and record.document.original_name == "protokoll.txt"
    page = as_person("sara").get(f"/hnt/intern/avtaler/versjon/{version.pk}/").content.decode()
    assert f"/hnt/intern/avtaler/dokument/{record.document.pk}/" in page


def test_the_consultation_page_makes_a_fixed_number_of_queries(
    as_person: Any, version: AgreementVersion, people: Any, django_assert_num_queries: Any
) -> None:
    consultation = _open(version, people)
    sara = as_person("sara")
    url = f"/hnt/intern/avtaler/horing/{consultation.pk}/"
    first, second = version.clauses.all()
    answers = [
        (_party("5037"), people.lena),
        (_trust(), people.hanne),
        (_party("5038"), people.sara),
    ]
    for number, (party, by) in enumerate(answers):
        consultations.answer(
            consultation,
            party,
            None,
            position=Position.SUPPORTS,
            text="Ja.",
            comments={first.pk: "Merknad.", second.pk: "Enig."},
            document=None,
            by=by,
        )
        # The session, the user, the second factor, the partnership, the
        # person's partnership roles and memberships (6); the round, its
        # answers, their comments, the parties asked, the clauses (5); the
        # session saved in a savepoint (3) — with one answer or three.
        with django_assert_num_queries(14):
            assert sara.get(url).status_code == 200, number
