"""Django admin, for superusers only (day-to-day work happens in Samspill)."""

from __future__ import annotations

from django.contrib import admin

from routines import models


@admin.register(models.Routine)
class RoutineAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["number", "title", "agreement", "partnership", "next_review"]
    list_filter = ["partnership"]
    list_select_related = ["agreement", "partnership"]
    search_fields = ["title", "number"]


@admin.register(models.RoutineVersion)
class RoutineVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["routine", "label", "status", "in_force_from", "in_force_to"]
    list_filter = ["status"]
    list_select_related = ["routine"]


@admin.register(models.RoutineReview)
class RoutineReviewAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["routine", "reviewed_on", "outcome", "next_review"]
    list_filter = ["outcome"]
    list_select_related = ["routine"]
