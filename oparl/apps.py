from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OparlConfig(AppConfig):
    name = "oparl"
    verbose_name = _("Open data (OParl)")

    def ready(self) -> None:
        from oparl import signals

        signals.connect()
