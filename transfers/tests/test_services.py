"""The rules of task transfer: the transition table, who and what a transfer
is between, the parties' assessments, consultation, the council's case and
paper, the outcome, and who is told."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from agreements.models import AgreementVersion, Consultation
from core.services import EditConflict
from councils.models import Case, Council
from notifications.models import Notification
from partnerships.access import PartnershipAccess
from partnerships.models import Organisation
from partnerships.workqueue import Context
from transfers import services
from transfers.models import ConsequenceAssessment, TaskTransfer
from transfers.tests.factory import (
    FNR,
    FULL,
    answer_all,
    asu,
    decided,
    for_decision,
    hnt,
    on_consultation,
    party,
    proposal,
    registered,
    trust,
)

Kind = TaskTransfer.Kind
Status = TaskTransfer.Status


# --- The transition table --------------------------------------------------------------


def test_the_table_covers_every_status_of_each_kind_and_ends_in_closed_states() -> None:
    for kind, table in services.TRANSITIONS.items():
        assert services.FIRST[Kind(kind)] in table
        for status, steps in table.items():
            assert steps <= set(table), (kind, status)
            assert (not steps) == (status in TaskTransfer.CLOSED), (kind, status)
    # Only a proposal is agreed or rejected; only a registration is "handled".
    assert Status.AGREED not in {
        s for steps in services.TRANSITIONS[Kind.UNAGREED].values() for s in steps
    }
    assert Status.HANDLED not in {
        s for steps in services.TRANSITIONS[Kind.PROPOSAL].values() for s in steps
    }


@pytest.mark.parametrize(
    ("kind", "now", "to", "allowed"),
    [
        (Kind.PROPOSAL, Status.DRAFT, Status.CONSULTATION, True),
        (Kind.PROPOSAL, Status.DRAFT, Status.FOR_DECISION, False),
        (Kind.PROPOSAL, Status.DRAFT, Status.AGREED, False),
        (Kind.PROPOSAL, Status.CONSULTATION, Status.FOR_DECISION, True),
        (Kind.PROPOSAL, Status.CONSULTATION, Status.WITHDRAWN, True),
        (Kind.PROPOSAL, Status.FOR_DECISION, Status.WITHDRAWN, False),
        (Kind.PROPOSAL, Status.FOR_DECISION, Status.HANDLED, False),
        (Kind.PROPOSAL, Status.AGREED, Status.REJECTED, False),
        (Kind.UNAGREED, Status.REGISTERED, Status.CONSULTATION, False),
        (Kind.UNAGREED, Status.REGISTERED, Status.FOR_DECISION, True),
        (Kind.UNAGREED, Status.FOR_DECISION, Status.AGREED, False),
        (Kind.UNAGREED, Status.FOR_DECISION, Status.HANDLED, True),
        (Kind.UNAGREED, Status.HANDLED, Status.WITHDRAWN, False),
    ],
)
def test_a_step_is_taken_only_where_the_table_allows_it(
    people: Any, kind: str, now: str, to: str, allowed: bool
) -> None:
    transfer = proposal(people) if kind == Kind.PROPOSAL else registered(people)
    TaskTransfer.objects.filter(pk=transfer.pk).update(status=now)
    locked = TaskTransfer.objects.get(pk=transfer.pk)
    if allowed:
        services._step(locked, locked.version, to)
        assert TaskTransfer.objects.get(pk=transfer.pk).status == to
    else:
        with pytest.raises(ValidationError, match="cannot be set"):
            services._step(locked, locked.version, to)
        assert TaskTransfer.objects.get(pk=transfer.pk).status == now


# --- Proposing and registering ---------------------------------------------------------


def test_a_proposal_starts_proposed_with_the_partys_assessment_and_tells_the_others(
    people: Any,
) -> None:
    transfer = proposal(people)
    assert transfer.status == Status.DRAFT
    (own,) = transfer.assessments.all()
    assert own.organisation == trust() and own.written_by == people.hanne
    told = Notification.objects.filter(kind=Notification.Kind.TASK_TRANSFER)
    # Levanger (the other party) and the secretariat; not Hanne, who proposed it.
    assert (
        told.filter(user=people.lena).get().path == f"/hnt/intern/oppgaveoverforing/{transfer.pk}/"
    )
    assert told.filter(user=people.sara).exists()
    assert not told.filter(user=people.hanne).exists()
    assert not told.filter(user=people.nils).exists()


def test_a_transfer_is_between_two_parties_of_the_partnership(people: Any) -> None:
    with pytest.raises(ValidationError, match="two different"):
        proposal(people, to_party=trust())
    observer = Organisation.objects.get(name__startswith="Statsforvalteren")
    with pytest.raises(ValidationError, match="parties of the partnership"):
        proposal(people, to_party=observer)
    trondheim = (
        Organisation.objects.filter(participations__partnership__slug="stolav")
        .exclude(participations__partnership__slug="hnt")
        .first()
    )
    assert trondheim is not None
    with pytest.raises(ValidationError, match="parties of the partnership"):
        proposal(people, to_party=trondheim)
    # Verdal does not propose what moves between the trust and Levanger.
    with pytest.raises(ValidationError, match="one of the two"):
        proposal(people, proposing_party=party("5038"))
    assert not TaskTransfer.objects.filter(title="Sårbehandling etter dagkirurgi").exists()


def test_a_proposal_needs_the_whole_assessment_a_registration_none(people: Any) -> None:
    with pytest.raises(ValidationError, match="every heading"):
        proposal(people, assessment={**FULL, "ict": " "})
    transfer = registered(people)
    assert transfer.status == Status.REGISTERED and not transfer.assessments.exists()
    told = Notification.objects.filter(kind=Notification.Kind.TASK_TRANSFER)
    # The trust (the other party) and the secretariat hear of it.
    assert told.filter(user=people.hanne).exists() and told.filter(user=people.sara).exists()


def test_a_double_submit_makes_one_transfer(people: Any) -> None:
    key = uuid.uuid4()
    first, second = proposal(people, client_key=key), proposal(people, client_key=key)
    assert first == second
    assert TaskTransfer.objects.filter(client_key=key).count() == 1
    assert ConsequenceAssessment.objects.filter(transfer=first).count() == 1


def test_the_guard_refuses_an_identity_number_on_any_path(people: Any) -> None:
    with pytest.raises(ValidationError):
        proposal(people, patients=f"Pasient {FNR}")
    transfer = proposal(people)
    with pytest.raises(ValidationError):
        services.assess(transfer, party("5037"), None, by=people.lena, economy=f"Se {FNR}")


# --- Changing the facts ----------------------------------------------------------------


def test_a_stale_edit_is_refused_and_a_sent_proposal_is_not_changed(people: Any) -> None:
    transfer = proposal(people)
    services.change(transfer, 0, title="Sårbehandling, revidert")
    with pytest.raises(EditConflict) as conflict:
        services.change(transfer, 0, title="Et annet forslag")
    assert conflict.value.current_version == 1
    assert TaskTransfer.objects.get(pk=transfer.pk).title == "Sårbehandling, revidert"
    with pytest.raises(ValidationError, match="one of the two"):
        services.change(transfer, 1, to_party=party("5038"), from_party=party("5037"))
    sent = on_consultation(transfer, people)
    with pytest.raises(ValidationError, match="stay as sent"):
        services.change(sent, sent.version, title="For sent")


# --- Assessments -----------------------------------------------------------------------


def test_each_affected_party_writes_its_own_and_changes_it_with_its_version(
    people: Any,
) -> None:
    transfer = proposal(people)
    levanger = party("5037")
    written = services.assess(transfer, levanger, None, by=people.lena, capacity="To plasser.")
    assert (written.capacity, written.economy) == ("To plasser.", "")
    # A second "first" assessment (another tab, a colleague) is a conflict.
    with pytest.raises(EditConflict):
        services.assess(transfer, levanger, None, by=people.lena, economy="Dyrt.")
    changed = services.assess(transfer, levanger, 0, by=people.lena, economy="Dyrt.")
    assert changed.version == 1 and changed.capacity == ""
    with pytest.raises(EditConflict):
        services.assess(transfer, levanger, 0, by=people.lena, economy="Billig.")
    with pytest.raises(ValidationError, match="at least one heading"):
        services.assess(transfer, levanger, 1, by=people.lena, economy=" ")


def test_a_party_asked_in_the_consultation_is_affected_and_others_are_not(people: Any) -> None:
    transfer = proposal(people)
    verdal = party("5038")
    with pytest.raises(ValidationError, match="does not concern"):
        services.assess(transfer, verdal, None, by=people.sara, economy="Ingen.")
    sent = on_consultation(transfer, people, verdal)
    services.assess(sent, verdal, None, by=people.sara, economy="Ingen.")
    assert sent.assessments.count() == 2
    # The case is made: the assessments stay as they are.
    for_decision(sent, people)
    with pytest.raises(ValidationError, match="stay as they are"):
        services.assess(sent, verdal, 0, by=people.sara, economy="Noe.")


# --- Consultation and the council ------------------------------------------------------


def test_consultation_asks_the_two_parties_and_the_chosen_and_tells_them(
    people: Any,
) -> None:
    transfer = proposal(people)
    Notification.objects.all().delete()
    key = uuid.uuid4()
    sent = services.send_on_consultation(
        transfer,
        transfer.version,
        deadline=timezone.localdate() + datetime.timedelta(days=21),
        message="Svar innen fristen.",
        parties=[party("5038")],
        by=people.sara,
        client_key=key,
    )
    assert sent.status == Status.CONSULTATION and sent.consultation is not None
    assert sorted(sent.consultation.addressed.values_list("organisation__name", flat=True)) == [
        "Helse Nord-Trøndelag HF",
        "Levanger kommune",
        "Verdal kommune",
    ]
    # The round's title is in the partnership's language (bokmål), whatever
    # the language of the secretary; it is not about an agreement version.
    assert sent.consultation.agreement_version is None
    assert sent.title in sent.consultation.title
    # A double submit is the same round.
    again = services.send_on_consultation(
        transfer,
        0,
        deadline=timezone.localdate() + datetime.timedelta(days=21),
        message="Svar innen fristen.",
        parties=[],
        by=people.sara,
        client_key=key,
    )
    assert again.consultation_id == sent.consultation_id
    assert Consultation.objects.filter(client_key=key).count() == 1
    # Each party is asked to answer (agreements) and to assess (here).
    kinds = set(Notification.objects.filter(user=people.lena).values_list("kind", "path"))
    assert (
        Notification.Kind.TASK_TRANSFER,
        f"/hnt/intern/oppgaveoverforing/{transfer.pk}/konsekvensvurdering/{party('5037').pk}/",
    ) in kinds
    assert any(kind == Notification.Kind.AGREEMENT_CONSULTATION for kind, _path in kinds)


def test_consultation_needs_time(people: Any) -> None:
    transfer = proposal(people)
    with pytest.raises(ValidationError, match="14"):
        on_consultation(transfer, people, days=13)
    assert TaskTransfer.objects.get(pk=transfer.pk).status == Status.DRAFT
    assert not Consultation.objects.filter(task_transfers=transfer).exists()


def test_the_case_waits_for_the_deadline_or_every_answer(people: Any) -> None:
    sent = on_consultation(proposal(people), people, days=20)
    with pytest.raises(ValidationError, match="not every party has answered"):
        services.prepare_case(sent, council=asu(), by=people.sara)
    assert not Case.objects.filter(task_transfers=sent).exists()
    assert sent.consultation is not None
    with time_machine.travel(sent.consultation.deadline + datetime.timedelta(days=1)):
        assert services.ready_for_council(sent)
    answer_all(sent, people)
    assert services.ready_for_council(sent)


def test_the_case_is_made_once_in_the_partnerships_language_with_the_paper(
    people: Any,
) -> None:
    transfer = proposal(people)
    sent = on_consultation(transfer, people, party("5038"))
    services.assess(sent, party("5037"), None, by=people.lena, capacity="Fire pasienter.")
    answer_all(sent, people)
    case, created = services.prepare_case(sent, council=asu(), by=people.sara)
    again, created_again = services.prepare_case(sent, council=asu(), by=people.sara)
    assert created and not created_again and case == again
    sent.refresh_from_db()
    assert sent.status == Status.FOR_DECISION and sent.case == case
    assert sent.consultation is not None and not sent.consultation.is_open
    assert case.council.slug == "asu" and case.visibility == "public"
    # The paper: the facts, a link, the assessments side by side, the answers.
    assert f'href="/hnt/intern/oppgaveoverforing/{sent.pk}/"' in case.background
    assert case.background.count("<table>") == 1
    assert "Helse Nord-Trøndelag HF" in case.background and "Fire pasienter." in case.background
    assert case.background.count("Vi støtter forslaget.") == 3
    assert sent.title in case.title and sent.title in case.proposed_decision


def test_a_registration_goes_to_asu_or_psu_at_once(people: Any) -> None:
    transfer = registered(people)
    fagrad = Council.objects.get(partnership__slug="hnt", slug="fagrad-psykisk-helse")
    with pytest.raises(ValidationError, match="ASU or PSU"):
        services.prepare_case(transfer, council=fagrad, by=people.sara)
    other = Council.objects.filter(partnership__slug="stolav").first()
    with pytest.raises(ValidationError, match="ASU or PSU"):
        services.prepare_case(transfer, council=other, by=people.sara)  # type: ignore[arg-type]
    case, _created = services.prepare_case(transfer, council=asu(), by=people.sara)
    assert case.visibility == "partnership"
    transfer.refresh_from_db()
    assert transfer.status == Status.FOR_DECISION
    # A proposal still only proposed does not skip its consultation.
    with pytest.raises(ValidationError, match="after its consultation"):
        services.prepare_case(proposal(people), council=asu(), by=people.sara)


# --- The outcome -----------------------------------------------------------------------


def test_agreed_with_the_decision_on_its_own_case_and_the_version_that_describes_it(
    people: Any,
) -> None:
    transfer = proposal(people)
    decision = decided(transfer, people)
    transfer.refresh_from_db()
    other = registered(people)
    other_decision = decided(other, people)
    with pytest.raises(ValidationError, match="transfer's council case"):
        services.record_outcome(
            transfer, transfer.version, outcome=Status.AGREED, decision=other_decision
        )
    with pytest.raises(ValidationError, match="cannot be set"):
        services.record_outcome(
            transfer, transfer.version, outcome=Status.HANDLED, decision=decision
        )
    version = AgreementVersion.objects.filter(agreement__partnership=hnt()).first()
    stolav_version = AgreementVersion.objects.exclude(agreement__partnership=hnt()).first()
    assert version is not None and stolav_version is not None
    with pytest.raises(ValidationError, match="this partnership"):
        services.record_outcome(
            transfer,
            transfer.version,
            outcome=Status.AGREED,
            decision=decision,
            agreement_version=stolav_version,
        )
    Notification.objects.all().delete()
    agreed = services.record_outcome(
        transfer, transfer.version, outcome=Status.AGREED, decision=decision, by=people.sara
    )
    assert agreed.status == Status.AGREED and agreed.decision == decision
    assert Notification.objects.filter(
        user=people.lena, kind=Notification.Kind.TASK_TRANSFER
    ).exists()
    linked = services.describe_in(agreed, agreed.version, version)
    assert TaskTransfer.objects.get(pk=transfer.pk).agreement_version == version
    with pytest.raises(EditConflict):
        services.describe_in(agreed, linked.version - 1, None)
    # A rejected or handled transfer is described nowhere.
    handled = services.record_outcome(
        other, other.version, outcome=Status.HANDLED, decision=other_decision
    )
    with pytest.raises(ValidationError, match="Only an agreed"):
        services.describe_in(handled, handled.version, version)


def test_withdrawn_before_the_council_has_it_and_the_round_closes(people: Any) -> None:
    sent = on_consultation(proposal(people), people)
    Notification.objects.all().delete()
    withdrawn = services.withdraw(sent, sent.version, by=people.hanne)
    assert withdrawn.status == Status.WITHDRAWN
    assert withdrawn.consultation is not None and not withdrawn.consultation.is_open
    assert Notification.objects.filter(user=people.lena).exists()
    assert not Notification.objects.filter(user=people.hanne).exists()
    decided_one = proposal(people)
    for_decision(decided_one, people)
    decided_one.refresh_from_db()
    with pytest.raises(ValidationError, match="cannot be set"):
        services.withdraw(decided_one, decided_one.version, by=people.hanne)


# --- The work queue --------------------------------------------------------------------


def _kinds(person: Any) -> dict[str, list[str]]:
    from partnerships import workqueue

    access = PartnershipAccess.for_user(hnt(), person)
    queue = workqueue.collect(access, person)
    found: dict[str, list[str]] = {}
    for line in queue.todo + queue.stuck:
        found.setdefault(line.kind, []).append(line.url)
    return found


def test_the_secretariat_sees_what_to_move_on_and_the_parties_what_to_assess(
    people: Any,
) -> None:
    draft = proposal(people)
    unagreed = registered(people)
    sent = on_consultation(proposal(people, title="Hjemmedialyse"), people, party("5038"))
    sara = _kinds(people.sara)
    assert f"/hnt/intern/oppgaveoverforing/{draft.pk}/" in sara["transfer_consult"]
    assert f"/hnt/intern/oppgaveoverforing/{unagreed.pk}/" in sara["transfer_unagreed"]
    # The parties have not answered; the deadline has not passed.
    assert f"/hnt/intern/oppgaveoverforing/{sent.pk}/" not in sara.get("transfer_case", [])
    # Levanger (Lena) assesses; the trust wrote its own with the proposal.
    assessment = f"/hnt/intern/oppgaveoverforing/{sent.pk}/konsekvensvurdering/"
    assert f"{assessment}{party('5037').pk}/" in _kinds(people.lena)["transfer_assessment"]
    assert "transfer_assessment" not in _kinds(people.hanne)
    # Kai is a plain member of Verdal: not his to write.
    assert "transfer_assessment" not in _kinds(people.kai)
    assert "transfer_consult" not in _kinds(people.lena)
    answer_all(sent, people)
    assert f"/hnt/intern/oppgaveoverforing/{sent.pk}/" in _kinds(people.sara)["transfer_case"]
    decided(unagreed, people)
    assert (
        f"/hnt/intern/oppgaveoverforing/{unagreed.pk}/" in _kinds(people.sara)["transfer_outcome"]
    )
    services.assess(sent, party("5037"), None, by=people.lena, ict="Ingen endring.")
    assert "transfer_assessment" not in _kinds(people.lena)


def test_the_queue_asks_a_fixed_number_of_queries(
    people: Any, django_assert_num_queries: Any
) -> None:
    from transfers import workqueue

    for i in range(3):
        sent = on_consultation(proposal(people, title=f"Forslag {i}"), people, party("5038"))
        registered(people, title=f"Uavtalt {i}")
        if i:
            answer_all(sent, people)
    for person in (people.sara, people.lena):
        access = PartnershipAccess.for_user(hnt(), person)
        ctx = Context(access, person, timezone.localdate(), timezone.now())
        # One query each: the secretariat's transfers, the party's assessments.
        with django_assert_num_queries(1):
            list(workqueue.transfers_to_move_on(ctx))
            list(workqueue.assessments_to_write(ctx))
    stine = PartnershipAccess.for_user(hnt(), people.stine)
    with django_assert_num_queries(0):
        ctx = Context(stine, people.stine, timezone.localdate(), timezone.now())
        list(workqueue.transfers_to_move_on(ctx))
        list(workqueue.assessments_to_write(ctx))
