from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeviationsConfig(AppConfig):
    name = "deviations"
    verbose_name = _("Deviations")

    def ready(self) -> None:
        from deviations import audit  # noqa: F401  (registers models with auditlog)
