from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import sso_views, views
from partnerships import views as partnership_views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("start/", views.start, name="start"),
    path("logg-inn/", views.login_view, name="login"),
    path("logg-ut/", views.logout_view, name="logout"),
    path("logget-ut/", sso_views.logged_out, name="logged_out"),
    path("sso/<slug:key>/", sso_views.sso_start, name="sso_start"),
    path("sso/<slug:key>/svar/", sso_views.sso_callback, name="sso_callback"),
    path("tofaktor/kode/", views.two_factor_verify, name="two_factor_verify"),
    path("tofaktor/oppsett/", views.two_factor_setup, name="two_factor_setup"),
    path("tofaktor/gjenoppretting/", views.recovery_login, name="recovery_login"),
    path("tofaktor/koder/", views.recovery_codes, name="recovery_codes"),
    path("okter/", views.sessions_view, name="sessions"),
    path("okt/forleng/", views.session_extend, name="session_extend"),
    path("mine-data/", views.my_data, name="my_data"),
    # Ends in .json: a download, which the browser sweep does not open as a page.
    path("mine-data/samspill-mine-data.json", views.my_data_download, name="my_data_download"),
    path("passord/", views.ThrottledPasswordChangeView.as_view(), name="password_change"),
    path(
        "passord/endret/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "glemt-passord/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "glemt-passord/sendt/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "tilbakestill/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "tilbakestill/ferdig/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path(
        "invitasjon/<str:token>/",
        partnership_views.accept_invitation,
        name="accept_invitation",
    ),
]
