from __future__ import annotations

from django.urls import path

from routines import views

app_name = "routines"

urlpatterns = [
    path("", views.index, name="index"),
    path("ny/", views.routine_new, name="routine_new"),
    path("<int:pk>/", views.routine_page, name="routine"),
    path("<int:pk>/rediger/", views.routine_edit, name="routine_edit"),
    path("<int:pk>/ny-versjon/", views.version_new, name="version_new"),
    path("<int:pk>/gjennomgang/", views.review_new, name="review_new"),
    path("versjon/<int:pk>/", views.version_page, name="version"),
    path("versjon/<int:pk>/rediger/", views.version_edit, name="version_edit"),
    path("versjon/<int:pk>/i-kraft/", views.version_in_force, name="version_in_force"),
]
