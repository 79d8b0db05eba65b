"""The feeds read back as iCalendar: which meetings, their times, links and
status, and that nothing confidential is ever in them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar

from calendars import services
from calendars.tests.conftest import (
    council,
    events,
    fetch,
    parse,
    personal_url,
    site_path,
    uid,
)
from councils import services as council_services
from councils.models import Appointment, Case, Decision, Meeting
from partnerships.models import Partnership

HNT_COUNCILS = ["psu", "asu", "fagrad-psykisk-helse", "fagrad-eldre"]
VIDEO = "https://video.example/samspill-demo"


def _texts(calendar: Calendar) -> str:
    """Every text value in the feed, unescaped, as one string."""
    parts = [str(calendar.get("x-wr-calname", ""))]
    for event in calendar.events:
        for key in ("summary", "description", "location", "url"):
            parts.append(str(event.get(key, "")))
    return "\n".join(parts)


def _joint_meeting() -> Meeting:
    return Meeting.objects.get(council=council("psu"), joint_with=council("asu"))


# --- Public feed -------------------------------------------------------------


@pytest.mark.parametrize("slug", HNT_COUNCILS)
def test_the_public_feed_has_exactly_the_meetings_of_the_public_council_page(
    people: Any, slug: str
) -> None:
    the_council = council(slug)
    Meeting.objects.filter(pk=the_council.meetings.order_by("starts_at")[0].pk).update(
        status=Meeting.Status.CANCELLED
    )
    page = fetch(f"/hnt/helsefellesskap/rad/{slug}/")
    shown = list(page.context["meetings"])
    assert shown, "the demo has meetings for every council"
    feed = parse(fetch(f"/hnt/helsefellesskap/kalender/{slug}.ics"))
    assert [str(e["uid"]) for e in feed.events] == [uid(m) for m in shown]


def test_the_public_feed_leaves_out_cancelled_meetings_like_the_page(people: Any) -> None:
    asu = council("asu")
    cancelled = asu.meetings.order_by("starts_at")[1]
    Meeting.objects.filter(pk=cancelled.pk).update(status=Meeting.Status.CANCELLED)
    found = events(fetch("/hnt/helsefellesskap/kalender/asu.ics"))
    assert uid(cancelled) not in found
    assert len(found) == asu.meetings.exclude(status=Meeting.Status.CANCELLED).count()


def test_the_public_feed_stops_at_the_latest_thirty_meetings_like_the_page(people: Any) -> None:
    asu = council("asu")
    start = timezone.now() + datetime.timedelta(days=400)
    for i in range(30):
        council_services.plan_meeting(asu, starts_at=start + datetime.timedelta(days=7 * i))
    found = events(fetch("/hnt/helsefellesskap/kalender/asu.ics"))
    assert len(found) == services.PUBLIC_FEED_MEETINGS == 30
    oldest = asu.meetings.order_by("starts_at").first()
    assert oldest is not None and uid(oldest) not in found


def test_public_events_have_times_place_and_a_link_to_the_public_meeting_page(
    people: Any,
) -> None:
    asu = council("asu")
    meeting = asu.meetings.order_by("starts_at").first()
    assert meeting is not None and meeting.ends_at is not None
    response = fetch("/hnt/helsefellesskap/kalender/asu.ics")
    calendar = parse(response)
    assert str(calendar["prodid"]) == services.PRODID
    assert str(calendar["x-wr-calname"]) == "ASU – Helsefellesskap Nord-Trøndelag"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in response.content
    assert b"X-PUBLISHED-TTL:PT6H\r\n" in response.content
    event = events(response)[uid(meeting)]
    assert event.start == meeting.starts_at
    assert event.end == meeting.ends_at
    starts = event.start
    assert isinstance(starts, datetime.datetime)
    assert starts.utcoffset() == datetime.timedelta(0)  # aware, in UTC
    # No title: the council and the word "meeting" (in the person's language).
    assert meeting.title == "" and "ASU" in str(event["summary"])
    assert meeting.location and str(event["location"]) == meeting.location
    assert str(event["status"]) == "CONFIRMED"
    assert event.sequence == meeting.version
    url = f"{settings.SITE_URL}/hnt/helsefellesskap/rad/asu/moter/{meeting.pk}/"
    assert str(event["url"]) == url
    assert url in str(event["description"])
    # The link works for the public.
    assert fetch(site_path(url)).status_code == 200


def test_the_public_feed_never_has_the_video_link(people: Any) -> None:
    for slug in HNT_COUNCILS:
        response = fetch(f"/hnt/helsefellesskap/kalender/{slug}.ics")
        assert b"video.example" not in response.content
        assert "video.example" not in _texts(parse(response))


def test_the_joint_meeting_title_is_in_the_summary(people: Any) -> None:
    joint = _joint_meeting()
    event = events(fetch("/hnt/helsefellesskap/kalender/psu.ics"))[uid(joint)]
    assert str(event["summary"]) == "PSU: Fellesmøte PSU og ASU"


def test_a_meeting_without_an_end_lasts_two_hours(people: Any) -> None:
    meeting = council("psu").meetings.order_by("starts_at").first()
    assert meeting is not None
    Meeting.objects.filter(pk=meeting.pk).update(ends_at=None)
    event = events(fetch("/hnt/helsefellesskap/kalender/psu.ics"))[uid(meeting)]
    assert event.start == meeting.starts_at
    assert event.end == meeting.starts_at + datetime.timedelta(hours=2)


def test_uids_are_stable_between_fetches(people: Any) -> None:
    first = events(fetch("/hnt/helsefellesskap/kalender/asu.ics"))
    second = events(fetch("/hnt/helsefellesskap/kalender/asu.ics"))
    assert list(first) == list(second)
    assert all(key.startswith("meeting-") for key in first)


def test_an_unknown_partnership_or_council_is_404(people: Any) -> None:
    assert fetch("/finnes-ikke/helsefellesskap/kalender/asu.ics").status_code == 404
    assert fetch("/finnes-ikke/helsefellesskap/kalender/").status_code == 404
    assert fetch("/hnt/helsefellesskap/kalender/finnes-ikke.ics").status_code == 404
    # HNT's fagråd asked for under the other partnership.
    assert fetch("/stolav/helsefellesskap/kalender/asu.ics").status_code == 404
    assert fetch("/stolav/helsefellesskap/kalender/psu.ics").status_code == 200


def test_the_index_lists_every_councils_feed_address(people: Any) -> None:
    response = fetch("/hnt/helsefellesskap/kalender/")
    assert response.status_code == 200
    page = response.content.decode()
    for slug in HNT_COUNCILS:
        address = f"{settings.SITE_URL}/hnt/helsefellesskap/kalender/{slug}.ics"
        assert f'value="{address}"' in page
        assert f'<label class="ds-sr-only" for="feed-{slug}">' in page
        assert f'id="feed-{slug}" value="{address}" readonly' in page
        assert fetch(site_path(address)).status_code == 200
    # Instructions for each program (by the names that stay in any language).
    for program in ("Outlook", "Google", "Apple"):
        assert program in page
    # The other partnership's index lists only its own council.
    other = fetch("/stolav/helsefellesskap/kalender/").content.decode()
    assert "/stolav/helsefellesskap/kalender/psu.ics" in other
    assert "/hnt/" not in other.split("<main", 1)[1].split("</table>", 1)[0]


# --- Personal feed -----------------------------------------------------------


def test_lenas_feed_has_her_councils_meetings_and_their_joint_meetings(people: Any) -> None:
    """Lena sits in ASU: ASU's meetings, and PSU's joint meeting with ASU,
    but no other PSU meeting and no fagråd meeting."""
    found = events(fetch(personal_url(people.lena)))
    asu_meetings = list(council("asu").meetings.all())
    joint = _joint_meeting()
    assert set(found) == {uid(m) for m in asu_meetings} | {uid(joint)}
    other_psu = council("psu").meetings.exclude(pk=joint.pk)
    assert other_psu.exists()
    assert not {uid(m) for m in other_psu} & set(found)


def test_nils_feed_has_only_his_fagrad(people: Any) -> None:
    found = events(fetch(personal_url(people.nils)))
    assert set(found) == {uid(m) for m in council("fagrad-psykisk-helse").meetings.all()}


def test_every_role_counts_observer_and_secretary_too(people: Any) -> None:
    stine = events(fetch(personal_url(people.stine)))  # observer in PSU and ASU
    assert set(stine) == {
        uid(m) for m in Meeting.objects.filter(council__in=[council("psu"), council("asu")])
    }
    sara = events(fetch(personal_url(people.sara)))  # secretary in every HNT council
    assert set(sara) == {uid(m) for m in Meeting.objects.filter(council__partnership__slug="hnt")}


def test_people_without_a_seat_get_an_empty_calendar(people: Any) -> None:
    for person in (people.otto, people.tor, people.ada):
        assert events(fetch(personal_url(person))) == {}


def test_the_personal_feed_spans_partnerships(people: Any) -> None:
    """Siri (in both partnerships) gets a seat in each: both councils' meetings,
    each linking into its own partnership's internal pages."""
    stolav_psu = council("psu", "stolav")
    when = timezone.now() + datetime.timedelta(days=20)
    stolav_meeting = council_services.plan_meeting(stolav_psu, starts_at=when, title="Vårmøte")
    Appointment.objects.create(council=stolav_psu, person=people.siri, role="member")
    Appointment.objects.create(council=council("fagrad-eldre"), person=people.siri, role="deputy")
    found = events(fetch(personal_url(people.siri)))
    expected = {uid(m) for m in council("fagrad-eldre").meetings.all()} | {uid(stolav_meeting)}
    assert set(found) == expected
    event = found[uid(stolav_meeting)]
    assert str(event["summary"]) == "PSU: Vårmøte"
    assert str(event["url"]) == f"{settings.SITE_URL}/stolav/intern/rad/moter/{stolav_meeting.pk}/"


