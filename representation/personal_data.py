"""Input the person gave, input rounds they opened and report-backs they made,
for the person's download (see :mod:`core.personal_data`). Three queries,
each with the meeting and council joined in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.personal_data import Section, source, when
from representation.models import InputAnswer, InputRound, ReportBack


@source
def representation(user: Any) -> Iterator[Section]:
    answers = (
        InputAnswer.objects.filter(author=user)
        .select_related("round__meeting__council", "round__case", "organisation")
        .order_by("created", "pk")
    )
    yield Section(
        "representation.input",
        _("Your input before meetings"),
        [
            {
                "council": a.round.meeting.council.name,
                "meeting": when(a.round.meeting.starts_at),
                "case": a.round.case.number if a.round.case else "",
                "for_organisation": a.organisation.name if a.organisation else "",
                "input": a.text,
                "written": when(a.created),
                "changed": when(a.updated),
            }
            for a in answers
        ],
    )
    rounds = (
        InputRound.objects.filter(opened_by=user)
        .select_related("meeting__council", "case")
        .order_by("created", "pk")
    )
    yield Section(
        "representation.rounds",
        _("Input rounds you opened"),
        [
            {
                "council": r.meeting.council.name,
                "meeting": when(r.meeting.starts_at),
                "case": r.case.number if r.case else "",
                "message": r.message,
                "deadline": when(r.deadline),
                "opened": when(r.created),
            }
            for r in rounds
        ],
    )
    reports = (
        ReportBack.objects.filter(reported_by=user)
        .select_related("meeting__council")
        .order_by("created", "pk")
    )
    yield Section(
        "representation.report_backs",
        _("Report-backs you made"),
        [
            {
                "council": r.meeting.council.name,
                "meeting": when(r.meeting.starts_at),
                "summary": r.summary,
                "reported": when(r.reported_at),
            }
            for r in reports
        ],
    )
