from __future__ import annotations

from django.urls import path

from calendars import public_views

app_name = "public_calendars"

urlpatterns = [
    path("", public_views.feed_index, name="index"),
    path("<slug:council_slug>.ics", public_views.council_feed, name="council"),
]
