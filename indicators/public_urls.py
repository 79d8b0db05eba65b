from __future__ import annotations

from django.urls import path

from indicators import public_views

app_name = "public_indicators"

urlpatterns = [
    path("kommune/<str:number>/", public_views.kommune_page, name="kommune"),
    path("<slug:code>/", public_views.indicator_page, name="indicator"),
    path("<slug:code>/csv/", public_views.indicator_csv, name="csv"),
    path("<slug:code>/json-stat2/", public_views.indicator_json_stat, name="json_stat2"),
]
