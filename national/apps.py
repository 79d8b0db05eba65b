from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalConfig(AppConfig):
    name = "national"
    verbose_name = _("National comparison")

    def ready(self) -> None:
        from national import audit  # noqa: F401  (registers models with auditlog)