def test_an_ended_seat_leaves_the_feed(people: Any) -> None:
    url = personal_url(people.lena)
    Appointment.objects.filter(person=people.lena, council=council("asu")).update(
        valid_to=timezone.localdate()
    )
    assert events(fetch(url)) == {}


def test_personal_events_link_to_the_internal_meeting_page_with_the_video_link(
    as_person: Any, people: Any
) -> None:
    meeting = council("asu").meetings.order_by("starts_at").first()
    assert meeting is not None
    event = events(fetch(personal_url(people.lena)))[uid(meeting)]
    url = f"{settings.SITE_URL}/hnt/intern/rad/moter/{meeting.pk}/"
    assert str(event["url"]) == url
    assert url in str(event["description"])
    assert VIDEO in str(event["description"])
    assert str(event["location"]) == f"{meeting.location}, {VIDEO}"
    assert event.start == meeting.starts_at
    assert event.end == meeting.ends_at
    assert as_person("lena").get(site_path(url)).status_code == 200


def test_a_cancelled_meeting_is_marked_cancelled_in_the_personal_feed(people: Any) -> None:
    """Cancelled through the meeting workflow: the new version is the
    event's SEQUENCE, so calendars take the change."""
    meeting = (
        council("asu")
        .meetings.filter(status__in=[Meeting.Status.PLANNED, Meeting.Status.NOTICE_PUBLISHED])
        .order_by("starts_at")
        .first()
    )
    assert meeting is not None
    before = events(fetch(personal_url(people.lena)))[uid(meeting)]
    council_services.change_meeting_status(meeting, Meeting.Status.CANCELLED, meeting.version)
    found = events(fetch(personal_url(people.lena)))
    assert str(found[uid(meeting)]["status"]) == "CANCELLED"
    assert found[uid(meeting)].sequence == before.sequence + 1 == meeting.version
    others = [e for key, e in found.items() if key != uid(meeting)]
    assert others and all(str(e["status"]) == "CONFIRMED" for e in others)


