"""Follow-ups the person is responsible for or created, and the remarks they
logged, for the person's download (see :mod:`core.personal_data`). Two
queries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.personal_data import Section, source, when
from followups.models import FollowUp, FollowUpLogEntry


@source
def followups(user: Any) -> Iterator[Section]:
    named = (
        FollowUp.objects.filter(Q(responsible_person=user) | Q(created_by=user))
        .select_related("partnership")
        .order_by("created", "pk")
    )
    yield Section(
        "followups.followups",
        _("Follow-ups you are responsible for or created"),
        [
            {
                "partnership": f.partnership.name,
                "title": f.title,
                "status": str(f.get_status_display()),
                "deadline": when(f.deadline),
                "responsible": f.responsible_person_id == user.pk,
                "created_by_you": f.created_by_id == user.pk,
                "created": when(f.created),
            }
            for f in named
        ],
    )
    remarks = (
        FollowUpLogEntry.objects.filter(author=user)
        .select_related("followup")
        .order_by("created", "pk")
    )
    yield Section(
        "followups.log",
        _("Your remarks on follow-ups"),
        [
            {
                "followup": r.followup.title,
                "date": when(r.date),
                "remark": r.text,
                "progress": r.progress,
                "status_from": r.status_from,
                "status_to": r.status_to,
            }
            for r in remarks
        ],
    )
