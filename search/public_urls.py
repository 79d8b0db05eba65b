from __future__ import annotations

from django.urls import path

from search import views

app_name = "public_search"

urlpatterns = [
    path("", views.public_search, name="search"),
]
