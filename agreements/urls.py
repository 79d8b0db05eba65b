from __future__ import annotations

from django.urls import path

from agreements import consultation_views, views

app_name = "agreements"

urlpatterns = [
    path("", views.index, name="index"),
    path("ny/", views.agreement_new, name="agreement_new"),
    path("<int:pk>/", views.agreement_page, name="agreement"),
    path("<int:pk>/rediger/", views.agreement_edit, name="agreement_edit"),
    path("<int:pk>/ny-versjon/", views.version_new, name="version_new"),
    path("<int:pk>/oppsigelse/", views.agreement_terminate, name="agreement_terminate"),
    path(
        "versjon/<int:pk>/helsedirektoratet/",
        views.version_directorate,
        name="version_directorate",
    ),
    path("versjon/<int:pk>/", views.version_page, name="version"),
    path("versjon/<int:pk>/videre/", views.version_move_on, name="version_move_on"),
    path("versjon/<int:pk>/sak/", views.version_case, name="version_case"),
    path("versjon/<int:pk>/purring/", views.version_remind, name="version_remind"),
    path("versjon/<int:pk>/horing/", consultation_views.open_round, name="consultation_new"),
    path("horing/<int:pk>/", consultation_views.consultation, name="consultation"),
    path("horing/<int:pk>/purring/", consultation_views.remind, name="consultation_remind"),
    path(
        "horing/<int:pk>/svar/<int:organisation_pk>/",
        consultation_views.answer,
        name="consultation_answer",
    ),
    path("horingssvar/<int:pk>/lest/", consultation_views.mark_read, name="answer_read"),
    path("dokument/<int:pk>/", views.document, name="document"),
    path("versjon/<int:pk>/punkt/ny/", views.clause_new, name="clause_new"),
    path(
        "versjon/<int:pk>/ratifisering/<int:organisation_pk>/",
        views.ratification,
        name="ratification",
    ),
    path("punkt/<int:pk>/", views.clause_edit, name="clause_edit"),
    path("punkt/<int:pk>/fjern/", views.clause_remove, name="clause_remove"),
]
