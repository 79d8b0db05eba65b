"""Cross-cutting business rules: optimistic concurrency."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from core.guard import check_instance
from core.models import VersionedModel


class EditConflict(Exception):
    """Someone else saved the record after this person started editing it."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            _(
                "Someone else changed this while you were editing it. Your text is kept "
                "below; compare with the current version and save again."
            )
        )
        self.current_version = current_version


def save_versioned(
    instance: VersionedModel, expected_version: int, fields: Iterable[str]
) -> VersionedModel:
    """Save ``fields`` only if the row is still at ``expected_version``.

    One conditional UPDATE does the compare-and-set, so it is safe without
    locks on both SQLite and PostgreSQL. The audit log and the identity guard
    see the change because the row is saved through ``save()`` after the check.
    """
    model = type(instance)
    field_list = list(fields)
    check_instance(instance)
    with transaction.atomic():
        updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not updated:
            current = model._default_manager.filter(pk=instance.pk).values_list(
                "version", flat=True
            )
            raise EditConflict(current.first() or 0)
        instance.version = expected_version + 1
        instance.save(update_fields=[*field_list, "version"])
    return instance


def history_for(instance: models.Model) -> models.QuerySet:  # type: ignore[type-arg]
    """The audit trail of one record, newest first, with the actor loaded
    (one query for the entries and their actors together)."""
    from auditlog.models import LogEntry

    return LogEntry.objects.get_for_object(instance).select_related("actor").order_by("-timestamp")
