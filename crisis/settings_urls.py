"""The secretariat's crisis settings under ``/<slug>/intern/krise/innstillinger/``:
indicators, report forms, their lines and their cross-field rules."""

from __future__ import annotations

from django.urls import URLPattern, path

from crisis import settings_views as views

BASE = "innstillinger/"
FORM = f"{BASE}skjema/<int:pk>/"
LINE = f"{FORM}linjer/<int:line_pk>/"

urlpatterns: list[URLPattern] = [
    path(BASE, views.settings_page, name="settings"),
    path(f"{BASE}covid-19/", views.install_covid, name="settings_install_covid"),
    path(f"{BASE}indikatorer/ny/", views.indicator_add, name="settings_indicator_add"),
    path(f"{BASE}indikatorer/<int:pk>/", views.indicator_edit, name="settings_indicator"),
    path(
        f"{BASE}indikatorer/<int:pk>/slett/",
        views.indicator_delete,
        name="settings_indicator_delete",
    ),
    path(f"{BASE}skjema/ny/", views.form_add, name="settings_form_add"),
    path(FORM, views.form_edit, name="settings_form"),
    path(f"{FORM}slett/", views.form_delete, name="settings_form_delete"),
    path(f"{FORM}linjer/ny/", views.line_add, name="settings_line_add"),
    path(LINE, views.line_edit, name="settings_line"),
    path(f"{LINE}flytt/", views.line_move, name="settings_line_move"),
    path(f"{LINE}fjern/", views.line_remove, name="settings_line_remove"),
    path(f"{FORM}regler/ny/", views.rule_add, name="settings_rule_add"),
    path(f"{FORM}regler/<int:rule_pk>/fjern/", views.rule_remove, name="settings_rule_remove"),
]