def test_the_personal_feed_reaches_one_year_back(people: Any) -> None:
    asu = council("asu")
    old = council_services.plan_meeting(
        asu, starts_at=timezone.now() - datetime.timedelta(days=400)
    )
    recent = council_services.plan_meeting(
        asu, starts_at=timezone.now() - datetime.timedelta(days=300)
    )
    found = events(fetch(personal_url(people.lena)))
    assert uid(recent) in found
    assert uid(old) not in found


def test_the_same_meeting_has_the_same_uid_in_both_feeds(people: Any) -> None:
    public = events(fetch("/hnt/helsefellesskap/kalender/asu.ics"))
    personal = events(fetch(personal_url(people.lena)))
    assert set(public) <= set(personal)


# --- Never anything confidential -----------------------------------------------


def _confidential_texts() -> list[str]:
    """The demo's case titles and papers, and its decisions."""
    cases = list(Case.objects.all())
    assert len(cases) >= 9
    texts = [c.title for c in cases]
    texts += [c.background for c in cases if c.background]
    texts += [c.proposed_decision for c in cases if c.proposed_decision]
    texts += [d.adopted_text for d in Decision.objects.all()]
    return texts


def test_no_case_titles_papers_or_decisions_in_any_feed(people: Any) -> None:
    """The demo's meetings have every one of these cases on their agendas
    (public, internal and exempt), so a feed that listed agendas would leak."""
    confidential = _confidential_texts()
    responses = [fetch(personal_url(getattr(people, p))) for p in ("sara", "lena", "nils")]
    for partnership in Partnership.objects.all():
        for c in partnership.councils.all():
            responses.append(fetch(f"/{partnership.slug}/helsefellesskap/kalender/{c.slug}.ics"))
    for response in responses:
        calendar = parse(response)
        text = _texts(calendar)
        raw = response.content.decode().replace("\r\n ", "")
        for secret in confidential:
            assert secret not in text
            assert secret not in raw
    assert sum(len(parse(r).events) for r in responses) > 30
