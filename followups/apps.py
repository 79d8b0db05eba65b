from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Follow-up")

    def ready(self) -> None:
        from followups import audit  # noqa: F401  (registers models with auditlog)
