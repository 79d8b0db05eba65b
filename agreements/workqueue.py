"""Agreements' lines in the work queue (see :mod:`partnerships.workqueue`).

A consultation waits for each addressed party whose coordinator or leader
the person is, until the party has answered; the secretariat reads each
answer. A version sent to the parties for ratification is waiting for each party
whose coordinator or leader the person is, until the party has recorded
how its body decided (four queries; none for a person who records for no
party).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agreements import consultations
from agreements.services import ratifications_to_record
from partnerships.workqueue import Context, Line, source


@source
def ratifications(context: Context) -> Iterator[Line]:
    slug = context.access.partnership.slug
    for version, party in ratifications_to_record(context.access):
        yield Line(
            kind="ratification",
            label=_("Ratification to record"),
            title=f"{version.agreement} ({version.label}): {party.name}",
            url=reverse("agreements:ratification", args=[slug, version.pk, party.pk]),
            due=version.in_force_from,
        )


@source
def consultations_to_answer(context: Context) -> Iterator[Line]:
    """Open consultations a party of the person has not answered (one query;
    none for a person who answers for no party)."""
    slug = context.access.partnership.slug
    for consultation, party in consultations.consultations_to_answer(context.access):
        yield Line(
            kind="consultation",
            label=_("Consultation to answer"),
            title=f"{consultation.title}: {party.name}",
            url=reverse("agreements:consultation_answer", args=[slug, consultation.pk, party.pk]),
            due=consultation.deadline,
        )


@source
def answers_to_read(context: Context) -> Iterator[Line]:
    """Consultation answers the secretariat has not read (one query; none
    for anyone else)."""
    slug = context.access.partnership.slug
    for answer in consultations.answers_to_read(context.access):
        yield Line(
            kind="consultation_answer",
            label=_("Consultation answer to read"),
            title=f"{answer.consultation.title}: {answer.organisation.name}",
            url=reverse("agreements:consultation", args=[slug, answer.consultation_id]),
        )
