"""Deviations' lines in the work queue (see :mod:`partnerships.workqueue`).

For the parties a person handles deviations for: deviations waiting for the
party's answer (by the answer deadline), answers waiting for the reporting
party to close or reopen them, and the person's own drafts. For the
secretariat (stuck): deviations not answered by their deadline. One query
per kind; none for a person who handles no deviations.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from deviations.models import Deviation
from partnerships.capabilities import Capability
from partnerships.workqueue import STUCK, TODO, Context, Group, Line, cut, source, take

S = Deviation.Status
WAITING_FOR_ANSWER = (S.SUBMITTED, S.RECEIVED, S.IN_PROGRESS)


def _rows(context: Context, q: Q) -> tuple[list[Deviation], int]:
    queryset = (
        Deviation.objects.filter(q, partnership=context.access.partnership)
        .select_related("reporting_organisation", "receiving_organisation")
        .order_by("response_deadline", "answered_at", "pk")
    )
    return take(queryset)


def _title(deviation: Deviation) -> str:
    parties = f"{deviation.reporting_organisation.name} → {deviation.receiving_organisation.name}"
    return f"{deviation.number}: {parties}" if deviation.number else parties


def _group(context: Context, kind: str, label: object, q: Q, section: str = "") -> Group:
    rows, total = _rows(context, q)
    slug = context.access.partnership.slug
    lines = [
        Line(
            kind=kind,
            label=label,
            title=_title(row),
            url=reverse("deviations:detail", args=[slug, row.pk]),
            # The answer deadline is the receiver's; the reporter's own lines
            # (an answer to read, a draft) have no date of their own.
            due=row.response_deadline if kind in ("answer", "unanswered") else None,
            section=section or TODO,
        )
        for row in rows
    ]
    return cut(kind, label, lines, total, reverse("deviations:list", args=[slug]))


@source
def deviations(context: Context) -> Iterator[Group]:
    access = context.access
    parties = access.parties_where(Capability.HANDLE_DEVIATIONS)
    if parties:
        yield _group(
            context,
            "answer",
            _("Deviation to answer for your party"),
            Q(receiving_organisation_id__in=parties, status__in=WAITING_FOR_ANSWER),
        )
        yield _group(
            context,
            "close",
            _("Deviation answered: close it or ask for more"),
            Q(reporting_organisation_id__in=parties, status=S.ANSWERED),
        )
    yield _group(
        context,
        "draft",
        _("Your draft, not sent"),
        Q(reported_by_id=access.user_id, status=S.DRAFT),
    )
    if access.can(Capability.MANAGE_DEVIATIONS):
        yield _group(
            context,
            "unanswered",
            _("Not answered by the deadline"),
            Q(status__in=WAITING_FOR_ANSWER, response_deadline__lt=context.today),
            section=STUCK,
        )
