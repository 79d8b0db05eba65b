from __future__ import annotations

from django.urls import path

from councils import views

app_name = "councils"

urlpatterns = [
    path("", views.index, name="index"),
    path("saker/", views.case_list, name="cases"),
    path("saker/ny/", views.case_create, name="case_create"),
    path("saker/<int:pk>/", views.case_detail, name="case"),
    path("saker/<int:pk>/rediger/", views.case_edit, name="case_edit"),
    path("saker/<int:pk>/vedlegg/", views.add_attachment, name="add_attachment"),
    path("vedlegg/<int:pk>/", views.download_attachment, name="attachment"),
    path("vedlegg/<int:pk>/fjern/", views.remove_attachment, name="remove_attachment"),
    path("moter/<int:pk>/", views.meeting_detail, name="meeting"),
    path("moter/<int:pk>/saksliste.pdf", views.agenda_pdf, name="agenda_pdf"),
    path("moter/<int:pk>/protokoll.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("moter/<int:pk>/rediger/", views.meeting_edit, name="meeting_edit"),
    path("moter/<int:pk>/status/", views.meeting_status, name="meeting_status"),
    path("moter/<int:pk>/saksliste/", views.add_agenda_item, name="add_agenda_item"),
    path("saksliste/<int:pk>/fjern/", views.remove_agenda_item, name="remove_agenda_item"),
    path("saksliste/<int:pk>/flytt/", views.move_agenda_item, name="move_agenda_item"),
    path("saksliste/<int:pk>/vedtak/", views.decision, name="decision"),
    path("moter/<int:pk>/oppmote/", views.attendance, name="attendance"),
    path("moter/<int:pk>/protokoll/", views.minutes, name="minutes"),
    path("oppnevninger/<int:pk>/avslutt/", views.end_appointment, name="end_appointment"),
    path("<slug:council_slug>/", views.council_detail, name="council"),
    path("<slug:council_slug>/nytt-mote/", views.plan_meeting, name="plan_meeting"),
]
