"""A meeting not yet held can be changed (time, place, details) and its
agenda reordered; once the notice is out, the seats are told and the change
is in the meeting's history."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError

from core.services import EditConflict, history_for
from councils import services
from councils.models import Appointment, Case, Council, Meeting, Treatment
from notifications.models import Notification
from notifications.services import quiet

M = Meeting.Status
OSLO = ZoneInfo(settings.TIME_ZONE)
# Far from any date the demo or the test clocks use: nothing here depends on today.
START = datetime.datetime(2031, 3, 6, 9, 0, tzinfo=OSLO)
MOVED = datetime.datetime(2031, 3, 13, 10, 30, tzinfo=OSLO)
EXEMPT_TITLE = "Avtale om legevaktsamarbeid"


def _meeting(status: str = M.PLANNED, cases: int = 3) -> Meeting:
    """A PSU meeting with ``cases`` cases on its agenda (an exempt one first),
    moved on to ``status`` without telling anyone."""
    psu = Council.objects.get(partnership__slug="hnt", slug="psu")
    meeting = services.plan_meeting(
        psu,
        starts_at=START,
        ends_at=START + datetime.timedelta(hours=3),
        location="Steinkjer",
        papers_deadline=START.date() - datetime.timedelta(days=14),
    )
    exempt = Case.objects.get(partnership__slug="hnt", title__startswith=EXEMPT_TITLE)
    items = [exempt] + [
        services.create_case(council=psu, title=f"Sak {i}", by=None)[0] for i in range(1, cases)
    ]
    for case in items[:cases]:
        services.add_to_agenda(meeting, case, "decision")
    with quiet():
        if status in (M.NOTICE_PUBLISHED, M.HELD):
            meeting = services.change_meeting_status(meeting, M.NOTICE_PUBLISHED, meeting.version)
        if status == M.HELD:
            meeting = services.change_meeting_status(meeting, M.HELD, meeting.version)
    meeting.refresh_from_db()
    return meeting


def _form(meeting: Meeting, **changes: Any) -> dict[str, Any]:
    """The edit form as posted, from the meeting as it is, with ``changes``."""
    starts = meeting.starts_at.astimezone(OSLO)
    data = {
        "date": starts.date().isoformat(),
        "start_time": f"{starts:%H:%M}",
        "end_time": f"{meeting.ends_at.astimezone(OSLO):%H:%M}" if meeting.ends_at else "",
        "title": meeting.title,
        "location": meeting.location,
        "video_url": meeting.video_url,
        "papers_deadline": meeting.papers_deadline.isoformat() if meeting.papers_deadline else "",
        "version": meeting.version,
    }
    data.update(changes)
    return data


def _moved(meeting: Meeting) -> dict[str, Any]:
    return {
        "starts_at": MOVED,
        "ends_at": MOVED + datetime.timedelta(hours=2),
        "location": "Levanger",
    }


def _url(meeting: Meeting) -> str:
    return f"/hnt/intern/rad/moter/{meeting.pk}/rediger/"


def _case_order(meeting: Meeting) -> list[str]:
    return [
        t.case.title if t.case else t.standing
        for t in meeting.treatments.select_related("case").order_by("position", "pk")
    ]


# --- changing a meeting -------------------------------------------------------------


def test_the_secretariat_moves_a_meeting_from_a_prefilled_form(as_person: Any, people: Any) -> None:
    meeting = _meeting()
    sara = as_person("sara")
    page = sara.get(_url(meeting))
    assert page.status_code == 200
    initial = page.context["form"].initial
    assert (initial["date"], initial["start_time"], initial["location"]) == (
        START.date(),
        START.time(),
        "Steinkjer",
    )
    response = sara.post(
        _url(meeting),
        _form(
            meeting, date="2031-03-13", start_time="10:30", end_time="12:30", location="Levanger"
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/hnt/intern/rad/moter/{meeting.pk}/"
    moved = Meeting.objects.get(pk=meeting.pk)
    assert (moved.starts_at, moved.ends_at, moved.location) == (
        MOVED,
        MOVED + datetime.timedelta(hours=2),
        "Levanger",
    )
    assert moved.version == meeting.version + 1
    assert moved.treatments.count() == meeting.treatments.count()  # the agenda goes with it


def test_the_meeting_page_offers_the_change_to_those_who_may(as_person: Any, people: Any) -> None:
    meeting = _meeting(M.NOTICE_PUBLISHED)
    assert (
        _url(meeting)
        in as_person("sara").get(f"/hnt/intern/rad/moter/{meeting.pk}/").content.decode()
    )
    assert (
        _url(meeting)
        not in as_person("lena").get(f"/hnt/intern/rad/moter/{meeting.pk}/").content.decode()
    )


def test_a_save_from_a_stale_version_is_refused_and_the_text_kept(
    as_person: Any, people: Any
) -> None:
    meeting = _meeting()
    sara, ada = as_person("sara"), as_person("ada")
    assert sara.post(_url(meeting), _form(meeting, location="Sara sitt rom")).status_code == 302
    stale = ada.post(_url(meeting), _form(meeting, location="Ada sitt rom"))
    assert stale.status_code == 200
    assert stale.context["form"].non_field_errors()  # the conflict, said plainly
    assert "Ada sitt rom" in stale.content.decode()  # what Ada typed is kept
    assert stale.context["current"].location == "Sara sitt rom"  # beside the saved one
    assert Meeting.objects.get(pk=meeting.pk).location == "Sara sitt rom"
    # Saving again, now from the version she has seen, is her choice.
    again = ada.post(
        _url(meeting), {**_form(meeting, location="Ada sitt rom"), "version": meeting.version + 1}
    )
    assert again.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).location == "Ada sitt rom"


def test_the_service_refuses_a_stale_version(people: Any) -> None:
    meeting = _meeting()
    services.update_meeting(meeting, {"location": "A"}, by=people.sara, version=meeting.version)
    stale = Meeting.objects.get(pk=meeting.pk)
    with pytest.raises(EditConflict):
        services.update_meeting(
            stale, {"location": "B"}, by=people.ada, version=meeting.version - 1
        )
    assert Meeting.objects.get(pk=meeting.pk).location == "A"


def test_a_double_submit_saves_once(as_person: Any, people: Any) -> None:
    meeting = _meeting(M.NOTICE_PUBLISHED)
    sara = as_person("sara")
    data = _form(meeting, location="Levanger")
    assert sara.post(_url(meeting), data).status_code == 302
    assert sara.post(_url(meeting), data).status_code == 302  # the same, again: no conflict
    assert Meeting.objects.get(pk=meeting.pk).version == meeting.version + 1
    assert (
        LogEntry.objects.get_for_object(meeting)
        .filter(action=LogEntry.Action.UPDATE, changes__has_key="location")
        .count()
        == 1
    )


@pytest.mark.parametrize("status", [M.HELD, M.CANCELLED])
def test_a_held_or_cancelled_meeting_cannot_be_changed(
    as_person: Any, people: Any, status: str
) -> None:
    meeting = _meeting(M.HELD if status == M.HELD else M.PLANNED)
    if status == M.CANCELLED:
        meeting = services.change_meeting_status(meeting, M.CANCELLED, meeting.version)
    with pytest.raises(ValidationError):
        services.update_meeting(meeting, _moved(meeting), by=people.sara, version=meeting.version)
    sara = as_person("sara")
    for response in (
        sara.get(_url(meeting)),
        sara.post(_url(meeting), _form(meeting, location="X")),
    ):
        assert response.status_code == 302
        assert response["Location"] == f"/hnt/intern/rad/moter/{meeting.pk}/"
    page = sara.get(f"/hnt/intern/rad/moter/{meeting.pk}/")
    assert [str(m) for m in page.context["messages"]]  # says why
    assert _url(meeting) not in page.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).starts_at == START


def test_a_form_opened_before_the_meeting_was_held_cannot_save(as_person: Any, people: Any) -> None:
    meeting = _meeting(M.NOTICE_PUBLISHED)
    seen = meeting.version  # the form's page showed this one
    services.change_meeting_status(meeting, M.HELD, seen)
    stale = Meeting.objects.get(pk=meeting.pk)
    stale.status = M.NOTICE_PUBLISHED  # as if the status were read before the change
    with pytest.raises(EditConflict):
        services.update_meeting(stale, {"location": "X"}, by=people.sara, version=seen)
    assert Meeting.objects.get(pk=meeting.pk).location == "Steinkjer"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_time": "08:00"}, "end_time"),
        ({"papers_deadline": "2031-03-07"}, "papers_deadline"),
        ({"date": "3031-03-06"}, "date"),
        ({"date": ""}, "date"),
        ({"video_url": "ikke en lenke"}, "video_url"),
    ],
)
def test_the_form_refuses_implausible_times_and_keeps_the_text(
    as_person: Any, people: Any, changes: dict[str, str], field: str
) -> None:
    meeting = _meeting()
    response = as_person("sara").post(_url(meeting), _form(meeting, location="Beholdt", **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Beholdt" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).version == meeting.version


def test_the_service_refuses_an_end_before_the_start(people: Any) -> None:
    meeting = _meeting()
    with pytest.raises(ValidationError):
        services.update_meeting(
            meeting, {"ends_at": START - datetime.timedelta(hours=1)}, by=None, version=0
        )


# --- telling the seats, and the history -----------------------------------------------


def _seat_emails(meeting: Meeting) -> set[str]:
    return set(
        Appointment.objects.current(MOVED.date())
        .filter(council=meeting.council, person__is_active=True)
        .values_list("person__email", flat=True)
    )


def test_a_change_after_the_notice_tells_the_seats_by_link_only(
    people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = _meeting(M.NOTICE_PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_meeting(meeting, _moved(meeting), by=people.sara, version=meeting.version)
    told = Notification.objects.filter(path=f"/hnt/intern/rad/moter/{meeting.pk}/")
    assert set(told.values_list("user__email", flat=True)) == _seat_emails(meeting)
    assert set(told.values_list("kind", flat=True)) == {Notification.Kind.MEETING_CHANGED}
    assert {n.headline for n in told} == {told[0].headline}
    assert "13.03.2031 10:30" in told[0].headline  # the new time
    assert mail.outbox
    for message in mail.outbox:
        assert f"/hnt/intern/rad/moter/{meeting.pk}/" in message.body
        for case in Case.objects.filter(treatments__meeting=meeting):
            assert case.title not in message.body and case.title not in message.subject
        assert "Levanger" not in message.body  # the place is read after logging in


def test_a_change_before_the_notice_tells_nobody(people: Any) -> None:
    meeting = _meeting(M.PLANNED)
    services.update_meeting(meeting, _moved(meeting), by=people.sara, version=meeting.version)
    assert not Notification.objects.filter(path=f"/hnt/intern/rad/moter/{meeting.pk}/").exists()


def test_an_unchanged_save_tells_nobody(people: Any) -> None:
    meeting = _meeting(M.NOTICE_PUBLISHED)
    services.update_meeting(meeting, {"location": "Steinkjer"}, by=people.sara, version=0)
    assert not Notification.objects.filter(path=f"/hnt/intern/rad/moter/{meeting.pk}/").exists()
    assert Meeting.objects.get(pk=meeting.pk).version == meeting.version


def test_the_change_is_in_the_history_with_who_made_it(as_person: Any, people: Any) -> None:
    meeting = _meeting(M.NOTICE_PUBLISHED)
    sara = as_person("sara")
    sara.post(_url(meeting), _form(meeting, location="Levanger"))
    entry = (
        LogEntry.objects.get_for_object(meeting)
        .filter(action=LogEntry.Action.UPDATE, changes__has_key="location")
        .get()
    )
    assert entry.actor == people.sara
    assert entry.remote_addr  # the request's address is kept
    latest = history_for(meeting)[0]
    assert latest.actor == people.sara.full_name
    assert any(b == "Steinkjer" and a == "Levanger" for _l, b, a in latest.changes)
    page = sara.get(f"/hnt/intern/rad/moter/{meeting.pk}/").content.decode()
    assert "Levanger" in page.split('class="history"')[1]


def test_a_change_made_outside_a_request_is_still_attributed(people: Any) -> None:
    meeting = _meeting(M.NOTICE_PUBLISHED)
    services.update_meeting(meeting, {"location": "Namsos"}, by=people.ada, version=meeting.version)
    entry = (
        LogEntry.objects.get_for_object(meeting)
        .filter(action=LogEntry.Action.UPDATE, changes__has_key="location")
        .get()
    )
    assert entry.actor == people.ada


# --- reordering the agenda --------------------------------------------------------------


def _cases(meeting: Meeting) -> list[Treatment]:
    return list(
        meeting.treatments.exclude(kind=Treatment.Kind.STANDING)
        .select_related("case", "meeting")
        .order_by("position", "pk")
    )


def test_a_case_moves_up_and_down_between_the_standing_items(people: Any) -> None:
    meeting = _meeting()
    first, second, third = _cases(meeting)
    assert services.move_agenda_item(third, "up", by=people.sara)
    assert [t.pk for t in _cases(meeting)] == [first.pk, third.pk, second.pk]
    assert services.move_agenda_item(first, "down", by=people.sara)
    assert [t.pk for t in _cases(meeting)] == [third.pk, first.pk, second.pk]
    order = _case_order(meeting)
    assert order[:2] == ["approve_notice", "approve_minutes"]
    assert order[-2:] == ["orientations", "any_other_business"]
    assert [t.position for t in _cases(meeting)] == [20, 30, 40]  # numbered again
    # A case added later still comes last.
    late, _ = services.create_case(council=meeting.council, title="Sen sak", by=None)
    services.add_to_agenda(meeting, late, "information")
    assert _cases(meeting)[-1].case == late


def test_at_the_edges_nothing_moves(people: Any) -> None:
    meeting = _meeting()
    first, second, third = _cases(meeting)
    assert not services.move_agenda_item(first, "up", by=people.sara)
    assert not services.move_agenda_item(third, "down", by=people.sara)
    assert [(t.pk, t.position) for t in _cases(meeting)] == [
        (first.pk, first.position),
        (second.pk, second.position),
        (third.pk, third.position),
    ]
    lonely = _meeting(cases=1)
    (only,) = _cases(lonely)
    assert not services.move_agenda_item(only, "up", by=people.sara)
    assert not services.move_agenda_item(only, "down", by=people.sara)


def test_standing_items_keep_their_place(as_person: Any, people: Any) -> None:
    meeting = _meeting()
    standing = meeting.treatments.get(standing=Treatment.Standing.APPROVE_MINUTES)
    with pytest.raises(ValidationError):
        services.move_agenda_item(standing, "down", by=people.sara)
    response = as_person("sara").post(
        f"/hnt/intern/rad/saksliste/{standing.pk}/flytt/",
        {"direction": "down", "position": standing.position},
    )
    assert response.status_code == 404


def test_a_double_submitted_move_moves_once(as_person: Any, people: Any) -> None:
    meeting = _meeting()
    first, second, third = _cases(meeting)
    sara = as_person("sara")
    data = {"direction": "up", "position": third.position}
    for _ in range(2):
        response = sara.post(f"/hnt/intern/rad/saksliste/{third.pk}/flytt/", data)
        assert response.status_code == 302
        assert response["Location"] == f"/hnt/intern/rad/moter/{meeting.pk}/#agenda"
    assert [t.pk for t in _cases(meeting)] == [first.pk, third.pk, second.pk]


def test_the_agenda_cannot_be_reordered_once_the_meeting_is_held(people: Any) -> None:
    meeting = _meeting(M.HELD)
    first, second, _third = _cases(meeting)
    with pytest.raises(ValidationError):
        services.move_agenda_item(second, "up", by=people.sara)
    assert _cases(meeting)[0].pk == first.pk


def test_a_reorder_after_the_notice_is_in_the_meetings_history(as_person: Any, people: Any) -> None:
    meeting = _meeting(M.NOTICE_PUBLISHED)
    first, second, third = _cases(meeting)
    sara = as_person("sara")
    sara.post(
        f"/hnt/intern/rad/saksliste/{second.pk}/flytt/",
        {"direction": "up", "position": second.position},
    )
    entry = (
        LogEntry.objects.get_for_object(meeting)
        .filter(changes__has_key=services.AGENDA_ORDER)
        .get()
    )
    assert entry.actor == people.sara
    numbers = [t.case.number for t in (first, second, third)]  # type: ignore[union-attr]
    before, after = entry.changes_dict[services.AGENDA_ORDER]
    assert before == ", ".join(numbers)
    assert after == ", ".join([numbers[1], numbers[0], numbers[2]])
    page = sara.get(f"/hnt/intern/rad/moter/{meeting.pk}/")
    labels = [label for e in page.context["history"] for label, _b, _a in e.changes]
    assert services.AGENDA_ORDER not in labels  # named for people, not by its key
    # Each item's move is in the audit trail as well, by whom.
    assert LogEntry.objects.get_for_object(second).latest("timestamp").actor == people.sara


def test_a_reorder_before_the_notice_is_not_a_change_of_the_meeting(people: Any) -> None:
    meeting = _meeting(M.PLANNED)
    _first, second, _third = _cases(meeting)
    services.move_agenda_item(second, "up", by=people.sara)
    assert (
        not LogEntry.objects.get_for_object(meeting)
        .filter(changes__has_key=services.AGENDA_ORDER)
        .exists()
    )


def test_the_move_buttons_name_the_item_and_work_without_script(
    as_person: Any, people: Any
) -> None:
    meeting = _meeting()
    first, second, third = _cases(meeting)
    page = as_person("sara").get(f"/hnt/intern/rad/moter/{meeting.pk}/").content.decode()
    for item in (first, second, third):
        assert item.case is not None
        action = f'action="/hnt/intern/rad/saksliste/{item.pk}/flytt/"'
        forms = [chunk for chunk in page.split("<form")[1:] if action in chunk]
        assert len(forms) == (1 if item in (first, third) else 2)  # none beyond the edges
        for form in forms:
            button = form.split("<button", 1)[1].split("</button>", 1)[0]
            assert item.case.title in button  # the accessible name says which item
            assert f'name="position" value="{item.position}"' in form
    lena = as_person("lena").get(f"/hnt/intern/rad/moter/{meeting.pk}/").content.decode()
    assert "/flytt/" not in lena


# --- queries -------------------------------------------------------------------------------


# For the secretariat (BASE 9: session, user, device, partnership, roles,
# memberships, session save ×3 — see partnerships tests) + the meeting with
# its council.
PINNED_EDIT = 9 + 1


def test_the_edit_page_pins_its_queries(
    as_person: Any, people: Any, django_assert_num_queries: Any
) -> None:
    meeting = _meeting(M.NOTICE_PUBLISHED)
    client = as_person("sara")
    client.get(_url(meeting))
    with django_assert_num_queries(PINNED_EDIT):
        assert client.get(_url(meeting)).status_code == 200
