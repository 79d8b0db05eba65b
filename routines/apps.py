from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutinesConfig(AppConfig):
    name = "routines"
    verbose_name = _("Cooperation routines")

    def ready(self) -> None:
        from routines import audit  # noqa: F401  (registers models with auditlog)
