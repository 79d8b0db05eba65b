"""URL list (filled by its part of the module)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
