"""Last line of defence: no free text reaches the database with an identity number.

Forms and API schemas validate first and give the person a helpful message
(:mod:`core.forms`, :mod:`core.schemas`). This ``pre_save`` check covers every
other path — management commands, services called from tests, later imports —
for every model of Samspill's own apps. A model lists machine values that are
not free text (hashes, tokens) in ``identity_guard_exempt``; e-mail, URL and
slug fields and fields with choices are skipped by type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models.signals import pre_save

from core.validators import validate_no_identity_number

# Filled when the guard is connected: every installed app whose code lives in
# this project (not in site-packages), so a new app is covered by being installed.
OWN_APPS: set[str] = set()
_SKIPPED_TYPES = (models.EmailField, models.URLField, models.SlugField)
_fields_cache: dict[type[models.Model], list[str]] = {}


def free_text_fields(model: type[models.Model]) -> list[str]:
    cached = _fields_cache.get(model)
    if cached is not None:
        return cached
    exempt = set(getattr(model, "identity_guard_exempt", ()))
    names = [
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, _SKIPPED_TYPES)
        and not field.choices
        and field.name not in exempt
    ]
    _fields_cache[model] = names
    return names


def check_instance(instance: models.Model) -> None:
    for name in free_text_fields(type(instance)):
        validate_no_identity_number(getattr(instance, name))


def _on_pre_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    if sender._meta.app_label in OWN_APPS:
        check_instance(instance)


def own_app_labels() -> set[str]:
    root = Path(settings.BASE_DIR).resolve()
    return {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(root)
        and "site-packages" not in Path(config.path).parts
    }


def connect() -> None:
    OWN_APPS.update(own_app_labels())
    pre_save.connect(_on_pre_save, dispatch_uid="core.guard.identity_numbers")


def register_app(label: str) -> None:
    """Later apps (councils, deviations, …) add themselves to the guard."""
    if not apps.is_installed(label):
        raise LookupError(label)
    OWN_APPS.add(label)
