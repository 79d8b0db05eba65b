"""Representation's lines in the work queue (see :mod:`partnerships.workqueue`).

Input rounds asking the person (their party's or region's representative
wants their view before a meeting) that are open and not yet answered by
them, by deadline. One query.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnerships.workqueue import Context, Group, Line, cut, source, take
from representation import services
from representation.models import InputAnswer, InputRound


@source
def input_rounds(context: Context) -> Iterator[Group]:
    access = context.access
    if access.user_id is None:
        return
    slug = access.partnership.slug
    answered = InputAnswer.objects.filter(round=OuterRef("pk"), author_id=access.user_id)
    rows, total = take(
        InputRound.objects.filter(
            meeting__council__partnership=access.partnership,
            closed_at__isnull=True,
            deadline__gte=context.today,
        )
        .filter(services.in_constituency_q(access.partnership, access.user_id, "appointment__"))
        .exclude(Exists(answered))
        .select_related("meeting__council", "case", "appointment__person")
        .order_by("deadline", "pk")
    )
    label = _("Input asked of you before a meeting")
    lines = [
        Line(
            kind="input",
            label=label,
            title=(
                f"{row.meeting.council.short_name}: "
                + (f"{row.case.number} {row.case.title}" if row.case else str(_("whole agenda")))
                + f" ({row.appointment.person.full_name})"
            ),
            url=reverse("representation:round", args=[slug, row.pk]),
            due=row.deadline,
        )
        for row in rows
    ]
    yield cut("input", label, lines, total, reverse("representation:requests", args=[slug]))
