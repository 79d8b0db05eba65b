"""Small, strict readers for settings that come from the environment.

Each helper fails loudly on a value it cannot understand instead of quietly
falling back to a default: a typo in production configuration should stop the
process at start-up, not weaken it (healthchecks' ``envbool`` is the model).
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_oidc_providers(production: bool) -> list[dict[str, object]]:
    """The single sign-on providers (OpenID Connect), from
    ``SAMSPILL_OIDC_PROVIDERS`` (keys, comma-separated) and, per key,
    ``SAMSPILL_OIDC_<KEY>_*``. The README lists the variables.

    Every provider must name its issuer and client, and exactly one way for
    the client to authenticate: a private key file (``private_key_jwt``, which
    ID-porten and HelseID require) or a client secret.
    """
    providers: list[dict[str, object]] = []
    for key in env_list("SAMSPILL_OIDC_PROVIDERS", []):
        if not key.isascii() or not key.replace("-", "").isalnum() or key != key.lower():
            raise ImproperlyConfigured(
                f"SAMSPILL_OIDC_PROVIDERS: {key!r} must be lower-case letters, digits and '-'"
            )
        prefix = "SAMSPILL_OIDC_" + key.upper().replace("-", "_") + "_"
        issuer = env_str(prefix + "ISSUER").rstrip("/")
        client_id = env_str(prefix + "CLIENT_ID")
        if not issuer or not client_id:
            raise ImproperlyConfigured(f"{prefix}ISSUER and {prefix}CLIENT_ID are required")
        if production and not issuer.startswith("https://"):
            raise ImproperlyConfigured(f"{prefix}ISSUER must use https in production")
        key_file = env_str(prefix + "PRIVATE_KEY_FILE")
        secret = env_str(prefix + "CLIENT_SECRET")
        if bool(key_file) == bool(secret):
            raise ImproperlyConfigured(
                f"Give exactly one of {prefix}PRIVATE_KEY_FILE (private_key_jwt) "
                f"and {prefix}CLIENT_SECRET"
            )
        private_key = ""
        if key_file:
            try:
                with open(key_file, encoding="ascii") as handle:
                    private_key = handle.read()
            except OSError as error:
                raise ImproperlyConfigured(f"{prefix}PRIVATE_KEY_FILE: {error}") from None
        providers.append(
            {
                "key": key,
                "name": env_str(prefix + "NAME", key),
                "issuer": issuer,
                "client_id": client_id,
                "client_secret": secret,
                "private_key": private_key,
                "key_id": env_str(prefix + "KEY_ID"),
                "scopes": env_list(prefix + "SCOPES", ["openid"]),
                "acr_values": env_list(prefix + "ACR_VALUES", []),
                "allowed_issuers": env_list(prefix + "ALLOWED_ISSUERS", [issuer]),
                "two_factor_acr": env_list(prefix + "TWO_FACTOR_ACR", []),
                "logout": env_bool(prefix + "LOGOUT", True),
            }
        )
    return providers
