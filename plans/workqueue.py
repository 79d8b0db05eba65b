"""The action plan's lines in the work queue (see :mod:`partnerships.workqueue`).

A measure under way whose progress report is overdue waits for the
coordinators and leaders of its responsible parties, and for the
secretariat. One query for those who report plan progress; none for the
others.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnerships.capabilities import Capability
from partnerships.workqueue import Context, Group, Line, cut, source
from plans import services


@source
def progress_reports(context: Context) -> Iterator[Group]:
    access = context.access
    if access.can(Capability.MANAGE_PLANS):
        parties: frozenset[int] | None = None
    else:
        parties = access.parties_where(Capability.REPORT_PLAN_PROGRESS)
        if not parties:
            return
    slug = access.partnership.slug
    label = _("Progress report on the action plan")
    lines = []
    for measure, plan in services.waiting_reports(access.partnership, context.today, parties):
        since = measure.last_reported_on or measure.starts_on or context.today
        lines.append(
            Line(
                kind="plan_progress",
                label=label,
                title=measure.title,
                url=reverse("plans:report", args=[slug, measure.pk]),
                due=since + datetime.timedelta(days=plan.report_every_days),
                late=True,
            )
        )
    yield cut("plan_progress", label, lines, len(lines), reverse("plans:index", args=[slug]))
