"""Start the tests' OpenID Connect provider (provider.mjs: node-oidc-provider)
for a running Samspill, with two registered clients: one authenticating with
``private_key_jwt`` (a key made here), one with a client secret."""

from __future__ import annotations

import json
import os
import select
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import RSAKey

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
KEY_CLIENT = "samspill-test"
SECRET_CLIENT = "samspill-secret"
CLIENT_SECRET = "test-only-client-secret-" + "x" * 24
ID_TOKEN_TTL = 120  # seconds, as ID-porten's


class TestProvider:
    """A running provider; :meth:`settings` gives Samspill's configuration
    for it (what ``SAMSPILL_OIDC_*`` would give in production)."""

    __test__ = False  # a helper, not a test class

    def __init__(self, samspill_url: str) -> None:
        self.samspill_url = samspill_url.rstrip("/")
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_key = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")
        public = RSAKey.import_key(self.private_key).as_dict(private=False)
        public.update({"kid": "samspill-test-client", "use": "sig", "alg": "RS256"})
        base = {
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "post_logout_redirect_uris": [self.samspill_url + "/konto/logget-ut/"],
        }
        config = {
            "id_token_ttl": ID_TOKEN_TTL,
            "clients": [
                {
                    **base,
                    "client_id": KEY_CLIENT,
                    "redirect_uris": [self.samspill_url + "/konto/sso/testid/svar/"],
                    "token_endpoint_auth_method": "private_key_jwt",
                    "token_endpoint_auth_signing_alg": "RS256",
                    "jwks": {"keys": [public]},
                },
                {
                    **base,
                    "client_id": SECRET_CLIENT,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": [self.samspill_url + "/konto/sso/testsecret/svar/"],
                    "token_endpoint_auth_method": "client_secret_basic",
                },
            ],
        }
        handle, self.config_path = tempfile.mkstemp(suffix=".json")
        with os.fdopen(handle, "w") as out:
            json.dump(config, out)
        self.process = subprocess.Popen(
            ["node", str(SCRIPT), self.config_path],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], 20)
        line = self.process.stdout.readline() if ready else ""
        if not line.startswith("listening "):
            self.stop()
            raise RuntimeError(f"the test OIDC provider did not start: {line!r}")
        self.issuer = line.split()[1]

    def settings(self, **overrides: Any) -> list[dict[str, Any]]:
        common = {
            "issuer": self.issuer,
            "scopes": ["openid"],
            "acr_values": ["idporten-loa-substantial"],
            "allowed_issuers": [self.issuer],
            "two_factor_acr": ["idporten-loa-high"],
            "logout": True,
        }
        return [
            {
                **common,
                "key": "testid",
                "name": "Test-ID",
                "client_id": KEY_CLIENT,
                "client_secret": "",
                "private_key": self.private_key,
                "key_id": "samspill-test-client",
                **overrides,
            },
            {
                **common,
                "key": "testsecret",
                "name": "Test-Entra",
                "client_id": SECRET_CLIENT,
                "client_secret": CLIENT_SECRET,
                "private_key": "",
                "key_id": "",
            },
        ]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        Path(self.config_path).unlink(missing_ok=True)
