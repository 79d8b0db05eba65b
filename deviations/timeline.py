"""The key moments of a deviation, for the timeline on its page.

Built from what the deviation records itself — reported, received, first
answered, answered again after a reopening, closed — with the measures
followed up and the case it was taken to. No queries: the detail page has
already read the follow-ups and the case (``get_deviation`` joins it). The
steps the model keeps no time for (under handling, reopened) are not shown.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from deviations.models import Deviation


@dataclass(frozen=True)
class Moment:
    at: datetime.datetime
    label: str
    detail: str = ""


def moments(deviation: Deviation, followups: Iterable[Any] = ()) -> list[Moment]:
    """The moments in the order they happened (a draft has none)."""
    found: list[Moment] = []
    if deviation.submitted_at is not None:
        found.append(
            Moment(
                deviation.submitted_at,
                _("Reported"),
                _("by %(reporter)s to %(receiver)s")
                % {
                    "reporter": deviation.reporting_organisation.name,
                    "receiver": deviation.receiving_organisation.name,
                },
            )
        )
    if deviation.received_at is not None:
        found.append(Moment(deviation.received_at, _("Received")))
    first = deviation.first_answered_at or deviation.answered_at
    if first is not None:
        found.append(Moment(first, _("Answered")))
    if deviation.answered_at is not None and deviation.answered_at != first:
        found.append(Moment(deviation.answered_at, _("Answered again after reopening")))
    for followup in followups:
        found.append(Moment(followup.created, _("Measure followed up"), followup.title))
    case = deviation.escalated_case
    if case is not None:
        found.append(
            Moment(
                case.created,
                _("Taken to a council"),
                _("Case %(number)s") % {"number": case.number} if case.number else "",
            )
        )
    if deviation.closed_at is not None:
        found.append(Moment(deviation.closed_at, _("Closed")))
    return sorted(found, key=lambda moment: moment.at)
