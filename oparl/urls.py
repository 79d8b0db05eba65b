from __future__ import annotations

from django.urls import path

from oparl import views

app_name = "oparl"

urlpatterns = [
    path("", views.system, name="system"),
    path("body/", views.body_list, name="bodies"),
    path("body/<slug:slug>/", views.body, name="body"),
    path("body/<slug:slug>/<str:name>/", views.body_list_of, name="list"),
    path("body/<slug:slug>/<str:name>/<str:key>/", views.object_page, name="object"),
]
