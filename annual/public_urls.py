from __future__ import annotations

from django.urls import path

from annual import views

app_name = "public_annual"

urlpatterns = [
    path("", views.public_index, name="index"),
    path("<int:year>/", views.public_report, name="report"),
    path("<int:year>/pdf/", views.public_pdf, name="pdf"),
    path("<int:year>/docx/", views.public_docx, name="docx"),
]
