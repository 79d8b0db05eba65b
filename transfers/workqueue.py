"""Task transfers' lines in the work queue (see :mod:`partnerships.workqueue`).

A proposal on consultation waits for each party asked whose coordinator or
leader the person is, until that party has written its consequence
assessment (its formal answer is the consultation's own line, from
``agreements``). The secretariat moves transfers on: proposals to send on
consultation, consultations ready for the council, tasks moved without
agreement to take to it, and decided cases whose outcome is not recorded.
One query for each of the two; none for a person who is neither.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnerships.workqueue import Context, Group, Line, cut, source
from transfers import services
from transfers.models import TaskTransfer

Status = TaskTransfer.Status


@source
def assessments_to_write(context: Context) -> Iterator[Group]:
    slug = context.access.partnership.slug
    rows = services.assessments_to_write(context.access)
    label = _("Consequence assessment to write")
    lines = [
        Line(
            kind="transfer_assessment",
            label=label,
            title=f"{row.title}: {row.party_name}",  # type: ignore[attr-defined]
            url=reverse("transfers:assessment", args=[slug, row.pk, row.party_id]),  # type: ignore[attr-defined]
            due=row.consultation.deadline if row.consultation else None,
        )
        for row in rows
    ]
    yield cut(
        "transfer_assessment", label, lines, len(lines), reverse("transfers:index", args=[slug])
    )


# What the secretariat does next with a transfer, by the line's kind.
STEPS = {
    "transfer_consult": _("Task transfer to send on consultation"),
    "transfer_case": _("Task transfer ready for the council"),
    "transfer_unagreed": _("Task moved without agreement: take it to the council"),
    "transfer_outcome": _("Task transfer decided: record the outcome"),
}


def _step(transfer: TaskTransfer, today: object) -> str | None:
    if transfer.status == Status.DRAFT:
        return "transfer_consult"
    if transfer.status == Status.REGISTERED:
        return "transfer_unagreed"
    if transfer.status == Status.CONSULTATION and services.ready_for_council(
        transfer,
        today,  # type: ignore[arg-type]
        answered_all=transfer.answered_all,  # type: ignore[attr-defined]
    ):
        return "transfer_case"
    if transfer.status == Status.FOR_DECISION and transfer.has_decision:  # type: ignore[attr-defined]
        return "transfer_outcome"
    return None


@source
def transfers_to_move_on(context: Context) -> Iterator[Group]:
    slug = context.access.partnership.slug
    by_kind: dict[str, list[Line]] = {kind: [] for kind in STEPS}
    for transfer in services.waiting_for_secretariat(context.access):
        kind = _step(transfer, context.today)
        if kind is not None:
            by_kind[kind].append(
                Line(
                    kind=kind,
                    label=STEPS[kind],
                    title=transfer.title,
                    url=reverse("transfers:transfer", args=[slug, transfer.pk]),
                )
            )
    more = reverse("transfers:index", args=[slug])
    for kind, lines in by_kind.items():
        if lines:
            yield cut(kind, STEPS[kind], lines, len(lines), more)
