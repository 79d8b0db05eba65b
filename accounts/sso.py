"""Single sign-on over OpenID Connect: ID-porten, HelseID, Microsoft Entra ID.

The authorisation code flow with PKCE (S256), ``state`` and ``nonce``, and the
client authenticated with ``private_key_jwt`` (a signed client assertion) or a
client secret. Authlib makes the token request and the client assertion;
joserfc (Authlib's JOSE library) checks the ID token's signature against the
provider's published keys and its claims: issuer on the allow-list, audience,
expiry, issue time and nonce. The providers come from the environment
(``settings.SAMSPILL_OIDC_PROVIDERS``, see samspill.env).

Only the issuer and the subject of a verified ID token are used, and only the
subject is kept (on :class:`accounts.models.ExternalIdentity`). The rest of
the token, ``pid`` (the fødselsnummer ID-porten and HelseID send) included,
lives in local variables of :func:`finish` and is never stored, logged or put
in the session. A subject that is itself an identity number is refused.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from core.identity_numbers import contains_identity_number

FLOWS_KEY = "samspill_oidc_flows"
FLOW_SECONDS = 600  # a sign-in started more than ten minutes ago is not finished
MAX_FLOWS = 5  # sign-ins started in other tabs of the same browser
LEEWAY_SECONDS = 60  # clocks of two servers may differ this much
METADATA_SECONDS = 3600
HTTP_TIMEOUT = 10
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]
REFERENCE_SALT = "samspill.sso.reference"
REFERENCE_DAYS = 7


@dataclass(frozen=True)
class Provider:
    key: str
    name: str
    issuer: str
    client_id: str
    client_secret: str
    private_key: str
    key_id: str
    scopes: tuple[str, ...]
    acr_values: tuple[str, ...]
    allowed_issuers: tuple[str, ...]
    two_factor_acr: tuple[str, ...]
    logout: bool

    @classmethod
    def from_settings(cls, data: dict[str, Any]) -> Provider:
        return cls(
            key=data["key"],
            name=data.get("name") or data["key"],
            issuer=data["issuer"].rstrip("/"),
            client_id=data["client_id"],
            client_secret=data.get("client_secret", ""),
            private_key=data.get("private_key", ""),
            key_id=data.get("key_id", ""),
            scopes=tuple(data.get("scopes") or ["openid"]),
            acr_values=tuple(data.get("acr_values") or []),
            allowed_issuers=tuple(
                i.rstrip("/") for i in (data.get("allowed_issuers") or [data["issuer"]])
            ),
            two_factor_acr=tuple(data.get("two_factor_acr") or []),
            logout=bool(data.get("logout", True)),
        )

    def allows(self, issuer: str) -> bool:
        return issuer.rstrip("/") in self.allowed_issuers


def providers() -> list[Provider]:
    return [Provider.from_settings(d) for d in settings.SAMSPILL_OIDC_PROVIDERS]


def provider(key: str) -> Provider | None:
    return next((p for p in providers() if p.key == key), None)


class SignOnError(Exception):
    """A sign-in that did not succeed: the message for the person, the HTTP
    status of the page that says it, and, for an identity nobody has linked
    yet, the reference an administrator can link it with."""

    def __init__(self, message: str, status: int = 400, reference: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.reference = reference


# --- the provider's metadata and keys ----------------------------------------------

_cache: dict[str, tuple[float, Any]] = {}
_cache_lock = threading.Lock()


def _get_json(url: str) -> Any:
    response = requests.get(url, timeout=HTTP_TIMEOUT)
    response.raise_for_status()
    return response.json()


def _cached(url: str, refresh: bool = False) -> Any:
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(url)
    if hit is not None and not refresh and now - hit[0] < METADATA_SECONDS:
        return hit[1]
    value = _get_json(url)
    with _cache_lock:
        _cache[url] = (now, value)
    return value


def _unavailable(p: Provider) -> SignOnError:
    return SignOnError(
        _(
            "%(provider)s is not answering right now. Nobody has been logged in. "
            "Try again in a few minutes, or log in with your e-mail address and password."
        )
        % {"provider": p.name},
        status=503,
    )


def metadata(p: Provider) -> dict[str, Any]:
    """The provider's discovery document (OpenID Connect Discovery 1.0),
    whose issuer must be the configured one; a multi-tenant issuer such as
    Entra ID's ``{tenantid}`` template is matched against the allow-list at
    sign-in instead."""
    try:
        data = _cached(p.issuer + "/.well-known/openid-configuration")
    except (requests.RequestException, ValueError):
        raise _unavailable(p) from None
    if not isinstance(data, dict):
        raise _unavailable(p)
    issuer = str(data.get("issuer", "")).rstrip("/")
    if (issuer != p.issuer and "{tenantid}" not in issuer) or not all(
        data.get(k) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")
    ):
        raise _unavailable(p)
    return dict(data)


def _keys(p: Provider, meta: dict[str, Any], refresh: bool = False) -> KeySet:
    try:
        return KeySet.import_key_set(_cached(str(meta["jwks_uri"]), refresh=refresh))
    except (requests.RequestException, ValueError, TypeError, KeyError, AttributeError, JoseError):
        # Not answering, or an answer that is not a key set.
        raise _unavailable(p) from None


# --- starting a sign-in ------------------------------------------------------------


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def callback_url(request: HttpRequest, p: Provider) -> str:
    return request.build_absolute_uri(reverse("accounts:sso_callback", args=[p.key]))


def start(
    request: HttpRequest, p: Provider, next_url: str, invitation_id: int | None = None
) -> str:
    """Remember a new sign-in in the session and return the provider's
    authorisation address to send the browser to."""
    meta = metadata(p)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    flows = dict(request.session.get(FLOWS_KEY) or {})
    flows[state] = {
        "provider": p.key,
        "nonce": nonce,
        "verifier": verifier,
        "next": next_url,
        "invitation": invitation_id,
        "at": int(time.time()),
    }
    newest = sorted(flows.items(), key=lambda item: item[1]["at"])[-MAX_FLOWS:]
    request.session[FLOWS_KEY] = dict(newest)
    params = {
        "response_type": "code",
        "client_id": p.client_id,
        "redirect_uri": callback_url(request, p),
        "scope": " ".join(p.scopes),
        "state": state,
        "nonce": nonce,
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
        "ui_locales": {"nn": "nn", "en": "en"}.get(translation.get_language() or "", "nb"),
    }
    if p.acr_values:
        params["acr_values"] = " ".join(p.acr_values)
    return str(meta["authorization_endpoint"]) + "?" + urlencode(params)


# --- finishing it -----------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    """What a verified sign-in leaves behind: no other claim."""

    provider: Provider
    issuer: str
    subject: str
    acr: str
    next_url: str
    invitation_id: int | None

    @property
    def meets_second_factor(self) -> bool:
        return bool(self.acr) and self.acr in self.provider.two_factor_acr

    def sign_in(self) -> dict[str, str]:
        return {"provider": self.provider.key, "acr": self.acr}


def _not_verified(p: Provider) -> SignOnError:
    return SignOnError(
        _(
            "The answer from %(provider)s could not be verified, so nobody has been logged in. "
            "Start again; if it happens again, tell the administrator."
        )
        % {"provider": p.name}
    )


def _unknown_issuer(p: Provider) -> SignOnError:
    return SignOnError(
        _(
            "This %(provider)s log-in comes from an organisation that may not log in to "
            "Samspill here. Nobody has been logged in. If your organisation should be able to, "
            "tell the administrator."
        )
        % {"provider": p.name},
        status=403,
    )


def fetch_token(p: Provider, meta: dict[str, Any], code: str, redirect_uri: str, verifier: str):  # type: ignore[no-untyped-def]
    """The token request: the code, the PKCE verifier and the client's
    authentication (a fresh client assertion per request)."""
    endpoint = str(meta["token_endpoint"])
    if p.private_key:
        session = OAuth2Session(
            client_id=p.client_id,
            client_secret=p.private_key,
            token_endpoint_auth_method="private_key_jwt",  # noqa: S106 (a method's name)
        )
        # The audience of the assertion is the provider's issuer (ID-porten
        # requires it; RFC 7523 allows it), with the key's id when given.
        session.register_client_auth_method(
            PrivateKeyJWT(
                token_endpoint=str(meta["issuer"]),
                headers={"kid": p.key_id} if p.key_id else None,
            )
        )
    else:
        session = OAuth2Session(
            client_id=p.client_id,
            client_secret=p.client_secret,
            token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method's name)
        )
    with session:
        return session.fetch_token(
            endpoint,
            grant_type="authorization_code",
            code=code,
            redirect_uri=redirect_uri,
            code_verifier=verifier,
            timeout=HTTP_TIMEOUT,
        )


def _take_flow(request: HttpRequest, p: Provider) -> dict[str, Any]:
    state = request.GET.get("state", "")
    flows = dict(request.session.get(FLOWS_KEY) or {})
    flow = flows.pop(state, None) if state else None
    request.session[FLOWS_KEY] = flows
    if (
        not isinstance(flow, dict)
        or flow.get("provider") != p.key
        or int(time.time()) - int(flow.get("at", 0)) > FLOW_SECONDS
    ):
        raise SignOnError(
            _(
                "This answer from %(provider)s does not belong to a log-in started here, "
                "or the log-in was started too long ago. Nobody has been logged in. "
                "Start the log-in again from Samspill."
            )
            % {"provider": p.name}
        )
    return flow


def finish(request: HttpRequest, p: Provider) -> Verified:
    """Check the provider's answer at the callback; raise :class:`SignOnError`
    with the person's message at the first thing that is wrong."""
    flow = _take_flow(request, p)
    meta = metadata(p)
    error = request.GET.get("error")
    if error:
        if error == "access_denied":
            raise SignOnError(
                _("You cancelled the log-in at %(provider)s. Nobody has been logged in.")
                % {"provider": p.name}
            )
        raise SignOnError(
            _("%(provider)s did not log you in. Nobody has been logged in. Start again.")
            % {"provider": p.name}
        )
    # RFC 9207: the issuer names itself in the answer, against mix-up attacks.
    answered_by = request.GET.get("iss", "")
    if meta.get("authorization_response_iss_parameter_supported") and not p.allows(answered_by):
        raise _unknown_issuer(p)
    code = request.GET.get("code", "")
    if not code:
        raise _not_verified(p)
    try:
        token = fetch_token(p, meta, code, callback_url(request, p), flow["verifier"])
    except requests.RequestException:
        raise _unavailable(p) from None
    except (OAuthError, ValueError, KeyError, TypeError):  # the provider said no
        raise _not_verified(p) from None
    id_token = token.get("id_token") if isinstance(token, dict) else None
    if not isinstance(id_token, str):
        raise _not_verified(p)
    claims = _verified_claims(p, meta, id_token, flow["nonce"])
    issuer = str(claims["iss"]).rstrip("/")
    if answered_by and answered_by.rstrip("/") != issuer:
        raise _unknown_issuer(p)
    subject = str(claims["sub"])
    if len(subject) > 255 or contains_identity_number(subject):
        # A subject must be a pseudonym; never keep a fødselsnummer as one.
        raise SignOnError(
            _(
                "%(provider)s sent an identity number as your user id, and Samspill does not "
                "store identity numbers. Nobody has been logged in. Tell the administrator: "
                "the provider must be set up to send a pseudonymous subject."
            )
            % {"provider": p.name},
            status=403,
        )
    acr = claims.get("acr")
    return Verified(
        provider=p,
        issuer=issuer,
        subject=subject,
        acr=acr if isinstance(acr, str) else "",
        next_url=str(flow.get("next") or ""),
        invitation_id=flow.get("invitation"),
    )


