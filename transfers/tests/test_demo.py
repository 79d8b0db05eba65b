"""The demo's task transfers (built once per test session, relative to the
day it was built): one agreed by ASU with everything that led to it, one
moved without agreement that waits for ASU. Picked by what they are, never
by today's date."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from core.identity_numbers import find_identity_numbers
from councils.models import Meeting
from transfers import services
from transfers.demo import build_transfers_demo
from transfers.models import ASPECTS, ConsequenceAssessment, TaskTransfer

Status = TaskTransfer.Status


def test_the_demo_is_built_once(people: Any) -> None:
    before = (TaskTransfer.objects.count(), ConsequenceAssessment.objects.count())
    assert build_transfers_demo(vars(people)) == 0
    assert (TaskTransfer.objects.count(), ConsequenceAssessment.objects.count()) == before


def test_the_agreed_proposal_went_all_the_way(hnt: Any) -> None:
    agreed = TaskTransfer.objects.get(partnership=hnt, kind="proposal", status=Status.AGREED)
    assert agreed.from_party.kind == "helseforetak" and agreed.to_party.kind == "kommune"
    # Both sides assessed it, under every heading the trust, most the kommune.
    assessments = {a.organisation_id: a for a in agreed.assessments.all()}
    assert set(assessments) == {agreed.from_party_id, agreed.to_party_id}
    assert all(getattr(assessments[agreed.from_party_id], n) for n, _l in ASPECTS)
    # The consultation closed with every party's answer, before ASU decided.
    consultation = agreed.consultation
    assert consultation is not None and not consultation.is_open
    assert consultation.answers.count() == consultation.addressed.count() == 3
    assert agreed.case is not None and agreed.case.council.slug == "asu"
    assert agreed.decision is not None and agreed.decision.treatment.case == agreed.case
    meeting = agreed.decision.treatment.meeting
    assert meeting.starts_at < timezone.now() and meeting.status != Meeting.Status.PLANNED
    assert consultation.deadline < timezone.localdate(meeting.starts_at)
    assert agreed.agreement_version is not None
    assert agreed.agreement_version.agreement.slug == "samarbeidsavtale"
    # The case paper has both assessments side by side.
    assert "<table>" in agreed.case.background


def test_the_unagreed_transfer_waits_for_asu(hnt: Any) -> None:
    unagreed = TaskTransfer.objects.get(partnership=hnt, kind="unagreed")
    assert unagreed.status == Status.FOR_DECISION and unagreed.decision is None
    assert unagreed.proposing_party == unagreed.to_party
    assert unagreed.to_party.kind == "kommune"
    assert unagreed.case is not None and unagreed.case.council.slug == "asu"
    assert not unagreed.case.treatments.exists()
    assert unagreed.created <= timezone.now()


def test_two_proposals_are_on_their_way(hnt: Any) -> None:
    """One waits for the secretariat to send it on consultation; one has a
    consultation past its deadline, with a party that has not answered,
    ready for the council."""
    draft = TaskTransfer.objects.get(partnership=hnt, status=Status.DRAFT)
    assert draft.assessments.filter(organisation=draft.proposing_party).exists()
    sent = TaskTransfer.objects.get(partnership=hnt, status=Status.CONSULTATION)
    assert sent.consultation is not None and sent.consultation.is_open
    assert sent.consultation.deadline < timezone.localdate()
    assert sent.consultation.answers.count() < sent.consultation.addressed.count()
    assert services.ready_for_council(sent) and sent.case is None


def test_the_demo_is_labelled_and_holds_no_identity_number(hnt: Any) -> None:
    for transfer in TaskTransfer.objects.filter(partnership=hnt):
        assert "(Demodata.)" in transfer.task and "(Demodata.)" in transfer.patients
        for text in (transfer.title, transfer.task, transfer.patients):
            assert not find_identity_numbers(text)
    for assessment in ConsequenceAssessment.objects.filter(transfer__partnership=hnt):
        for _name, _label, text in assessment.texts():
            assert not text or "(Demodata.)" in text
