"""The shared situational picture, the partnership level and the action cards."""

from __future__ import annotations

from django.urls import URLPattern, path

from crisis import dashboard_views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/situasjon/", dashboard_views.dashboard_page, name="dashboard"),
    path(
        "<int:pk>/situasjon/niva/",
        dashboard_views.declare_partnership_level,
        name="declare_partnership_level",
    ),
    path(
        "<int:pk>/situasjon/gruppe/<int:key>/",
        dashboard_views.dashboard_group,
        name="dashboard_group",
    ),
    path("<int:pk>/situasjon/behov/", dashboard_views.dashboard_texts, name="dashboard_texts"),
    path(
        "<int:pk>/situasjon/tabell/<slug:key>/",
        dashboard_views.dashboard_table,
        name="dashboard_table",
    ),
    path("<int:pk>/situasjon/pdf/", dashboard_views.dashboard_pdf, name="dashboard_pdf"),
    path("<int:pk>/tiltakskort/", dashboard_views.action_cards, name="action_cards"),
]
