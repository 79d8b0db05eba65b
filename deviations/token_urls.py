from __future__ import annotations

from django.urls import path

from deviations import token_views

urlpatterns = [
    path("api-nokler/", token_views.token_list, name="tokens"),
    path("api-nokler/ny/", token_views.token_create, name="token_create"),
    path("api-nokler/<int:pk>/trekk-tilbake/", token_views.token_revoke, name="token_revoke"),
]
