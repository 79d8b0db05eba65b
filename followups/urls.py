from __future__ import annotations

from django.urls import path

from followups import views

app_name = "followups"

urlpatterns = [
    path("", views.followup_list, name="list"),
    path("ny/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/rediger/", views.edit, name="edit"),
    path("<int:pk>/logg/", views.add_log, name="log"),
    path("<int:pk>/status/", views.change_status, name="status"),
]
