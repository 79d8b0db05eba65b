"""Logging in and out, two-factor, password reset and the profile page.

The password step and the two-factor step both end in
:func:`accounts.services.complete_login`, which a later single sign-on back
end will call too.
"""

from __future__ import annotations

import base64
from typing import cast

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import throttle
from accounts.forms import LoginForm, TokenForm
from accounts.models import LoginFailure, User
from accounts.services import (
    client_ip,
    complete_login,
    confirmed_totp_device,
    is_verified,
    pending_user,
    requires_two_factor,
    start_pending_login,
)
from partnerships.access import partnerships_of
from partnerships.models import Membership, PartnershipRole


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("accounts:profile")


def _with_next(url_name: str, request: HttpRequest) -> HttpResponseRedirect:
    return redirect(reverse(url_name) + "?next=" + _next_url(request))


def _cooloff_message(minutes: int) -> str:
    return _(
        "Too many failed attempts. For your security, wait %(minutes)d minutes and try again."
    ) % {"minutes": minutes}


@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        ip = client_ip(request)
        wait = throttle.minutes_until_allowed(email, ip, LoginFailure.Kind.PASSWORD)
        if wait:
            form.add_error(None, _cooloff_message(wait))
        else:
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is None:
                throttle.record_failure(email, ip, LoginFailure.Kind.PASSWORD)
                form.add_error(None, _("The e-mail address or password is wrong."))
            else:
                throttle.clear_failures(email, LoginFailure.Kind.PASSWORD)
                if confirmed_totp_device(user):
                    start_pending_login(request, user)
                    return _with_next("accounts:two_factor_verify", request)
                if requires_two_factor(user):
                    start_pending_login(request, user)
                    return _with_next("accounts:two_factor_setup", request)
                complete_login(request, user)
                return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


@sensitive_post_parameters("token")
@never_cache
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = pending_user(request)
    if user is None:
        messages.info(request, _("Log in again: the log-in took too long."))
        return redirect("accounts:login")
    device = confirmed_totp_device(user)
    if device is None:
        return _with_next("accounts:two_factor_setup", request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        wait = throttle.minutes_until_allowed(user.email, ip, LoginFailure.Kind.TOTP)
        if wait:
            form.add_error(None, _cooloff_message(wait))
        elif device.verify_token(form.cleaned_data["token"]):
            throttle.clear_failures(user.email, LoginFailure.Kind.TOTP)
            complete_login(request, user, device)
            return redirect(_next_url(request))
        else:
            throttle.record_failure(user.email, ip, LoginFailure.Kind.TOTP)
            form.add_error("token", _("The code is wrong or has expired. Try the newest code."))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


def _qr_data_uri(config_url: str) -> str:
    svg = segno.make(config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _pretty_key(device: TOTPDevice) -> str:
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@sensitive_post_parameters("token")
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up TOTP: during a log-in that requires it, or from the profile."""
    user: User | None = (
        request.user  # type: ignore[assignment]
        if request.user.is_authenticated
        else pending_user(request)
    )
    if user is None:
        return redirect("accounts:login")
    if request.user.is_authenticated and is_verified(request.user):
        messages.info(request, _("Two-factor authentication is already active."))
        return redirect(_next_url(request))
    existing = confirmed_totp_device(user)
    if existing is not None and not request.user.is_authenticated:
        return _with_next("accounts:two_factor_verify", request)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Samspill", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            complete_login(request, user, device)
            messages.success(request, _("Two-factor authentication is now active."))
            return redirect(_next_url(request))
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
        },
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are logged out."))
    return redirect("portal:index")


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
            "has_two_factor": confirmed_totp_device(user) is not None,  # type: ignore[arg-type]
        },
    )
