"""Django admin, for superusers only (day-to-day work happens in Samspill)."""

from __future__ import annotations

from django.contrib import admin

from agreements import models


@admin.register(models.AgreementLevel)
class AgreementLevelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "partnership", "ratified", "position"]
    list_filter = ["partnership"]


@admin.register(models.Agreement)
class AgreementAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["number", "title", "level", "partnership", "all_parties"]
    list_filter = ["partnership", "level"]
    search_fields = ["title", "number"]


@admin.register(models.AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["agreement", "label", "status", "in_force_from", "in_force_to"]
    list_filter = ["status"]
    list_select_related = ["agreement"]


@admin.register(models.Ratification)
class RatificationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["agreement_version", "organisation", "outcome", "meeting_date"]
    list_filter = ["outcome"]
    list_select_related = ["agreement_version__agreement", "organisation"]
