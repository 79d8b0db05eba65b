"""Crisis lines in the work queue (see :mod:`partnerships.workqueue`).

The person's parties' situation reports for the current period of each
active crisis: late ones, and those due soon. No query for people who do
not report; one when no crisis is active (see
:func:`crisis.reminders.late_and_due_soon`).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crisis.reminders import late_and_due_soon
from partnerships.workqueue import Context, Group, Line, cut, source


@source
def situation_reports(context: Context) -> Iterator[Group]:
    late, due = late_and_due_soon(context.access, context.now)
    slug = context.access.partnership.slug
    rows = late + due
    label = _("Situation report to send")
    lines = [
        Line(
            kind="report",
            label=label,
            title=f"{row.crisis.name}: {row.organisation.name}, {row.label}",
            # The partnership's slug from the access: a crisis row need not
            # carry its partnership (no query per line).
            url=reverse(
                "crisis:report",
                args=[slug, row.crisis.pk, row.organisation.pk, row.period_start.isoformat()],
            ),
            due=timezone.localtime(row.deadline).date(),
            late=row.late,
        )
        for row in rows
    ]
    yield cut("report", label, lines, len(lines))
