"""Decisions, attendance, minutes and follow-up of decisions."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import richtext
from councils import services
from councils.models import Case, Decision, Meeting, Treatment
from followups.models import FollowUp

M = Meeting.Status


def _held_meeting(slug: str = "asu") -> Meeting:
    """The latest held meeting of a council: nothing recorded yet in the demo."""
    meeting = (
        Meeting.objects.filter(council__partnership__slug="hnt", council__slug=slug, status=M.HELD)
        .order_by("-starts_at")
        .first()
    )
    assert meeting is not None
    return meeting


def _published_meeting() -> Meeting:
    meeting = Meeting.objects.filter(
        council__partnership__slug="hnt", status=M.PUBLISHED, council__slug="psu"
    ).first()
    assert meeting is not None
    return meeting


def _record_everything(meeting: Meeting, by: Any) -> None:
    services.record_attendance(meeting, {s.pk: "present" for s in services.seats_for(meeting)})
    for item in meeting.treatments.exclude(case=None).select_related("case", "meeting"):
        services.record_decision(item, adopted_as_recommended=False, adopted_text="Vedtatt.", by=by)


def test_adopted_as_recommended_takes_the_proposed_decision_as_text(people: Any) -> None:
    meeting = _held_meeting()
    item = meeting.treatments.exclude(case=None).select_related("case", "meeting").first()
    assert item is not None and item.case is not None
    item.case.proposed_decision = (
        "<ol><li><p>ASU vedtar <strong>planen</strong>.</p></li>"
        "<li><p>Sekretariatet følger opp.</p></li></ol>"
    )
    item.case.save(update_fields=["proposed_decision"])
    decision = services.record_decision(
        item, adopted_as_recommended=True, adopted_text="", by=people.sara
    )
    assert decision.adopted_text == "1. ASU vedtar planen.\n2. Sekretariatet følger opp."
    assert decision.recommendation == decision.adopted_text


def test_a_changed_decision_is_kept_apart_from_the_recommendation(people: Any) -> None:
    item = _held_meeting().treatments.exclude(case=None).select_related("case", "meeting").first()
    assert item is not None and item.case is not None
    decision = services.record_decision(
        item, adopted_as_recommended=False, adopted_text="Endret vedtak.", by=people.sara
    )
    assert decision.adopted_text == "Endret vedtak."
    assert decision.recommendation == richtext.text_of(item.case.proposed_decision)
    assert not decision.adopted_as_recommended


def test_decisions_are_only_recorded_for_held_meetings(people: Any) -> None:
    item = (
        Treatment.objects.filter(
            meeting__council__partnership__slug="hnt", meeting__status=M.NOTICE_PUBLISHED
        )
        .exclude(case=None)
        .select_related("case", "meeting")
        .first()
    )
    assert item is not None
    with pytest.raises(ValidationError):
        services.record_decision(item, adopted_as_recommended=True, adopted_text="", by=None)


def test_minutes_need_attendance_and_every_decision(people: Any) -> None:
    meeting = _held_meeting()
    with pytest.raises(ValidationError, match=r"attended|oppmøte|møtte"):
        services.change_meeting_status(meeting, M.MINUTES_DRAFTED, meeting.version)
    services.record_attendance(meeting, {s.pk: "present" for s in services.seats_for(meeting)})
    decision_items = meeting.treatments.filter(kind="decision").select_related("case")
    if decision_items.exists():
        with pytest.raises(ValidationError) as error:
            services.change_meeting_status(meeting, M.MINUTES_DRAFTED, meeting.version)
        assert decision_items.first().case.number in str(error.value)  # type: ignore[union-attr]


def test_minutes_cannot_be_approved_without_saying_how(people: Any) -> None:
    meeting = _held_meeting()
    _record_everything(meeting, people.sara)
    meeting = services.change_meeting_status(meeting, M.MINUTES_DRAFTED, meeting.version)
    with pytest.raises(ValidationError):
        services.change_meeting_status(meeting, M.MINUTES_APPROVED, meeting.version)


def test_the_minutes_go_from_draft_to_the_public(as_person: Any, people: Any) -> None:
    meeting = _held_meeting("psu")
    public_case, _ = services.create_case(
        council=meeting.council, title="Offentlig sak i protokollen", by=None
    )
    Treatment.objects.create(meeting=meeting, case=public_case, kind="decision", position=40)
    _record_everything(meeting, people.sara)
    sara = as_person("sara")
    base = f"/hnt/intern/rad/moter/{meeting.pk}/"
    sara.post(base + "status/", {"status": M.MINUTES_DRAFTED, "version": meeting.version})
    meeting.refresh_from_db()
    assert meeting.status == M.MINUTES_DRAFTED
    public_url = f"/hnt/helsefellesskap/rad/psu/moter/{meeting.pk}/protokoll/"
    assert Client().get(public_url).status_code == 404  # not before it is published
    sara.post(
        base + "protokoll/",
        {"approved_on": "2026-10-01", "approved_by": "Ola og Kari", "version": meeting.version},
    )
    meeting.refresh_from_db()
    assert meeting.status == M.MINUTES_APPROVED
    sara.post(base + "status/", {"status": M.PUBLISHED, "version": meeting.version})
    meeting.refresh_from_db()
    assert meeting.status == M.PUBLISHED
    page = Client().get(public_url).content.decode()
    assert "Ola og Kari" in page
    assert "Offentlig sak i protokollen" in page
    assert "Vedtatt." in page


def test_public_minutes_show_only_public_items(people: Any) -> None:
    meeting = _published_meeting()
    exempt = Case.objects.get(title__startswith="Avtale om legevaktsamarbeid")
    meeting = exempt.treatments.get().meeting
    assert meeting.status == M.PUBLISHED
    internal, _ = services.create_case(
        council=meeting.council, title="Intern budsjettsak", by=None, visibility="partnership"
    )
    Treatment.objects.create(meeting=meeting, case=internal, kind="decision", position=50)
    page = (
        Client()
        .get(f"/hnt/helsefellesskap/rad/{meeting.council.slug}/moter/{meeting.pk}/protokoll/")
        .content.decode()
    )
    assert "Forhandlinger om legevaktsamarbeid" in page
    assert "Avtale om legevaktsamarbeid" not in page
    assert "forhandlingsutvalget mandat" not in page  # the exempt decision text
    assert "Intern budsjettsak" not in page


def test_a_follow_up_is_created_from_a_decision_once(as_person: Any, people: Any) -> None:
    decision = Decision.objects.select_related("treatment").first()
    assert decision is not None
    url = f"/hnt/intern/rad/saksliste/{decision.treatment_id}/vedtak/"
    key = str(uuid.uuid4())
    data = {
        "action": "followup",
        "title": "Lag en felles rutine",
        "client_key": key,
        "deadline": "2027-01-31",
    }
    sara = as_person("sara")
    before = FollowUp.objects.count()
    assert sara.post(url, data).status_code == 302
    assert sara.post(url, data).status_code == 302
    assert FollowUp.objects.count() == before + 1
    followup = FollowUp.objects.get(client_key=key)
    assert followup.source == decision
    assert followup.origin == "decision"
    assert followup.origin_group == decision.treatment.meeting.council.short_name
    assert followup.deadline == datetime.date(2027, 1, 31)
    assert "Lag en felles rutine" in sara.get(url).content.decode()


def test_a_decision_with_an_identity_number_is_refused_and_kept(
    as_person: Any, people: Any
) -> None:
    item = _held_meeting().treatments.exclude(case=None).first()
    assert item is not None
    text = "Pasient 30108299920 skal følges opp."
    response = as_person("sara").post(
        f"/hnt/intern/rad/saksliste/{item.pk}/vedtak/",
        {"action": "decision", "adopted_text": text, "version": 0},
    )
    assert response.status_code == 200
    assert text in response.content.decode()
    assert not Decision.objects.filter(treatment=item).exists()


@pytest.mark.parametrize("who", [None, "sara"])
def test_minutes_pages_do_not_grow_with_their_items(as_person: Any, people: Any, who: Any) -> None:
    meeting = _published_meeting()
    url = (
        f"/hnt/intern/rad/moter/{meeting.pk}/protokoll/"
        if who
        else f"/hnt/helsefellesskap/rad/psu/moter/{meeting.pk}/protokoll/"
    )
    client = as_person(who)
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    for i in range(6):
        case, _ = services.create_case(
            council=meeting.council,
            title=f"Ekstra {i}",
            by=None,
            visibility=["public", "restricted", "council"][i % 3],
            public_title="Unntatt",
            legal_basis="offentleglova § 14",
        )
        item = Treatment.objects.create(
            meeting=meeting, case=case, kind="decision", position=60 + i
        )
        Decision.objects.create(treatment=item, adopted_text=f"Vedtak {i}")
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before), [q["sql"][:100] for q in after.captured_queries]
