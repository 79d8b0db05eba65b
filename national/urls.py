from __future__ import annotations

from django.urls import path

from national import views

app_name = "national"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("deltakelse/", views.sharing, name="sharing"),
    path("publiser/", views.publish, name="publish"),
    path("importer/", views.import_file, name="import"),
    path("<int:pk>/trekk-tilbake/", views.withdraw, name="withdraw"),
]
