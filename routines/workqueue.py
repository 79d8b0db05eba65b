"""Routines' lines in the work queue (see :mod:`partnerships.workqueue`).

A routine in force whose review is overdue or due within
:data:`routines.services.DUE_SOON_DAYS` days waits for its responsible
person, for the coordinators and leaders of the party that owns it, and,
when a council owns it, for those who manage routines (the secretariat).
One query, however many routines (anyone may be a routine's responsible
person, so it is asked of every insider).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnerships.capabilities import Capability
from partnerships.workqueue import Context, Group, Line, cut, source, take
from routines.services import due_within, keepers_filter


@source
def routine_reviews(context: Context) -> Iterator[Group]:
    access = context.access
    slug = access.partnership.slug
    rows, total = take(
        due_within(access.partnership, context.today)
        .filter(
            keepers_filter(
                access.user_id,
                access.parties_where(Capability.KEEP_OWN_ROUTINES),
                access.can(Capability.MANAGE_ROUTINES),
            )
        )
        .order_by("next_review", "pk")
    )
    label = _("Routine to review")
    lines = [
        Line(
            kind="routine_review",
            label=label,
            title=str(row),
            url=reverse("routines:routine", args=[slug, row.pk]),
            due=row.next_review,
        )
        for row in rows
    ]
    yield cut("routine_review", label, lines, total, reverse("routines:index", args=[slug]))
