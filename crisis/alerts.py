"""Telling the coordination group when a level changes: a party's level
that counts moved from its previous report's, or the partnership's level
moved with it. A notification carries a headline and a link to the
period's picture, nothing more.

The partnership's level here is its state now: the highest level that
counts among every party's latest submitted report of the last few periods
(a party keeps its level until it reports again), so the first low report of
a new week does not read as a fall. It is only looked at when the party's
own level moved (otherwise the partnership's cannot have), under a lock per
crisis on PostgreSQL, so two parties changing at once are compared in turn.

People told: the crisis's coordination group (its council's current
members), or, without one, the partnership's secretariat.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crisis import figures, levels, periods
from crisis.models import Crisis, Report

# A party's level is carried for this many periods after its last report.
CARRIED = 4


def level_submitted(crisis: Crisis, report: Report, before: int | None) -> int:
    """After ``report`` was submitted (inside its transaction): tell the
    coordination group if its party's level, or the partnership's, changed
    from ``before`` (the party's level before this submit). Returns how
    many notifications were recorded. No query when the level is unchanged."""
    now = levels.counting(report.declared_level, report.computed_level)
    if now == before or (before is None and (now or 1) == 1):
        # Unchanged; or a party's first report at the lowest level, which
        # cannot raise a partnership level anyone had.
        return 0
    start = report.period_start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [figures.lock_key(crisis.pk, start, -1)]
            )
    others = _others(crisis, report)
    whole_before = levels.partnership_level([*others, before])
    whole_now = levels.partnership_level([*others, now])
    headlines = []
    if before is not None:
        headlines.append(
            _("%(crisis)s: %(party)s went from level %(before)d to %(now)d")
            % {
                "crisis": crisis.name,
                "party": report.organisation.name,
                "before": before,
                "now": now or 0,
            }
        )
    if whole_before is not None and whole_now != whole_before:
        headlines.append(
            _("%(crisis)s: the partnership's computed level went from %(before)d to %(now)d")
            % {"crisis": crisis.name, "before": whole_before, "now": whole_now or 0}
        )
    if not headlines:
        return 0
    return _notify(crisis, start, " · ".join(headlines))


def _others(crisis: Crisis, report: Report) -> list[int | None]:
    """The level that counts in every other party's latest submitted report
    of the last periods up to this one (one query)."""
    since = report.period_start - periods.length(crisis.form) * CARRIED
    latest: dict[int, tuple[datetime.date, int | None]] = {}
    for organisation_id, day, computed, declared in (
        Report.objects.filter(
            crisis=crisis,
            status=Report.Status.SUBMITTED,
            period_start__gte=since,
            period_start__lte=report.period_start,
        )
        .exclude(organisation_id=report.organisation_id)
        .values_list("organisation_id", "period_start", "computed_level", "declared_level")
    ):
        if organisation_id not in latest or latest[organisation_id][0] < day:
            latest[organisation_id] = (day, levels.counting(declared, computed))
    return [level for _day, level in latest.values()]


def _people(crisis: Crisis) -> list[Any]:
    """The coordination group's members today, or the secretariat's people."""
    if crisis.council_id:
        from councils.models import Appointment

        seats = (
            Appointment.objects.current(timezone.localdate())
            .filter(council_id=crisis.council_id, person__is_active=True)
            .select_related("person")
        )
        return list({seat.person_id: seat.person for seat in seats}.values())
    from partnerships.models import PartnershipRole

    roles = (
        PartnershipRole.objects.current()
        .filter(
            partnership_id=crisis.partnership_id,
            role=PartnershipRole.Role.SECRETARIAT,
            user__is_active=True,
        )
        .select_related("user")
    )
    return list({role.user_id: role.user for role in roles}.values())


def _notify(crisis: Crisis, start: datetime.date, headline: str) -> int:
    from notifications.models import Notification
    from notifications.services import notify

    url = reverse("crisis:dashboard", args=[crisis.partnership.slug, crisis.pk])
    return notify(
        Notification.Kind.CRISIS_LEVEL,
        _people(crisis),
        partnership=crisis.partnership,
        headline=headline,
        path=f"{url}?period={start.isoformat()}",
    )
