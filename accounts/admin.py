from __future__ import annotations

from django.contrib import admin

from accounts.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["full_name", "email", "is_active", "is_superuser"]
    search_fields = ["full_name", "email"]
    exclude = ["password"]