def _verified_claims(
    p: Provider, meta: dict[str, Any], id_token: str, nonce: str
) -> dict[str, Any]:
    def decode(keys: KeySet) -> Any:
        return jwt.decode(id_token, keys, algorithms=ALGORITHMS)

    try:
        try:
            decoded = decode(_keys(p, meta))
        except InvalidKeyIdError:  # no key with the token's kid: the provider rotated its keys
            decoded = decode(_keys(p, meta, refresh=True))
    except (JoseError, ValueError):
        raise _not_verified(p) from None
    claims = decoded.claims
    if not isinstance(claims, dict):
        raise _not_verified(p)
    if not isinstance(claims.get("iss"), str) or not p.allows(claims["iss"]):
        raise _unknown_issuer(p)
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True},
        sub={"essential": True},
        aud={"essential": True, "value": p.client_id},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise SignOnError(
            _(
                "The log-in from %(provider)s had expired before it reached Samspill. "
                "Nobody has been logged in. Start again."
            )
            % {"provider": p.name}
        ) from None
    except (InvalidClaimError, MissingClaimError, BadSignatureError, JoseError):
        raise _not_verified(p) from None
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != p.client_id:
        raise _not_verified(p)
    return claims


# --- a reference an administrator can link ----------------------------------------


def reference_for(verified: Verified) -> str:
    """A signed, time-limited reference to an identity nobody has linked yet,
    for the person to give an administrator (see the admin's "link")."""
    return signing.dumps(
        {"p": verified.provider.key, "i": verified.issuer, "s": verified.subject},
        salt=REFERENCE_SALT,
        compress=True,
    )


def read_reference(reference: str) -> dict[str, str] | None:
    try:
        data = signing.loads(
            reference.strip(), salt=REFERENCE_SALT, max_age=REFERENCE_DAYS * 24 * 3600
        )
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in "pis"):
        return None
    return {"provider": data["p"], "issuer": data["i"], "subject": data["s"]}


def logout_url(request: HttpRequest, key: str) -> str | None:
    """The provider's own log-out (RP-Initiated Logout 1.0) for a person who
    signed in with it, or None. Samspill keeps no ID token (it carries the
    pid), so the request names the client instead of giving a token hint."""
    p = provider(key)
    if p is None or not p.logout:
        return None
    try:
        endpoint = metadata(p).get("end_session_endpoint")
    except SignOnError:
        return None
    if not endpoint:
        return None
    params = {
        "client_id": p.client_id,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("accounts:logged_out")),
        "ui_locales": {"nn": "nn", "en": "en"}.get(translation.get_language() or "", "nb"),
    }
    return str(endpoint) + "?" + urlencode(params)
