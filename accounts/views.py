"""Logging in and out, two-factor, password reset and the profile page.

The password step and the two-factor step both end in
:func:`accounts.services.complete_login`, which a later single sign-on back
end will call too.
"""

from __future__ import annotations

import base64
import json
from typing import Any, cast
from urllib.parse import urlencode

import segno
from auditlog.context import set_actor
from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import sso, throttle
from accounts.forms import LoginForm, RecoveryCodeForm, TokenForm
from accounts.models import ExternalIdentity, LoginFailure, User
from accounts.services import (
    SIGN_IN_KEY,
    active_sessions,
    client_ip,
    complete_login,
    confirmed_totp_device,
    end_sessions,
    is_verified,
    new_recovery_codes,
    pending_user,
    recovery_device,
    requires_two_factor,
    start_pending_login,
    unused_recovery_codes,
)
from core import personal_data
from partnerships.access import partnerships_of
from partnerships.models import Membership, PartnershipRole


def _next_url(request: HttpRequest) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next") or "")


def safe_next(request: HttpRequest, candidate: str) -> str:
    """``candidate`` when it is a page of this site, else the start page."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("accounts:start")


def _with_next(url_name: str, request: HttpRequest) -> HttpResponseRedirect:
    return redirect(reverse(url_name) + "?next=" + _next_url(request))


def _cooloff_message(minutes: int) -> str:
    return _(
        "Too many failed attempts. For your security, wait %(minutes)d minutes and try again."
    ) % {"minutes": minutes}


def _person_for_second_factor(request: HttpRequest) -> User | None:
    """Who is giving a second factor: the person who just passed the
    password step, or a person logged in with the password alone (given a
    role that needs two-factor while logged in)."""
    if request.user.is_authenticated:
        return cast(User, request.user)
    return pending_user(request)


def _second_factor_page(request: HttpRequest) -> User | HttpResponse:
    """The person on a second-factor page, or where to send them instead: to
    log in again when the password step has expired, on when already verified."""
    user = _person_for_second_factor(request)
    if user is None:
        messages.info(request, _("Log in again: the log-in took too long."))
        return redirect("accounts:login")
    if is_verified(request.user):
        return redirect(_next_url(request))
    return user


@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        ip = client_ip(request)
        verdict = throttle.check(email, ip, LoginFailure.Kind.PASSWORD)
        if verdict.locked_minutes:
            form.add_error(None, _cooloff_message(verdict.locked_minutes))
        else:
            throttle.pause(verdict.delay_seconds)
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is None:
                throttle.record_failure(email, ip, LoginFailure.Kind.PASSWORD)
                form.add_error(None, _("The e-mail address or password is wrong."))
            else:
                throttle.clear_failures(email, ip, LoginFailure.Kind.PASSWORD)
                if confirmed_totp_device(user):
                    start_pending_login(request, user)
                    return _with_next("accounts:two_factor_verify", request)
                if requires_two_factor(user):
                    start_pending_login(request, user)
                    return _with_next("accounts:two_factor_setup", request)
                complete_login(request, user)
                return redirect(_next_url(request))
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": _next_url(request), "providers": sso_links(request)},
    )


def sso_links(request: HttpRequest, **params: str) -> list[tuple[str, str]]:
    """Each sign-on provider's name and the link that starts a log-in there,
    carrying the page's ``next`` (and an invitation's token)."""
    query = urlencode({"next": _next_url(request), **params})
    return [
        (p.name, reverse("accounts:sso_start", args=[p.key]) + "?" + query) for p in sso.providers()
    ]


def _second_factor_step(
    request: HttpRequest, user: User, form: forms.Form, device: Device, field: str
) -> bool:
    """Check a TOTP or recovery code under the throttle; True when it let
    the person in."""
    ip = client_ip(request)
    verdict = throttle.check(user.email, ip, LoginFailure.Kind.TOTP)
    if verdict.locked_minutes:
        form.add_error(None, _cooloff_message(verdict.locked_minutes))
        return False
    throttle.pause(verdict.delay_seconds)
    if device.verify_token(form.cleaned_data[field]):
        throttle.clear_failures(user.email, ip, LoginFailure.Kind.TOTP)
        complete_login(request, user, device)
        return True
    throttle.record_failure(user.email, ip, LoginFailure.Kind.TOTP)
    return False


@sensitive_post_parameters("token")
@never_cache
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = _second_factor_page(request)
    if isinstance(user, HttpResponse):
        return user
    device = confirmed_totp_device(user)
    if device is None:
        return _with_next("accounts:two_factor_setup", request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _second_factor_step(request, user, form, device, "token"):
            return redirect(_next_url(request))
        if not form.non_field_errors():
            form.add_error("token", _("The code is wrong or has expired. Try the newest code."))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request), "has_recovery": recovery_device(user)},
    )


@sensitive_post_parameters("code")
@never_cache
def recovery_login(request: HttpRequest) -> HttpResponse:
    """The second factor for a person who lost their phone: one of the
    recovery codes shown when they set up the authenticator. Then they set up
    a new authenticator (the old one is replaced when the new one works)."""
    user = _second_factor_page(request)
    if isinstance(user, HttpResponse):
        return user
    device = recovery_device(user)
    form = RecoveryCodeForm(request.POST or None)
    if device is not None and request.method == "POST" and form.is_valid():
        if _second_factor_step(request, user, form, device, "code"):
            left = device.unused
            messages.warning(
                request,
                ngettext(
                    "You logged in with a recovery code. %(left)d code is left. "
                    "Set up the authenticator app on your new phone now.",
                    "You logged in with a recovery code. %(left)d codes are left. "
                    "Set up the authenticator app on your new phone now.",
                    left,
                )
                % {"left": left},
            )
            return _with_next("accounts:two_factor_setup", request)
        if not form.non_field_errors():
            form.add_error("code", _("The recovery code is wrong or has been used."))
    return render(
        request,
        "accounts/recovery_login.html",
        {"form": form, "next": _next_url(request), "has_recovery": device is not None},
    )


def _qr_data_uri(config_url: str) -> str:
    # segno's data URI carries the SVG namespace, without which the image is not drawn.
    return segno.make(config_url, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")


def _pretty_key(device: TOTPDevice) -> str:
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


RECOVERY_SESSION_KEY = "samspill_new_recovery_codes"


@sensitive_post_parameters("token")
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up TOTP: during a log-in that requires it, from the profile, or to
    replace the authenticator on a lost or new phone.

    A person who already has a confirmed authenticator may only replace it
    from a session verified with a second factor (the old app or a recovery
    code): the password alone never offers a new key, so it can never take
    over or delete the owner's device.
    """
    user = _person_for_second_factor(request)
    if user is None:
        return redirect("accounts:login")
    existing = confirmed_totp_device(user)
    verified = is_verified(request.user)
    if existing is not None and not verified:
        return _with_next("accounts:two_factor_verify", request)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Samspill", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with set_actor(user), transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                for old in TOTPDevice.objects.filter(user=user).exclude(pk=device.pk):
                    old.delete()
            # A new session verified with the new device (the old one is gone).
            complete_login(request, user, device)
            request.session[RECOVERY_SESSION_KEY] = new_recovery_codes(user)
            messages.success(request, _("Two-factor authentication is now active."))
            return _with_next("accounts:recovery_codes", request)
        form.add_error("token", _("The code is wrong or has expired. Try the newest code."))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": _qr_data_uri(device.config_url),
            "key": _pretty_key(device),
            "next": _next_url(request),
            "required": requires_two_factor(user),
            "replacing": existing is not None,
        },
    )


