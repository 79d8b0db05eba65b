"""Django admin, for superusers only (day-to-day work happens in Samspill)."""

from __future__ import annotations

from django.contrib import admin

from partnerships import models


@admin.register(models.Partnership)
class PartnershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "slug", "content_language", "is_demo"]


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "kind", "organisation_number", "municipality_number"]
    list_filter = ["kind"]
    search_fields = ["name", "organisation_number", "municipality_number"]


@admin.register(models.Participation)
class ParticipationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["organisation", "partnership", "role", "region", "valid_from", "valid_to"]
    list_filter = ["partnership", "role"]
    list_select_related = ["organisation", "partnership", "region"]


@admin.register(models.PartnershipRole)
class PartnershipRoleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "partnership", "role", "valid_from", "valid_to"]
    list_select_related = ["user", "partnership"]
    autocomplete_fields = ["user"]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "organisation", "role", "valid_from", "valid_to"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user"]


admin.site.register(models.Region)
admin.site.register(models.HospitalArea)
admin.site.register(models.Contact)
admin.site.register(models.Population)
