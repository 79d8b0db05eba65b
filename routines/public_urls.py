from __future__ import annotations

from django.urls import path

from routines import public_views

app_name = "public_routines"

urlpatterns = [
    path("", public_views.index, name="index"),
    path("<slug:routine_slug>/", public_views.routine_page, name="routine"),
]
