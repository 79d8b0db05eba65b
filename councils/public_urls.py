from __future__ import annotations

from django.urls import path

from councils import public_views

app_name = "public_councils"

urlpatterns = [
    path("", public_views.council_list, name="list"),
    path("saker/<int:pk>/", public_views.case_page, name="case"),
    path("vedlegg/<int:pk>/", public_views.attachment, name="attachment"),
    path("<slug:council_slug>/", public_views.council_page, name="council"),
    path("<slug:council_slug>/moter/<int:pk>/", public_views.meeting_page, name="meeting"),
    path(
        "<slug:council_slug>/moter/<int:pk>/saksliste.pdf",
        public_views.agenda_pdf,
        name="agenda_pdf",
    ),
    path(
        "<slug:council_slug>/moter/<int:pk>/protokoll.pdf",
        public_views.minutes_pdf,
        name="minutes_pdf",
    ),
    path(
        "<slug:council_slug>/moter/<int:pk>/einnsyn.json",
        public_views.einnsyn,
        name="einnsyn",
    ),
    path(
        "<slug:council_slug>/moter/<int:pk>/protokoll/",
        public_views.minutes_page,
        name="minutes",
    ),
]