@login_required
@never_cache
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Show new recovery codes once (they are kept only as digests), or make
    new ones from a session verified with a second factor."""
    user = cast(User, request.user)  # login_required
    if request.method == "POST":
        if not is_verified(user):
            return _with_next("accounts:two_factor_verify", request)
        request.session[RECOVERY_SESSION_KEY] = new_recovery_codes(user)
        return redirect("accounts:recovery_codes")
    codes = request.session.pop(RECOVERY_SESSION_KEY, None)
    device = recovery_device(user)
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "codes": codes,
            "unused": device.unused if device else 0,
            "next": _next_url(request),
            "verified": is_verified(user),
        },
    )


@login_required
@never_cache
def sessions_view(request: HttpRequest) -> HttpResponse:
    """Where the person is logged in, and a button that ends every other
    session (and, if they wish, this one too)."""
    user = cast(User, request.user)  # login_required
    if request.method == "POST":
        everywhere = request.POST.get("scope") == "all"
        current = request.session.session_key
        with set_actor(user):
            ended = end_sessions(user, keep=None if everywhere else current)
        if everywhere:
            logout(request)
            messages.info(request, _("You are logged out everywhere."))
            return redirect("accounts:login")
        messages.success(
            request,
            ngettext(
                "%(count)d other session was ended.",
                "%(count)d other sessions were ended.",
                ended,
            )
            % {"count": ended},
        )
        return redirect("accounts:sessions")
    names = {p.key: p.name for p in sso.providers()}
    sessions = list(active_sessions(user))
    for row in sessions:
        row.provider_name = names.get(row.provider, row.provider)  # type: ignore[attr-defined]
    return render(
        request,
        "accounts/sessions.html",
        {"sessions": sessions, "current": request.session.session_key},
    )


class ThrottledPasswordChangeView(auth_views.PasswordChangeView):
    """Changing the password asks for the old one: wrong old passwords are
    throttled like the log-in, so a borrowed session cannot guess it."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        email = cast(User, request.user).email
        verdict = throttle.check(email, client_ip(request), LoginFailure.Kind.PASSWORD)
        if verdict.locked_minutes:
            form = self.get_form()
            form.is_valid()  # keep what was typed and show field errors, but
            form.add_error(None, _cooloff_message(verdict.locked_minutes))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        throttle.pause(verdict.delay_seconds)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        if "old_password" in form.errors:
            email = cast(User, self.request.user).email
            throttle.record_failure(email, client_ip(self.request), LoginFailure.Kind.PASSWORD)
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        email = cast(User, self.request.user).email
        throttle.clear_failures(email, client_ip(self.request), LoginFailure.Kind.PASSWORD)
        return super().form_valid(form)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """End the Samspill session; after a single sign-on, the next page offers
    the provider's own log-out where it has one."""
    provider_key = (request.session.get(SIGN_IN_KEY) or {}).get("provider", "")
    logout(request)
    if provider_key and sso.logout_url(request, provider_key):
        return redirect(reverse("accounts:logged_out") + "?" + urlencode({"fra": provider_key}))
    messages.info(request, _("You are logged out."))
    return redirect("portal:index")


