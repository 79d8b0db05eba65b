"""Django admin, for superusers only: the scheduled jobs' runs (read only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core import models


@admin.register(models.JobRun)
class JobRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["job", "period", "outcome", "host", "started_at", "finished_at"]
    list_filter = ["outcome", "job"]
    search_fields = ["job", "period", "host"]
    readonly_fields = ["job", "period", "host", "started_at", "finished_at", "outcome", "output"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
