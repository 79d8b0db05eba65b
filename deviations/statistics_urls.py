from __future__ import annotations

from django.urls import path

from deviations import statistics_views

urlpatterns = [
    path("statistikk/", statistics_views.statistics_page, name="statistics"),
    path("eksport.csv", statistics_views.export_csv, name="export_csv"),
    path("eksport.xlsx", statistics_views.export_xlsx, name="export_xlsx"),
    path("kvartalsrapport/", statistics_views.quarterly_report, name="quarterly"),
]
