from __future__ import annotations

from django.urls import path

from deviations import reporting_views, settings_urls, statistics_urls, token_urls, views

app_name = "deviations"

urlpatterns = [
    path("", views.deviation_list, name="list"),
    path("ny/", views.report, name="report"),
    path("meldere/", reporting_views.reporting_rights, name="reporting_rights"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/rediger/", views.edit_draft, name="edit"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("<int:pk>/svar/", views.answer, name="answer"),
    path("<int:pk>/melding/", views.message, name="message"),
    path("<int:pk>/tildel/", views.assign, name="assign"),
    path("<int:pk>/til-rad/", views.escalate, name="escalate"),
    path("<int:pk>/tiltak/", views.measure, name="measure"),
    *statistics_urls.urlpatterns,
    *settings_urls.urlpatterns,
    *token_urls.urlpatterns,
]
