from __future__ import annotations

from django.urls import path

from representation import views

app_name = "representation"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("innspill/", views.requests, name="requests"),
    path("innspill/<int:pk>/", views.round_detail, name="round"),
    path("innspill/<int:pk>/svar/", views.answer, name="answer"),
    path("innspill/<int:pk>/lukk/", views.close_round, name="close_round"),
    path("tilbakemeldinger/", views.reports, name="reports"),
    path("rad/<slug:council_slug>/", views.council_overview, name="council"),
    path("mote/<int:pk>/", views.meeting_overview, name="meeting"),
    path("mote/<int:pk>/innspill/ny/", views.open_round, name="open_round"),
    path("mote/<int:pk>/tilbakemelding/<int:seat>/", views.report, name="report"),
    path("mote/<int:pk>/tilbakemelding/<int:seat>/ferdig/", views.report_done, name="report_done"),
    path(
        "mote/<int:pk>/tilbakemelding/<int:seat>/tekst.txt",
        views.report_text,
        name="report_text",
    ),
]