@require_POST
@never_cache
def session_extend(request: HttpRequest) -> HttpResponse:
    """ "Stay logged in" in the warning before an idle log-out (WCAG 2.2.1).
    Every request saves the session anew (``SESSION_SAVE_EVERY_REQUEST``),
    so this one only has to say whether there still is a session: 204, or
    401 when it has already ended."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    return HttpResponse(status=204)


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Where a log-in lands: the person's work queue in their partnership, or,
    for a person in two or none, the account page that lists them."""
    partnerships = list(partnerships_of(request.user)[:2])
    if len(partnerships) == 1:
        return redirect("staff:home", partnerships[0].slug)
    return redirect("accounts:profile")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    memberships = (
        Membership.objects.current()
        .filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    roles = (
        PartnershipRole.objects.current()
        .filter(user=user)
        .select_related("partnership")
        .order_by("partnership__name")
    )
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": memberships,
            "roles": roles,
            "partnerships": partnerships_of(user),
            "has_two_factor": confirmed_totp_device(user) is not None,
            "unused_recovery_codes": unused_recovery_codes(user),
            "session_count": active_sessions(user).count(),
            "identities": ExternalIdentity.objects.filter(user=user).order_by("created"),
        },
    )


@login_required
@never_cache
def my_data(request: HttpRequest) -> HttpResponse:
    """What Samspill holds about the person, section by section, and the
    download of all of it (gathered from every app: core.personal_data)."""
    user = cast(User, request.user)  # login_required
    return render(
        request,
        "accounts/my_data.html",
        {
            "sections": personal_data.collect(user),
            "breadcrumbs": [(_("My page"), reverse("accounts:profile")), (_("Your data"), None)],
        },
    )


@login_required
@never_cache
def my_data_download(request: HttpRequest) -> HttpResponse:
    """The person's own data as one JSON file; nobody else's can be asked for."""
    user = cast(User, request.user)  # login_required
    now = timezone.now()
    body = json.dumps(
        personal_data.document(user, personal_data.collect(user), now),
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        indent=2,
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"samspill-mine-data-{timezone.localdate(now):%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
