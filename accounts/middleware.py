from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.services import confirmed_totp_device, is_verified, requires_two_factor

# Paths a person who still has to set up or use two-factor may reach.
# Single sign-on too: a provider's log-in at the required level is a second factor.
_OPEN_PREFIXES = (
    "/static/",
    "/healthz",
    "/i18n/",
    "/konto/tofaktor/",
    "/konto/logg-ut/",
    "/konto/logget-ut/",
    "/konto/sso/",
)


class RequireTwoFactorMiddleware:
    """Send secretariat members and administrators without a verified second
    factor to the two-factor page before anything else.

    Normally they only get a session after the second factor; this catches a
    role granted to someone who is already logged in. A person who already
    has an authenticator is asked for its code, never offered a new key.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not is_verified(user)
            and not request.path.startswith(_OPEN_PREFIXES)
            and requires_two_factor(user)
        ):
            step = "two_factor_verify" if confirmed_totp_device(user) else "two_factor_setup"  # type: ignore[arg-type]
            return redirect(reverse(f"accounts:{step}") + "?next=" + request.path)
        return self.get_response(request)
