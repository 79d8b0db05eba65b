from __future__ import annotations

from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:partnership_slug>/", views.home, name="home"),
    path("<slug:partnership_slug>/helsefellesskap/", views.about, name="about"),
    path("<slug:partnership_slug>/samarbeidsavtaler/", views.agreements, name="agreements"),
    path("<slug:partnership_slug>/verktoy/", views.tools, name="tools"),
    path("<slug:partnership_slug>/tall-og-statistikk/", views.statistics, name="statistics"),
    path("<slug:partnership_slug>/kontakt/", views.contact, name="contact"),
]
