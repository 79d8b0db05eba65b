from __future__ import annotations

from django.urls import path

from deviations import loop_views, statistics_views

urlpatterns = [
    path("statistikk/", statistics_views.statistics_page, name="statistics"),
    path("eksport.csv", statistics_views.export_csv, name="export_csv"),
    path("eksport.xlsx", statistics_views.export_xlsx, name="export_xlsx"),
    path("kvartalsrapport/", statistics_views.quarterly_report, name="quarterly"),
    path("statistikk/sak/", loop_views.trend_case, name="trend_case"),
    path("trendsak/<int:pk>/oppfolging/", loop_views.trend_followup, name="trend_followup"),
]
