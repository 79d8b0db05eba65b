"""Constituencies, the rules of input rounds and answers, and report-backs."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from councils import services as council_services
from councils.models import Meeting
from representation import services
from representation.models import InputAnswer, InputRound, ReportBack
from representation.tests.conftest import (
    by_number,
    hf,
    member_of,
    open_round,
    seat_of,
)


def test_constituency_by_party_is_the_partys_people_without_the_representative(
    people: Any,
) -> None:
    colleague = member_of(hf(), "Kollega Sykehus")
    member_of(by_number("5037"), "Annen Levanger")
    found = set(services.constituency_people(seat_of(people.hanne)))
    assert colleague in found and people.sara in found
    assert people.hanne not in found
    assert all(u.memberships.filter(organisation=hf()).exists() for u in found), (
        "only people of the party"
    )


def test_constituency_by_region_spans_its_kommuner(people: Any) -> None:
    levanger = member_of(by_number("5037"), "Levanger Person")
    verdal = member_of(by_number("5038"), "Verdal Person")
    steinkjer = member_of(by_number("5006"), "Steinkjer Person")  # Inn-Trøndelag
    found = set(services.constituency_people(seat_of(people.lena)))
    assert {levanger, verdal} <= found
    assert steinkjer not in found
    assert people.lena not in found


def test_constituency_is_one_query(people: Any, django_assert_num_queries: Any) -> None:
    seat = seat_of(people.lena)
    for i in range(5):
        member_of(by_number("5038"), f"Verdal {i}")
    with django_assert_num_queries(1):
        list(services.constituency_people(seat))


def test_constituency_sizes_agree_with_the_people(people: Any) -> None:
    member_of(by_number("5038"), "Verdal Person")
    seats = [seat_of(people.lena), seat_of(people.hanne)]
    sizes = services.constituency_sizes(seats[0].council.partnership, seats)
    for seat in seats:
        assert sizes[seat.pk] == services.constituency_people(seat).count()


def test_ended_memberships_do_not_count(people: Any) -> None:
    person = member_of(by_number("5038"), "Sluttet Person")
    person.memberships.update(valid_to=timezone.localdate())
    assert person not in set(services.constituency_people(seat_of(people.lena)))


def test_a_member_opens_a_round_on_a_public_case(people: Any, upcoming: Any) -> None:
    input_round = open_round(people.lena, upcoming.meeting, case=upcoming.cases["public"])
    assert input_round.case == upcoming.cases["public"]
    assert input_round.opened_by == people.lena
    assert input_round.is_open


def test_opening_a_round_e_mails_the_constituency_a_link(
    people: Any, upcoming: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    from notifications.models import Notification

    case = upcoming.cases["public"]
    with django_capture_on_commit_callbacks(execute=True):
        input_round = open_round(people.lena, upcoming.meeting, case=case)
    asked = Notification.objects.filter(kind=Notification.Kind.INPUT_REQUESTED)
    expected = set(
        services.constituency_people(input_round.appointment).values_list("pk", flat=True)
    )
    assert expected and set(asked.values_list("user_id", flat=True)) == expected
    assert people.lena.pk not in expected
    assert mail.outbox
    for message in mail.outbox:
        assert f"/hnt/intern/representasjon/innspill/{input_round.pk}/" in message.body
        assert case.title not in message.body and input_round.message not in message.body


@pytest.mark.parametrize("key", ["council", "restricted"])
def test_it_refuses_a_round_on_a_case_the_constituency_may_not_see(
    people: Any, upcoming: Any, key: str
) -> None:
    with pytest.raises(ValidationError) as error:
        open_round(people.lena, upcoming.meeting, case=upcoming.cases[key])
    assert "kan ikke deles med dem du representerer" in str(error.value)
    assert not InputRound.objects.filter(meeting=upcoming.meeting).exists()


def test_a_whole_agenda_round_lists_only_what_the_constituency_may_see(
    people: Any, upcoming: Any
) -> None:
    open_round(people.lena, upcoming.meeting)
    titles = [line.title for line in services.shareable_agenda(upcoming.meeting)]
    assert upcoming.cases["public"].title in titles
    assert upcoming.cases["internal"].title in titles
    assert "Forhandlinger (unntatt)" in titles
    assert not any("HEMMELIG" in t for t in titles)


def test_the_deadline_is_not_after_the_meeting_nor_in_the_past(people: Any, upcoming: Any) -> None:
    day = services.meeting_day(upcoming.meeting)
    with pytest.raises(ValidationError) as error:
        open_round(people.lena, upcoming.meeting, deadline=day + datetime.timedelta(days=1))
    assert "deadline" in error.value.message_dict
    with pytest.raises(ValidationError):
        open_round(
            people.lena,
            upcoming.meeting,
            deadline=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert open_round(people.lena, upcoming.meeting, deadline=day).deadline == day


def test_only_seated_members_and_deputies_open_rounds(people: Any, upcoming: Any) -> None:
    stine_seat = seat_of(people.stine)  # observer
    with pytest.raises(ValidationError):
        open_round(people.stine, upcoming.meeting, appointment=stine_seat)
    with pytest.raises(ValidationError):
        open_round(people.nils, upcoming.meeting, appointment=seat_of(people.lena))


def test_no_rounds_once_the_meeting_is_held_or_cancelled(
    people: Any, upcoming: Any, past: Any
) -> None:
    with pytest.raises(ValidationError):
        open_round(people.lena, past.meeting, deadline=timezone.localdate())
    Meeting.objects.filter(pk=upcoming.meeting.pk).update(status=Meeting.Status.CANCELLED)
    upcoming.meeting.refresh_from_db()
    with pytest.raises(ValidationError):
        open_round(people.lena, upcoming.meeting)


def test_a_double_submit_opens_one_round(people: Any, upcoming: Any) -> None:
    key = uuid.uuid4()
    first = open_round(people.lena, upcoming.meeting, client_key=key)
    second = open_round(people.lena, upcoming.meeting, client_key=key)
    assert first.pk == second.pk
    assert InputRound.objects.filter(meeting=upcoming.meeting).count() == 1


def test_one_open_round_per_seat_meeting_and_case(people: Any, upcoming: Any) -> None:
    first = open_round(people.lena, upcoming.meeting)
    with pytest.raises(ValidationError):
        open_round(people.lena, upcoming.meeting)
    open_round(people.lena, upcoming.meeting, case=upcoming.cases["public"])
    services.close_input_round(first)
    assert open_round(people.lena, upcoming.meeting).pk != first.pk


def test_the_message_is_guarded(people: Any, upcoming: Any) -> None:
    with pytest.raises(ValidationError):
        open_round(people.lena, upcoming.meeting, message="Gjelder pasient 01010012356 i Verdal")


def test_answers_are_one_per_person_and_editable_until_the_deadline(
    people: Any, upcoming: Any
) -> None:
    verdal = member_of(by_number("5038"), "Verdal Person")
    input_round = open_round(people.lena, upcoming.meeting)
    first = services.save_answer(input_round, author=verdal, text="Første tanke")
    assert first.organisation == by_number("5038")
    changed = services.save_answer(
        input_round, author=verdal, text="Bedre tanke", expected_version=first.version
    )
    assert changed.pk == first.pk
    assert InputAnswer.objects.get(round=input_round, author=verdal).text == "Bedre tanke"
    # The deadline day itself still counts; the day after does not.
    InputRound.objects.filter(pk=input_round.pk).update(deadline=timezone.localdate())
    input_round.refresh_from_db()
    services.save_answer(input_round, author=verdal, text="Siste dag")
    InputRound.objects.filter(pk=input_round.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    input_round.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.save_answer(input_round, author=verdal, text="For sent")
    assert "Fristen for innspill" in str(error.value)
    assert InputAnswer.objects.get(round=input_round, author=verdal).text == "Siste dag"


def test_only_constituency_people_can_answer(people: Any, upcoming: Any) -> None:
    input_round = open_round(people.lena, upcoming.meeting)
    for outsider in (people.lena, people.nils, people.sara, people.hanne, people.otto):
        with pytest.raises(ValidationError):
            services.save_answer(input_round, author=outsider, text="Innspill")
    assert not input_round.answers.exists()


def test_a_closed_round_takes_no_answers(people: Any, upcoming: Any) -> None:
    verdal = member_of(by_number("5038"), "Verdal Person")
    input_round = services.close_input_round(open_round(people.lena, upcoming.meeting))
    with pytest.raises(ValidationError):
        services.save_answer(input_round, author=verdal, text="Innspill")


def test_the_draft_report_back_never_shows_internal_decision_text(people: Any, past: Any) -> None:
    text = services.draft_summary(past.meeting, seat_of(people.lena))
    assert "VEDTAKSTEKST-PUBLIC" in text
    assert "VEDTAKSTEKST-INTERNAL" in text  # partnership-internal: the constituency may read
    assert "VEDTAKSTEKST-COUNCIL" not in text
    assert "VEDTAKSTEKST-RESTRICTED" not in text
    assert "HEMMELIG" not in text
    assert "Forhandlinger (unntatt)" in text
    assert past.cases["council"].number in text


def test_follow_ups_of_the_constituency_come_first(people: Any, past: Any) -> None:
    decision = past.meeting.treatments.get(case=past.cases["public"]).decision
    council_services.followup_from_decision(
        decision,
        title="Oppgave for Namsos",
        by=people.sara,
        responsible_organisation=by_number("5007"),
    )
    council_services.followup_from_decision(
        decision,
        title="Oppgave for Levanger",
        by=people.sara,
        responsible_organisation=by_number("5037"),
    )
    text = services.draft_summary(past.meeting, seat_of(people.lena))
    assert text.index("Oppgave for Levanger") < text.index("Oppgave for Namsos")


def test_report_back_is_versioned_and_marked_once(people: Any, past: Any) -> None:
    from core.services import EditConflict

    seat = seat_of(people.lena)
    saved = services.save_report_back(past.meeting, seat, summary="Utkast", by=people.lena)
    services.save_report_back(
        past.meeting, seat, summary="Endret", by=people.lena, expected_version=saved.version
    )
    with pytest.raises(EditConflict):
        services.save_report_back(
            past.meeting, seat, summary="Gammel", by=people.lena, expected_version=saved.version
        )
    done = services.mark_reported_back(past.meeting, seat, by=people.lena)
    first_time = done.reported_at
    again = services.mark_reported_back(past.meeting, seat, by=people.lena)
    assert again.reported_at == first_time and again.reported_by == people.lena
    assert ReportBack.objects.get(meeting=past.meeting, appointment=seat).summary == "Endret"


def test_no_report_back_before_the_meeting_or_by_someone_else(
    people: Any, upcoming: Any, past: Any
) -> None:
    with pytest.raises(ValidationError):
        services.save_report_back(
            upcoming.meeting, seat_of(people.lena), summary="x", by=people.lena
        )
    with pytest.raises(ValidationError):
        services.save_report_back(past.meeting, seat_of(people.lena), summary="x", by=people.sara)


def test_the_council_overview_counts_input_and_report_back_per_meeting(people: Any) -> None:
    from representation.tests.conftest import hold, make_meeting

    up = make_meeting(people, 20)
    past = make_meeting(people, -10)
    hold(people, past)
    input_round = open_round(people.hanne, up.meeting)
    services.save_answer(input_round, author=people.sara, text="Et innspill")
    open_round(people.lena, up.meeting)
    services.mark_reported_back(past.meeting, seat_of(people.hanne), by=people.hanne)
    council = up.meeting.council
    rows = {r.meeting.pk: r for r in services.council_overview(council, [up.meeting, past.meeting])}
    seats = services.representing_seats([council.pk]).count()
    assert rows[up.meeting.pk].seats == seats >= 2
    assert (rows[up.meeting.pk].asked, rows[up.meeting.pk].answers) == (2, 1)
    assert rows[up.meeting.pk].reported == 0
    assert (rows[past.meeting.pk].asked, rows[past.meeting.pk].reported) == (0, 1)
