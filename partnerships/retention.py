"""Partnerships' retention rule (see :mod:`core.retention`): people who left.

A person whose every role has ended — memberships of parties, partnership
roles (secretariat, administrator) and whatever the apps above register as
role tables (councils: seats) — has no more use for a log-in.
``SAMSPILL_RETAIN_LEFT_PEOPLE_DAYS`` after the last of them ended, the
account is deactivated: it can no longer log in (nor reset its password, nor
use its calendar link), its password and second factors are removed and its
sessions ended. The account itself stays, with the person's name: records
point at it (who reported a deviation, recorded a decision, sat in a
council), and the history must still say who did what. The audit trail
records the deactivation and each device removed.

Left alone: people who never held a role (an operator's account, a person
invited but not yet in), and superusers and staff of the Django admin, whose
access is the operator's to end.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCodeDevice, User
from accounts.services import end_sessions
from core.retention import Context, role_table, role_tables, rule
from partnerships.models import Membership, PartnershipRole

role_table(Membership, "user")
role_table(PartnershipRole, "user")


def people_who_left(on: datetime.date, days: int) -> QuerySet[User]:
    """Active people with a role once and none that ended less than ``days``
    days before ``on`` (or that still holds, or starts later). One query."""
    last_day = on - datetime.timedelta(days=days)
    recent = Q(valid_to__isnull=True) | Q(valid_to__gt=last_day)
    people = User.objects.filter(is_active=True, is_superuser=False, is_staff=False)
    had_role = Q(pk__in=[])
    for model, person_field in role_tables():
        people = people.exclude(pk__in=model._default_manager.filter(recent).values(person_field))
        had_role |= Q(pk__in=model._default_manager.values(person_field))
    return people.filter(had_role)


@rule(
    "partnerships.left_people",
    "People whose every role has ended lose their log-in; their name stays on what they did.",
    setting="SAMSPILL_RETAIN_LEFT_PEOPLE_DAYS",
)
def left_people(context: Context) -> int:
    people = people_who_left(
        timezone.localdate(context.now), settings.SAMSPILL_RETAIN_LEFT_PEOPLE_DAYS
    )
    if context.dry_run:
        return people.count()
    count = 0
    for person in people:
        person.is_active = False
        person.set_unusable_password()
        person.save(update_fields=["is_active", "password"])
        for model in (TOTPDevice, RecoveryCodeDevice):
            for device in model.objects.filter(user=person):
                device.delete()
        end_sessions(person)
        count += 1
    return count
