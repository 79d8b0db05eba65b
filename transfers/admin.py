"""Django admin, for superusers only (day-to-day work happens in Samspill)."""

from __future__ import annotations

from django.contrib import admin

from transfers import models


@admin.register(models.TaskTransfer)
class TaskTransferAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "kind", "status", "from_party", "to_party", "partnership"]
    list_filter = ["partnership", "kind", "status"]
    list_select_related = ["from_party", "to_party", "partnership"]
    search_fields = ["title"]
