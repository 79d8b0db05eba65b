from __future__ import annotations

from django.urls import path

from plans import public_views

app_name = "public_plans"

urlpatterns = [
    path("", public_views.index, name="index"),
    path("<int:pk>/", public_views.plan_page, name="plan"),
    path("tiltak/<int:pk>/", public_views.measure_page, name="measure"),
    path("prosjekter/", public_views.projects, name="projects"),
    path("prosjekter/<int:pk>/", public_views.project_page, name="project"),
]
