"""Follow-ups' lines in the work queue (see :mod:`partnerships.workqueue`).

Open follow-ups the person is responsible for, and those of the parties they
report progress for that name nobody in particular; late first. One query
per kind; none for the parties' part when the person reports for no party.
(Decisions without a follow-up are the councils' lines: that app knows
decisions.)
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from followups.models import FollowUp
from partnerships.capabilities import Capability
from partnerships.workqueue import Context, Group, Line, cut, source, take


def _group(context: Context, kind: str, label: object, q: Q) -> Group:
    slug = context.access.partnership.slug
    rows, total = take(
        FollowUp.objects.filter(
            q, partnership=context.access.partnership, status__in=FollowUp.OPEN_STATUSES
        ).order_by("deadline", "pk")
    )
    lines = [
        Line(
            kind=kind,
            label=label,
            title=row.title,
            url=reverse("followups:detail", args=[slug, row.pk]),
            due=row.deadline,
        )
        for row in rows
    ]
    return cut(kind, label, lines, total, reverse("followups:list", args=[slug]))


@source
def followups(context: Context) -> Iterator[Group]:
    access = context.access
    yield _group(
        context,
        "mine",
        _("Follow-up you are responsible for"),
        Q(responsible_person_id=access.user_id),
    )
    parties = access.parties_where(Capability.REPORT_FOLLOWUP_PROGRESS)
    if parties:
        yield _group(
            context,
            "party",
            _("Follow-up of your party"),
            Q(responsible_organisation_id__in=parties, responsible_person__isnull=True),
        )
