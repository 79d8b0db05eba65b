"""Councils' lines in the work queue (see :mod:`partnerships.workqueue`).

For a person with a seat: meetings ahead whose papers are out, and minutes
drafted for approval. For the secretariat: notices to publish for meetings
in the next three weeks, minutes waiting to be approved, and (stuck)
meetings held more than two weeks ago without minutes, and decisions of the
last year, two weeks old, that nobody follows up. One query for the seats,
then one per kind; none for a person without seat or right.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from councils.models import Appointment, Decision, Meeting, Treatment
from partnerships.capabilities import Capability
from partnerships.workqueue import STUCK, TODO, Context, Group, Line, cut, source, take

NOTICE_WITHIN = datetime.timedelta(days=21)
DECISIONS_SINCE = datetime.timedelta(days=365)
MINUTES_WITHIN = datetime.timedelta(days=14)
S = Meeting.Status


def _title(meeting: Meeting) -> str:
    when = formats.date_format(timezone.localtime(meeting.starts_at), "SHORT_DATE_FORMAT")
    name = meeting.title or meeting.council.name
    return f"{meeting.council.short_name}: {name}, {when}"


def _lines(
    meetings: list[Meeting], kind: str, label: Any, *, due: str = "start", section: str = ""
) -> list[Line]:
    lines = []
    for meeting in meetings:
        day = timezone.localtime(meeting.starts_at).date()
        if due == "minutes":
            day = day + MINUTES_WITHIN
        lines.append(
            Line(
                kind=kind,
                label=label,
                title=_title(meeting),
                url=reverse(
                    "councils:meeting", args=[meeting.council.partnership.slug, meeting.pk]
                ),
                due=day,
                section=section or TODO,
            )
        )
    return lines


def _meetings(q: Q, order: str = "starts_at") -> tuple[list[Meeting], int]:
    return take(Meeting.objects.filter(q).select_related("council__partnership").order_by(order))


@source
def meetings(context: Context) -> Iterator[Group]:
    access, partnership = context.access, context.access.partnership
    in_partnership = Q(council__partnership=partnership)
    seats = list(
        Appointment.objects.current(context.today)
        .filter(person_id=access.user_id, council__partnership=partnership)
        .values_list("council_id", flat=True)
    )
    if seats:
        # A joint meeting is in the work of each council's members (a
        # subquery, not a join: one row per meeting).
        joint = Meeting.joint_with.through.objects.filter(council_id__in=seats)
        mine = Q(council_id__in=seats) | Q(pk__in=joint.values("meeting_id"))
        ahead = mine & Q(status=S.NOTICE_PUBLISHED, starts_at__gte=context.now)
        rows, total = _meetings(in_partnership & ahead)
        label = _("Meeting ahead: read the papers")
        yield cut("papers", label, _lines(rows, "papers", label), total)
        rows, total = _meetings(in_partnership & mine & Q(status=S.MINUTES_DRAFTED))
        label = _("Minutes drafted: read them before they are approved")
        yield cut("minutes_to_read", label, _lines(rows, "minutes_to_read", label), total)
    if not access.can(Capability.MANAGE_MEETINGS):
        return
    soon = Q(
        status=S.PLANNED, starts_at__gte=context.now, starts_at__lt=context.now + NOTICE_WITHIN
    )
    rows, total = _meetings(in_partnership & soon)
    label = _("Meeting soon: publish the notice")
    yield cut("notice", label, _lines(rows, "notice", label), total)
    rows, total = _meetings(in_partnership & Q(status=S.MINUTES_DRAFTED))
    label = _("Minutes drafted: record the approval")
    yield cut("approve", label, _lines(rows, "approve", label, due="minutes"), total)
    late = Q(status=S.HELD, starts_at__lt=context.now - MINUTES_WITHIN)
    rows, total = _meetings(in_partnership & late)
    label = _("Held without minutes")
    lines = _lines(rows, "no_minutes", label, due="minutes", section=STUCK)
    yield cut("no_minutes", label, lines, total)


@source
def decisions_without_followup(context: Context) -> Iterator[Group]:
    """Decisions (not orientations) recorded more than two weeks ago, in the
    last year, with no follow-up made from them."""
    from django.db.models import Exists, OuterRef

    from followups.models import FollowUp

    if not context.access.can(Capability.MANAGE_MEETINGS):
        return
    # The content type by its natural key, inside the subquery: no query of
    # its own (and none that depends on ContentType's cache).
    followed = FollowUp.objects.filter(
        source_content_type__app_label=Decision._meta.app_label,
        source_content_type__model=Decision._meta.model_name,
        source_object_id=OuterRef("pk"),
    )
    rows, total = take(
        Decision.objects.filter(
            treatment__meeting__council__partnership=context.access.partnership,
            treatment__kind=Treatment.Kind.DECISION,
            recorded_at__lt=context.now - MINUTES_WITHIN,
            recorded_at__gte=context.now - DECISIONS_SINCE,
        )
        .exclude(Exists(followed))
        .select_related("treatment__case", "treatment__meeting__council__partnership")
        .order_by("recorded_at", "pk")
    )
    label = _("Decision without follow-up")
    lines = []
    for decision in rows:
        case = decision.treatment.case
        meeting = decision.treatment.meeting
        lines.append(
            Line(
                kind="no_followup",
                label=label,
                title=f"{case.number} {case.title}" if case else _title(meeting),
                url=reverse(
                    "councils:decision",
                    args=[meeting.council.partnership.slug, decision.treatment.pk],
                ),
                due=timezone.localtime(decision.recorded_at).date() + MINUTES_WITHIN,
                section=STUCK,
            )
        )
    yield cut("no_followup", label, lines, total)
