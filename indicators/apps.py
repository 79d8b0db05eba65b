from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Facts and figures")

    def ready(self) -> None:
        from indicators import audit  # noqa: F401  (registers models with auditlog)
        from indicators.catalogue import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="indicators.catalogue")
