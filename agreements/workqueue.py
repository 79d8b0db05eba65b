"""Agreements' lines in the work queue (see :mod:`partnerships.workqueue`).

A version sent to the parties for ratification is waiting for each party
whose coordinator or leader the person is, until the party has recorded
how its body decided (four queries; none for a person who records for no
party).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
