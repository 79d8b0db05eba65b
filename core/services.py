"""Cross-cutting business rules: optimistic concurrency."""

from __future__ import annotations

import datetime as datetime_module
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from core.guard import check_instance
from core.models import VersionedModel
from core.own import Own


def error_text(error: Exception) -> str:
    """One line for the person from a refused change (validation or conflict)."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


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


HIDDEN_HISTORY_FIELDS = {"id", "version"}


@dataclass(frozen=True)
class HistoryEntry:
    timestamp: datetime
    actor: str | None
    action: str
    # (field label, before, after)
    changes: list[tuple[str, str, str]]


def history_for(instance: models.Model) -> list[HistoryEntry]:
    """The audit trail of one record, newest first, ready to show.

    Queries: the entries with their actors (one), plus one per foreign key
    that appears in the changes (to show names instead of ids) — a number
    fixed by the model, not by the length of the history.
    """
    from auditlog.models import LogEntry

    model = type(instance)
    entries = list(
        LogEntry.objects.get_for_object(instance).select_related("actor").order_by("-timestamp")
    )
    related_ids: dict[str, set[str]] = {}
    for entry in entries:
        for name, values in entry.changes_dict.items():
            field = _field(model, name)
            if field is not None and field.is_relation and field.many_to_one:
                related_ids.setdefault(name, set()).update(
                    str(v) for v in values if v not in (None, "None", "")
                )
    names: dict[str, dict[str, str]] = {}
    for name, pks in related_ids.items():
        related = _field(model, name).related_model  # type: ignore[union-attr]
        # A record the partnership names itself (an agreement, a council):
        # its name is the partnership's text, marked with its language.
        mark = Own if getattr(related, "names_are_own_text", False) else str
        names[name] = {str(o.pk): mark(str(o)) for o in related._default_manager.filter(pk__in=pks)}
    return [
        HistoryEntry(
            timestamp=entry.timestamp,
            actor=(entry.actor.get_full_name() or str(entry.actor)) if entry.actor else None,
            action=_action_label(entry.action),
            changes=[
                (
                    _label(model, name),
                    _display(model, name, before, names),
                    _display(model, name, after, names),
                )
                for name, (before, after) in entry.changes_dict.items()
                if name not in HIDDEN_HISTORY_FIELDS and _is_own_field(model, name)
            ],
        )
        for entry in entries
    ]


def _is_own_field(model: type[models.Model], name: str) -> bool:
    """auditlog also "diffs" reverse relations (other models' foreign keys to
    this one), whose value is only a manager's name: not worth showing."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return True  # a field since removed: its history still counts
    return bool(getattr(field, "concrete", False))


def _field(model: type[models.Model], name: str) -> Any:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # Reverse relations share the name space but are not columns.
    return field if getattr(field, "concrete", False) else None


# Names for fields that have no verbose name of their own (Django would
# show their Python name, in English).
_UNNAMED_FIELDS = {
    "created": gettext_lazy("created"),
    "position": pgettext_lazy("place in a list", "position"),
    "year": gettext_lazy("year"),
}
# Django 6.1's empty choice in every select has no bokmål or nynorsk text in
# Django's own catalogue; ours, read first, gives it one.
_DJANGO_UNTRANSLATED = [gettext_noop("- Select an option -")]


def _action_label(action: int) -> str:
    # auditlog's own words are not translated to Norwegian.
    from auditlog.models import LogEntry

    labels = {
        LogEntry.Action.CREATE: _("Created"),
        LogEntry.Action.UPDATE: _("Changed"),
        LogEntry.Action.DELETE: _("Deleted"),
    }
    return labels.get(action, _("Read"))


def _label(model: type[models.Model], name: str) -> str:
    """The field's name in the reader's language. A field without a
    verbose name of its own gets one Django makes from its Python name,
    which is English and untranslated: a relation is then named by the model
    it points to, anything else by the translated Python name."""
    field = _field(model, name)
    if field is None:
        return name
    if str(field.verbose_name) != field.name.replace("_", " "):
        return str(field.verbose_name)
    if field.is_relation and field.related_model is not None:
        return str(field.related_model._meta.verbose_name)
    return str(_UNNAMED_FIELDS.get(field.name, field.verbose_name))


def _display(
    model: type[models.Model], name: str, value: Any, names: dict[str, dict[str, str]]
) -> str:
    if value in (None, "None", ""):
        return "–"
    text = str(value)
    if name in names:
        return names[name].get(text, text)
    field = _field(model, name)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(text, text))
    if isinstance(field, (models.CharField, models.TextField)):
        return Own(text)  # what the partnership wrote
    return _when(field, text) if field is not None else text


def _when(field: models.Field[Any, Any], text: str) -> str:
    """Times in local time and dates and yes/no in the reader's language
    (auditlog stores them as Python writes them: UTC, ISO, True/False)."""
    from django.utils import formats, timezone
    from django.utils.dateparse import parse_date, parse_datetime

    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(text)
        if moment is None:
            return text
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, datetime_module.UTC)
        return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    if isinstance(field, models.DateField):
        day = parse_date(text)
        return formats.date_format(day, "SHORT_DATE_FORMAT") if day else text
    if isinstance(field, models.BooleanField):
        return {"True": _("Yes"), "False": _("No")}.get(text, text)
    return text
