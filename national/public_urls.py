from __future__ import annotations

from django.urls import path

from national import views

app_name = "national_public"

urlpatterns = [
    path("", views.public_index, name="index"),
    path("<int:year>/", views.public_year, name="year"),
    path("<int:year>/csv/", views.public_csv, name="csv"),
    path("<int:year>/<slug:identifier>.json", views.public_file, name="file"),
    path("<int:year>/<str:kind>/<slug:key>/", views.public_figure, name="figure"),
]
