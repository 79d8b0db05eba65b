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
    path("<int:pk>/tiltakskort/", dashboard_views.action_cards, name="action_cards"),
]
