"""The Django admin behind Samspill's own log-in.

The admin's password form would be a way in without the second factor and
without the log-in throttle. Here it has none: its log-in page sends people to
Samspill's log-in (password, throttle, two-factor), and a session counts for
the admin only when it is verified with a second factor.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


def is_verified(user: Any) -> bool:
    # Imported late: this module is loaded with the app list, before models.
    from accounts.services import is_verified as verified

    return verified(user)


class SamspillAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and is_verified(request.user)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if self.has_permission(request):
            return redirect(reverse("admin:index", current_app=self.name))
        if request.user.is_authenticated and is_verified(request.user):
            # Logged in properly, but not an administrator.
            raise PermissionDenied
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect(reverse("accounts:login") + "?" + urlencode({"next": target}))


class SamspillAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.SamspillAdminSite"
