from __future__ import annotations

from django.urls import path

from transfers import views

app_name = "transfers"

urlpatterns = [
    path("", views.index, name="index"),
    path("forslag/ny/", views.propose, name="propose"),
    path("uavtalt/ny/", views.register, name="register"),
    path("<int:pk>/", views.transfer_page, name="transfer"),
    path("<int:pk>/rediger/", views.edit, name="edit"),
    path(
        "<int:pk>/konsekvensvurdering/<int:organisation_pk>/",
        views.assessment,
        name="assessment",
    ),
    path("<int:pk>/horing/", views.consultation, name="consultation"),
    path("<int:pk>/sak/", views.case, name="case"),
    path("<int:pk>/utfall/", views.outcome, name="outcome"),
    path("<int:pk>/trekk/", views.withdraw, name="withdraw"),
]
