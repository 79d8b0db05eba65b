from __future__ import annotations

from django.urls import path

from annual import views

app_name = "annual"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.report_page, name="report"),
    path("<int:year>/tekst/", views.texts, name="texts"),
    path("<int:year>/sak/", views.send, name="send"),
    path("<int:year>/vedtatt/", views.adopt, name="adopt"),
    path("<int:year>/pdf/", views.report_pdf, name="pdf"),
    path("<int:year>/docx/", views.report_docx, name="docx"),
]
