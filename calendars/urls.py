from __future__ import annotations

from django.urls import path, re_path

from calendars import views

app_name = "calendars"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("ny-lenke/", views.create_link, name="create"),
    path("opphev-lenke/", views.revoke_link, name="revoke"),
    # Tokens are URL-safe base64 (secrets.token_urlsafe).
    re_path(r"^(?P<token>[A-Za-z0-9_-]{20,128})\.ics$", views.personal_feed, name="feed"),
]
