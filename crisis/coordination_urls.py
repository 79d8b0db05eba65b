"""Coordination pages of a crisis: meetings with a generated agenda, the
crisis log, resource requests."""

from __future__ import annotations

from django.urls import URLPattern, path

from crisis import agenda_views, log_views, resource_views

urlpatterns: list[URLPattern] = [
    # One page: GET lists the meetings, POST generates one (two names, one view).
    path("<int:pk>/koordinering/", agenda_views.coordination_page, name="coordination"),
    path("<int:pk>/koordinering/", agenda_views.coordination_page, name="agenda_generate"),
    path("<int:pk>/logg/", log_views.log, name="log"),
    path("<int:pk>/logg/<int:entry_pk>/oppfolging/", log_views.log_followup, name="log_followup"),
    path("<int:pk>/ressurser/", resource_views.request_list, name="requests"),
    path("<int:pk>/ressurser/ny/", resource_views.request_new, name="request_new"),
    path("<int:pk>/ressurser/<int:rpk>/", resource_views.request_detail, name="request"),
    path("<int:pk>/ressurser/<int:rpk>/steg/", resource_views.request_step, name="request_step"),
]
