from __future__ import annotations

from django.urls import path

from partnerships import views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("personer/", views.people, name="people"),
    path("personer/eksport.xlsx", views.people_export, name="people_export"),
    path("personer/inviter/", views.invite, name="invite"),
    path("medlemskap/<int:pk>/", views.membership_detail, name="membership"),
    path("invitasjoner/<int:pk>/trekk-tilbake/", views.revoke_invitation, name="revoke_invitation"),
    path("roller/", views.roles, name="roles"),
    path("roller/<int:pk>/avslutt/", views.revoke_role, name="revoke_role"),
    path("parter/", views.organisations, name="organisations"),
    path("parter/<int:pk>/", views.organisation_detail, name="organisation"),
    path("parter/<int:pk>/kontakt/", views.edit_contact, name="edit_contact"),
]
