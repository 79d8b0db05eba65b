"""Council seats, attendance, votes, cases and attachments, for the person's
download (see :mod:`core.personal_data`). Five queries: seats, attendance
and votes on those seats, cases the person created and attachments they
uploaded, each with what it names joined in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.personal_data import Section, source, when
from councils.models import Appointment, Attendance, Case, CaseAttachment, Vote


@source
def council_work(user: Any) -> Iterator[Section]:
    seats = (
        Appointment.objects.filter(person=user)
        .select_related("council", "on_behalf_of_organisation", "on_behalf_of_region")
        .order_by("valid_from", "pk")
    )
    yield Section(
        "councils.seats",
        _("Council seats"),
        [
            {
                "council": seat.council.name,
                "role": str(seat.get_role_display()),
                "position": seat.position_title,
                "right_to_vote": seat.has_vote,
                "on_behalf_of": seat.constituency,
                "from": when(seat.valid_from),
                "ended": when(seat.valid_to),
            }
            for seat in seats
        ],
    )
    attendance = (
        Attendance.objects.filter(appointment__person=user)
        .select_related("meeting__council")
        .order_by("meeting__starts_at", "pk")
    )
    yield Section(
        "councils.attendance",
        _("Attendance at meetings"),
        [
            {
                "council": a.meeting.council.name,
                "meeting": when(a.meeting.starts_at),
                "attendance": str(a.get_status_display()),
            }
            for a in attendance
        ],
    )
    votes = (
        Vote.objects.filter(appointment__person=user)
        .select_related("decision__treatment__case", "decision__treatment__meeting__council")
        .order_by("decision__treatment__meeting__starts_at", "pk")
    )
    yield Section(
        "councils.votes",
        _("Votes"),
        [
            {
                "council": v.decision.treatment.meeting.council.name,
                "meeting": when(v.decision.treatment.meeting.starts_at),
                "case": v.decision.treatment.case.number if v.decision.treatment.case else "",
                "vote": str(v.get_choice_display()),
            }
            for v in votes
        ],
    )
    cases = Case.objects.filter(created_by=user).order_by("created", "pk")
    yield Section(
        "councils.cases",
        _("Cases you created"),
        [{"case": c.number, "title": c.title, "created": when(c.created)} for c in cases],
    )
    attachments = (
        CaseAttachment.objects.filter(uploaded_by=user)
        .select_related("case")
        .order_by("uploaded_at", "pk")
    )
    yield Section(
        "councils.attachments",
        _("Attachments you uploaded"),
        [
            {
                "case": a.case.number,
                "title": a.title,
                "file_name": a.original_name,
                "size": a.size,
                "uploaded": when(a.uploaded_at),
            }
            for a in attachments
        ],
    )
