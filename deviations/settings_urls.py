"""The secretariat's deviation settings, under ``/<slug>/intern/avvik/``."""

from __future__ import annotations

from django.urls import path

from deviations import settings_views as views

urlpatterns = [
    path("innstillinger/", views.settings_page, name="settings"),
    path(
        "innstillinger/kategorier/ny/",
        views.add,
        {"kind": "category"},
        name="settings_category_add",
    ),
    path(
        "innstillinger/kategorier/<int:pk>/",
        views.edit,
        {"kind": "category"},
        name="settings_category",
    ),
    path(
        "innstillinger/kategorier/<int:pk>/slett/",
        views.delete,
        {"kind": "category"},
        name="settings_category_delete",
    ),
    path(
        "innstillinger/retningslinjer/ny/",
        views.add,
        {"kind": "guideline"},
        name="settings_guideline_add",
    ),
    path(
        "innstillinger/retningslinjer/<int:pk>/",
        views.edit,
        {"kind": "guideline"},
        name="settings_guideline",
    ),
    path(
        "innstillinger/retningslinjer/<int:pk>/slett/",
        views.delete,
        {"kind": "guideline"},
        name="settings_guideline_delete",
    ),
]
