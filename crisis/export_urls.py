"""The exports of a crisis (CSV and DHIS2 JSON), spliced into ``crisis/urls.py``."""

from __future__ import annotations

from django.urls import path

from crisis import export_views

urlpatterns = [
    path("<int:pk>/eksport.csv", export_views.export_csv, name="export_csv"),
    path("<int:pk>/dhis2.json", export_views.export_dhis2, name="export_dhis2"),
]
