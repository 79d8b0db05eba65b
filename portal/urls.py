from __future__ import annotations

from django.urls import path

from indicators import public_views as indicator_views
from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    # Before "<slug>/": the pages about the whole service. (A partnership
    # cannot be named "tilgjengelighet" or "personvern" without losing its
    # front page to these: partnerships.validators.RESERVED_SLUGS should say so.)
    path("tilgjengelighet/", views.accessibility, name="accessibility"),
    path("personvern/", views.privacy, name="privacy"),
    path("<slug:partnership_slug>/", views.home, name="home"),
    path("<slug:partnership_slug>/helsefellesskap/", views.about, name="about"),
    path("<slug:partnership_slug>/verktoy/", views.tools, name="tools"),
    # The page is the indicators app's (its pages below it are too).
    path(
        "<slug:partnership_slug>/tall-og-statistikk/",
        indicator_views.index,
        name="statistics",
    ),
    path("<slug:partnership_slug>/kontakt/", views.contact, name="contact"),
    path(
        "<slug:partnership_slug>/tilgjengelighet/",
        views.accessibility,
        name="partnership_accessibility",
    ),
    path("<slug:partnership_slug>/personvern/", views.privacy, name="partnership_privacy"),
]
