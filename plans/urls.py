from __future__ import annotations

from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("", views.index, name="index"),
    path("ny/", views.plan_new, name="plan_new"),
    path("<int:pk>/rediger/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/mal/ny/", views.goal_new, name="goal_new"),
    path("mal/<int:pk>/rediger/", views.goal_edit, name="goal_edit"),
    path("mal/<int:pk>/tiltak/ny/", views.measure_new, name="measure_new"),
    path("tiltak/<int:pk>/rediger/", views.measure_edit, name="measure_edit"),
    path("prosjekter/", views.projects, name="projects"),
    path("prosjekter/ny/", views.project_new, name="project_new"),
    path("prosjekter/<int:pk>/", views.project_page, name="project"),
    path("prosjekter/<int:pk>/rediger/", views.project_edit, name="project_edit"),
    path("prosjekter/<int:pk>/statusrapport/", views.project_report, name="project_report"),
    path("<int:pk>/", views.plan_page, name="plan"),
    path("tiltak/<int:pk>/", views.measure_page, name="measure"),
    path("tiltak/<int:pk>/framdrift/", views.report, name="report"),
]
