from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    name = "councils"
    verbose_name = _("Councils and meetings")

    def ready(self) -> None:
        from councils import audit  # noqa: F401  (registers models with auditlog)
