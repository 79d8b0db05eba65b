from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepresentationConfig(AppConfig):
    name = "representation"
    verbose_name = _("Representation")

    def ready(self) -> None:
        from representation import audit  # noqa: F401  (registers models with auditlog)
