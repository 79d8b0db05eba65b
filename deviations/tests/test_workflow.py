"""Reporting, the workflow table, answers, dialogue, escalation and measures."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.services import EditConflict
from core.workdays import deadline_after
from councils.models import Council
from deviations import services
from deviations.models import Deviation
from deviations.tests.conftest import (
    hf,
    hnt,
    levanger,
    make_deviation,
    namsos,
    report_data,
)
from followups.models import FollowUp
from notifications.models import Notification

S = Deviation.Status
VALID_NUMBER = "30108299920"


def test_a_report_gets_a_number_and_a_deadline_and_tells_the_receiver(people: Any) -> None:
    deviation = make_deviation(people)
    assert deviation.status == S.SUBMITTED
    assert deviation.number.startswith("AV-")
    config = services.config_for(hnt())
    assert deviation.submitted_at is not None and deviation.response_deadline is not None
    # The partnership's days to answer, moved off a weekend or public holiday.
    assert deviation.response_deadline == deadline_after(
        timezone.localdate(deviation.submitted_at), config.response_days
    )
    told = Notification.objects.filter(
        kind="deviation_received", path__endswith=f"/{deviation.pk}/"
    )
    assert people.hanne.pk in set(told.values_list("user_id", flat=True))
    assert people.lena.pk not in set(told.values_list("user_id", flat=True))


def test_numbers_follow_each_other(people: Any) -> None:
    first, second = make_deviation(people), make_deviation(people)
    assert second.sequence == first.sequence + 1  # type: ignore[operator]


def test_the_same_client_key_gives_one_report(people: Any) -> None:
    key = uuid.uuid4()
    own = frozenset({levanger().pk})
    first = services.report(hnt(), report_data(), by=people.lena, own=own, client_key=key)
    second = services.report(hnt(), report_data(), by=people.lena, own=own, client_key=key)
    assert first.pk == second.pk
    assert Deviation.objects.filter(client_key=key).count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", f"Pasient {VALID_NUMBER} ble sendt hjem"),
        ("immediate_measures", f"Ringte om {VALID_NUMBER}"),
        ("external_reference", VALID_NUMBER),
        ("receiving_unit", f"Avdeling {VALID_NUMBER}"),
    ],
)
def test_identity_numbers_are_refused_in_every_text(people: Any, field: str, value: str) -> None:
    before = Deviation.objects.count()
    with pytest.raises(ValidationError):
        services.report(
            hnt(), report_data(**{field: value}), by=people.lena, own=frozenset({levanger().pk})
        )
    assert Deviation.objects.count() == before


def test_one_reports_only_for_the_own_party_and_to_another_party(people: Any) -> None:
    own = frozenset({levanger().pk})
    with pytest.raises(ValidationError) as error:
        services.report(hnt(), report_data(reporting_organisation=namsos()), by=None, own=own)
    assert "reporting_organisation" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.report(hnt(), report_data(receiving_organisation=levanger()), by=None, own=own)
    assert "receiving_organisation" in error.value.message_dict


def test_the_workflow_table_refuses_steps_with_a_reason(people: Any) -> None:
    deviation = make_deviation(people)
    with pytest.raises(ValidationError) as error:
        services.change_status(
            deviation, S.CLOSED, side="reporter", expected_version=deviation.version
        )
    assert error.value.code == "transition_not_allowed"
    with pytest.raises(ValidationError) as error:
        services.change_status(
            deviation, S.RECEIVED, side="reporter", expected_version=deviation.version
        )
    assert error.value.code == "wrong_side"
    received = services.change_status(
        deviation, S.RECEIVED, side="receiver", expected_version=deviation.version
    )
    assert received.status == S.RECEIVED and received.received_at is not None


def test_answer_then_close_or_reopen(people: Any) -> None:
    deviation = make_deviation(people)
    with pytest.raises(ValidationError):
        services.answer(deviation, cause="x", measures="y", side="reporter", expected_version=1)
    answered = services.answer(
        deviation,
        cause="Epikrisen ble ikke ferdigstilt før utreise.",
        measures="Sjekkliste ved utskrivning innføres.",
        side="receiver",
        expected_version=deviation.version,
    )
    assert answered.status == S.ANSWERED and answered.first_answered_at is not None
    told = Notification.objects.filter(kind="deviation_answered")
    assert people.lena.pk in set(told.values_list("user_id", flat=True))
    reopened = services.change_status(
        answered, S.IN_PROGRESS, side="reporter", expected_version=answered.version
    )
    first = reopened.first_answered_at
    again = services.answer(
        reopened, cause="Mer", measures="Mer", side="receiver", expected_version=reopened.version
    )
    assert again.first_answered_at == first
    closed = services.change_status(
        again, S.CLOSED, side="reporter", expected_version=again.version
    )
    assert closed.status == S.CLOSED and closed.closed_at is not None


def test_a_stale_answer_is_refused_and_nothing_is_overwritten(people: Any) -> None:
    deviation = make_deviation(people)
    version = deviation.version
    services.answer(
        deviation, cause="Først", measures="Først", side="receiver", expected_version=version
    )
    stale = Deviation.objects.get(pk=deviation.pk)
    with pytest.raises(EditConflict):
        services.answer(
            stale, cause="Andre", measures="Andre", side="receiver", expected_version=version
        )
    assert Deviation.objects.get(pk=deviation.pk).answer_cause == "Først"


def test_the_dialogue_notifies_the_other_party(people: Any) -> None:
    deviation = make_deviation(people)
    services.add_message(
        deviation, by=people.hanne, side="receiver", text="Hvilken dag gjaldt det?"
    )
    told = Notification.objects.filter(kind="deviation_message")
    assert people.lena.pk in set(told.values_list("user_id", flat=True))
    with pytest.raises(ValidationError):
        services.add_message(deviation, by=people.sara, side=None, text="Sekretariatet")


def test_escalation_drafts_one_council_internal_case(people: Any) -> None:
    deviation = make_deviation(people)
    asu = Council.objects.get(partnership=hnt(), slug="asu")
    case = services.escalate(deviation, council=asu, by=people.sara)
    assert case.visibility == "council" and deviation.number in case.title
    assert services.escalate(deviation, council=asu, by=people.sara).pk == case.pk
    deviation.refresh_from_db()
    assert deviation.escalated_case_id == case.pk


def test_a_measure_becomes_a_follow_up_linked_back(people: Any) -> None:
    deviation = make_deviation(people)
    followup = services.measure_as_followup(
        deviation,
        title="Revidere utskrivningsrutinen",
        by=people.hanne,
        responsible_organisation=hf(),
    )
    assert followup.origin == FollowUp.Origin.DEVIATION
    assert followup.source == deviation
    assert followup.source_url.endswith(f"/avvik/{deviation.pk}/")
    with pytest.raises(ValidationError):
        services.measure_as_followup(
            deviation, title="Feil part", by=people.hanne, responsible_organisation=namsos()
        )


def test_drafts_can_be_saved_changed_and_submitted(people: Any) -> None:
    own = frozenset({levanger().pk})
    draft = services.save_draft(hnt(), report_data(), by=people.lena, own=own)
    assert draft.status == S.DRAFT and draft.number == ""
    changed = services.save_draft(
        hnt(),
        report_data(description="Endret beskrivelse."),
        by=people.lena,
        own=own,
        deviation=draft,
        expected_version=draft.version,
    )
    submitted = services.submit(changed, by=people.lena, expected_version=changed.version)
    assert submitted.status == S.SUBMITTED and submitted.description == "Endret beskrivelse."
    # A second submit (double click) changes nothing.
    assert services.submit(submitted, by=people.lena, expected_version=0).pk == submitted.pk


@pytest.mark.parametrize(
    ("now", "deadline"),
    [
        # 21 days after Friday 4 December 2026 is Christmas Day; Boxing Day is
        # a Saturday: the next working day is Monday 28 December.
        ("2026-12-04T10:00:00+01:00", "2026-12-28"),
        # Reported late on the 4th in Oslo, still the 4th: the local date counts.
        ("2026-12-04T23:30:00+01:00", "2026-12-28"),
        # A deadline on a working day stays where it is.
        ("2026-12-02T10:00:00+01:00", "2026-12-23"),
        # Saturday 8 May 2027 + 21 = Saturday 29 May: to Monday 31 May.
        ("2027-05-08T10:00:00+02:00", "2027-05-31"),
        # 26 April 2027 + 21 = 17 May, Constitution Day on a Monday.
        ("2027-04-26T10:00:00+02:00", "2027-05-18"),
    ],
)
def test_an_answer_deadline_on_a_day_off_moves_to_the_next_working_day(
    people: Any, now: str, deadline: str
) -> None:
    with time_machine.travel(datetime.datetime.fromisoformat(now), tick=False):
        deviation = make_deviation(people)
    assert deviation.response_deadline == datetime.date.fromisoformat(deadline)
