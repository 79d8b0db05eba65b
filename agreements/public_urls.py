from __future__ import annotations

from django.urls import path

from agreements import public_views

app_name = "public_agreements"

urlpatterns = [
    path("", public_views.register, name="register"),
    # Before "<slug>/": an agreement given the address "dekning" would lose
    # its page to the coverage page.
    path("dekning/", public_views.coverage, name="coverage"),
    path("<slug:agreement_slug>/", public_views.agreement_page, name="agreement"),
    path(
        "<slug:agreement_slug>/versjon/<int:pk>/",
        public_views.version_page,
        name="version",
    ),
    path(
        "<slug:agreement_slug>/versjon/<int:pk>.pdf",
        public_views.version_pdf,
        name="version_pdf",
    ),
]
