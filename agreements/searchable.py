"""Which version of an agreement a reader sees, as a database expression, so
that search (``search.services``) finds what the pages show in one query.

Read-only; the rules are the pages':

- the public sees the version in force on the day
  (:func:`agreements.binding.in_force`), else the newest public version
  (:func:`agreements.publication.agreement_page`), else nothing (the
  agreement is not public);
- an insider sees the version in force, else the newest version whatever
  its status (drafts included).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, Subquery
from django.db.models.functions import Coalesce

from agreements.models import AgreementVersion

Status = AgreementVersion.Status


def shown_version_id(agreement: Any, day: datetime.date, *, public: bool) -> Coalesce:
    """The pk of the version of ``agreement`` (an ``OuterRef`` to it) that
    the reader sees on ``day``; NULL when there is none. Two subqueries."""
    versions = AgreementVersion.objects.filter(agreement=agreement)
    # binding.in_force: the latest in-force date that has come and not ended,
    # then the newest; of equals the first created (max() keeps the first).
    in_force = versions.filter(
        Q(in_force_to__isnull=True) | Q(in_force_to__gte=day),
        status__in=(Status.IN_FORCE, Status.REPLACED, Status.EXPIRED),
        in_force_from__lte=day,
    ).order_by("-in_force_from", "-created", "pk")
    newest = versions.filter(status__in=AgreementVersion.PUBLIC) if public else versions
    return Coalesce(
        Subquery(in_force.values("pk")[:1]),
        Subquery(newest.order_by("-created", "-pk").values("pk")[:1]),
    )
