"""The crises and the parties' reports. A report's address names the crisis,
the party and the first day of the period (``yyyy-mm-dd``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from crisis import views

REPORT = "<int:pk>/rapport/<int:org_pk>/<str:day>/"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("ny/", views.open_crisis, name="open"),
    path("<int:pk>/", views.crisis_page, name="crisis"),
    path("<int:pk>/avslutt/", views.stand_down, name="stand_down"),
    path(REPORT, views.report_form, name="report"),
    path(f"{REPORT}ingen-endring/", views.no_change, name="no_change"),
    path(f"{REPORT}vis/", views.report_view, name="report_view"),
    path(f"{REPORT}niva/", views.declare_level, name="declare_level"),
    path(f"{REPORT}lås-opp/", views.unlock, name="unlock"),
]
