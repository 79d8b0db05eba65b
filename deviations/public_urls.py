from __future__ import annotations

from django.urls import path

from deviations import statistics_views

app_name = "public_deviations"

urlpatterns = [
    path("", statistics_views.public_statistics, name="statistics"),
]
