from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "transfers"
    verbose_name = _("Task transfers")

    def ready(self) -> None:
        from transfers import audit  # noqa: F401  (registers models with auditlog)
