from __future__ import annotations

from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.upload, name="upload"),
    path("import/<int:pk>/", views.batch_page, name="batch"),
    path("import/<int:pk>/lagre/", views.batch_apply, name="batch_apply"),
    path("import/<int:pk>/forkast/", views.batch_discard, name="batch_discard"),
    path("<slug:code>/", views.indicator_page, name="indicator"),
]
