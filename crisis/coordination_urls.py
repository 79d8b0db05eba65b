"""Coordination pages of a crisis: meetings with a generated agenda, the
crisis log, resource requests."""

from __future__ import annotations

from django.urls import URLPattern, path

from crisis import coordination_views as views

urlpatterns: list[URLPattern] = [
    # One page: GET lists the meetings, POST generates one (two names, one view).
    path("<int:pk>/koordinering/", views.coordination_page, name="coordination"),
    path("<int:pk>/koordinering/", views.coordination_page, name="agenda_generate"),
    path("<int:pk>/logg/", views.log, name="log"),
    path("<int:pk>/logg/<int:entry_pk>/oppfolging/", views.log_followup, name="log_followup"),
    path("<int:pk>/ressurser/", views.request_list, name="requests"),
    path("<int:pk>/ressurser/ny/", views.request_new, name="request_new"),
    path("<int:pk>/ressurser/<int:rpk>/", views.request_detail, name="request"),
    path("<int:pk>/ressurser/<int:rpk>/steg/", views.request_step, name="request_step"),
]
