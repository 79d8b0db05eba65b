"""Single sign-on without a browser: the configuration from the environment,
the authorisation request, every check of the provider's answer and ID token
(with tokens signed here, the provider's network calls replaced), linking by
invitation and by an administrator, and logging out. The whole flow against
a real provider in Chromium is in tests/browser/test_single_sign_on.py."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from accounts import sso
from accounts.models import ExternalIdentity, User, UserSession
from accounts.services import SIGN_IN_KEY
from conftest import log_in, totp_device
from partnerships import services as partnership_services
from partnerships.models import Membership, Organisation
from samspill.env import env_oidc_providers

ISSUER = "https://idp.example"
CLIENT = "samspill"

SIGNING = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
OTHER = RSAKey.generate_key(2048, parameters={"kid": "k1"})
METADATA = {
    "issuer": ISSUER,
    "authorization_endpoint": ISSUER + "/authorize",
    "token_endpoint": ISSUER + "/token",
    "jwks_uri": ISSUER + "/jwks",
    "end_session_endpoint": ISSUER + "/logout",
    "authorization_response_iss_parameter_supported": True,
}


def _settings(**overrides: Any) -> list[dict[str, Any]]:
    return [
        {
            "key": "idp",
            "name": "ID-porten",
            "issuer": ISSUER,
            "client_id": CLIENT,
            "client_secret": "a-test-secret",
            "private_key": "",
            "key_id": "",
            "scopes": ["openid"],
            "acr_values": ["idporten-loa-substantial"],
            "allowed_issuers": [ISSUER],
            "two_factor_acr": ["idporten-loa-high"],
            "logout": True,
            **overrides,
        }
    ]


class FakeNetwork:
    """The provider's side of the network: its documents, and the token
    response built per test."""

    def __init__(self, monkeypatch: Any) -> None:
        self.metadata = dict(METADATA)
        self.token: Callable[[str], Any] = lambda nonce: {}
        self.nonce = ""
        sso._cache.clear()
        monkeypatch.setattr(sso, "_get_json", self.get_json)
        monkeypatch.setattr(sso, "fetch_token", self.fetch_token)

    def get_json(self, url: str) -> Any:
        if url.endswith("/.well-known/openid-configuration"):
            return self.metadata
        return {"keys": [SIGNING.as_dict(private=False)]}

    def fetch_token(self, *args: Any, **kwargs: Any) -> Any:
        return self.token(self.nonce)


class FromNow(int):
    """A time claim given as seconds from the moment the token is made."""


def _id_token(
    nonce: str, key: Any = SIGNING, header: dict[str, Any] | None = None, **claims: Any
) -> dict[str, str]:
    now = int(time.time())
    claims = {k: now + v if isinstance(v, FromNow) else v for k, v in claims.items()}
    body = {
        "iss": ISSUER,
        "sub": "pairwise-abc",
        "aud": CLIENT,
        "exp": now + 120,
        "iat": now,
        "nonce": nonce,
        "acr": "idporten-loa-substantial",
        "pid": "05073500186",
        **claims,
    }
    body = {k: v for k, v in body.items() if v is not None}
    return {"id_token": jwt.encode(header or {"alg": "RS256", "kid": "k1"}, body, key)}


@pytest.fixture
def network(settings: Any, monkeypatch: Any) -> FakeNetwork:
    settings.SAMSPILL_OIDC_PROVIDERS = _settings()
    return FakeNetwork(monkeypatch)


def _start(client: Client, network: FakeNetwork, path: str = "/konto/sso/idp/") -> dict[str, str]:
    response = client.get(path)
    assert response.status_code == 302, response.content
    query = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    network.nonce = query.get("nonce", "")
    return query


def _answer(client: Client, query: dict[str, str], **params: str) -> Any:
    return client.get(
        "/konto/sso/idp/svar/",
        {"code": "a-code", "state": query["state"], "iss": ISSUER, **params},
    )


def _nobody(client: Client) -> bool:
    return "_auth_user_id" not in client.session


# --- configuration ------------------------------------------------------------------


def test_providers_come_from_the_environment(monkeypatch: Any, tmp_path: Any) -> None:
    key_file = tmp_path / "idporten.pem"
    key_file.write_text(SIGNING.as_pem(private=True).decode())
    monkeypatch.setenv("SAMSPILL_OIDC_PROVIDERS", "idporten, entra")
    monkeypatch.setenv("SAMSPILL_OIDC_IDPORTEN_ISSUER", "https://idporten.no/")
    monkeypatch.setenv("SAMSPILL_OIDC_IDPORTEN_CLIENT_ID", "abc")
    monkeypatch.setenv("SAMSPILL_OIDC_IDPORTEN_PRIVATE_KEY_FILE", str(key_file))
    monkeypatch.setenv("SAMSPILL_OIDC_IDPORTEN_KEY_ID", "key-2026")
    monkeypatch.setenv("SAMSPILL_OIDC_IDPORTEN_NAME", "ID-porten")
    monkeypatch.setenv("SAMSPILL_OIDC_IDPORTEN_ACR_VALUES", "idporten-loa-high")
    monkeypatch.setenv("SAMSPILL_OIDC_IDPORTEN_TWO_FACTOR_ACR", "idporten-loa-high")
    monkeypatch.setenv(
        "SAMSPILL_OIDC_ENTRA_ISSUER", "https://login.microsoftonline.com/organizations/v2.0"
    )
    monkeypatch.setenv("SAMSPILL_OIDC_ENTRA_CLIENT_ID", "def")
    monkeypatch.setenv("SAMSPILL_OIDC_ENTRA_CLIENT_SECRET", "s3cret")
    monkeypatch.setenv(
        "SAMSPILL_OIDC_ENTRA_ALLOWED_ISSUERS",
        "https://login.microsoftonline.com/1111/v2.0,https://login.microsoftonline.com/2222/v2.0",
    )
    idporten, entra = (sso.Provider.from_settings(d) for d in env_oidc_providers(True))
    assert idporten.issuer == "https://idporten.no"
    assert idporten.private_key.startswith("-----BEGIN PRIVATE KEY-----")
    assert (idporten.key_id, idporten.acr_values) == ("key-2026", ("idporten-loa-high",))
    assert idporten.allowed_issuers == ("https://idporten.no",)
    assert entra.client_secret == "s3cret" and not entra.private_key
    assert entra.allows("https://login.microsoftonline.com/2222/v2.0")
    assert not entra.allows("https://login.microsoftonline.com/3333/v2.0")
    assert entra.scopes == ("openid",)


@pytest.mark.parametrize(
    ("variables", "complaint"),
    [
        ({"SAMSPILL_OIDC_X_CLIENT_ID": "a"}, "ISSUER and"),
        ({"SAMSPILL_OIDC_X_ISSUER": "https://x.example", "SAMSPILL_OIDC_X_CLIENT_ID": "a"}, "one"),
        (
            {
                "SAMSPILL_OIDC_X_ISSUER": "https://x.example",
                "SAMSPILL_OIDC_X_CLIENT_ID": "a",
                "SAMSPILL_OIDC_X_CLIENT_SECRET": "s",
                "SAMSPILL_OIDC_X_PRIVATE_KEY_FILE": "/k.pem",
            },
            "exactly one",
        ),
        (
            {
                "SAMSPILL_OIDC_X_ISSUER": "https://x.example",
                "SAMSPILL_OIDC_X_CLIENT_ID": "a",
                "SAMSPILL_OIDC_X_PRIVATE_KEY_FILE": "/no/such/key.pem",
            },
            "PRIVATE_KEY_FILE",
        ),
        (
            {
                "SAMSPILL_OIDC_X_ISSUER": "http://x.example",
                "SAMSPILL_OIDC_X_CLIENT_ID": "a",
                "SAMSPILL_OIDC_X_CLIENT_SECRET": "s",
            },
            "https",
        ),
    ],
)
def test_a_wrong_configuration_stops_the_start(
    monkeypatch: Any, variables: dict[str, str], complaint: str
) -> None:
    monkeypatch.setenv("SAMSPILL_OIDC_PROVIDERS", "x")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=complaint):
        env_oidc_providers(True)


def test_a_provider_key_must_be_plain(monkeypatch: Any) -> None:
    monkeypatch.setenv("SAMSPILL_OIDC_PROVIDERS", "ID porten")
    with pytest.raises(ImproperlyConfigured, match="lower-case"):
        env_oidc_providers(False)


# --- the authorisation request -------------------------------------------------------


def test_the_log_in_starts_with_pkce_state_nonce_and_the_level(
    db: Any, network: FakeNetwork
) -> None:
    client = Client()
    page = client.get("/konto/logg-inn/?next=/konto/okter/")
    assert b'href="/konto/sso/idp/?next=%2Fkonto%2Fokter%2F"' in page.content
    response = client.get("/konto/sso/idp/?next=/konto/okter/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == ISSUER + "/authorize"
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["response_type"] == "code" and query["client_id"] == CLIENT
    assert query["redirect_uri"] == "http://testserver/konto/sso/idp/svar/"
    assert query["code_challenge_method"] == "S256"
    assert query["acr_values"] == "idporten-loa-substantial" and query["ui_locales"] == "nb"
    flow = client.session[sso.FLOWS_KEY][query["state"]]
    assert flow["nonce"] == query["nonce"] and flow["next"] == "/konto/okter/"
    assert sso._challenge(flow["verifier"]) == query["code_challenge"]
    assert len(query["state"]) >= 40 and len(flow["verifier"]) >= 43
    # Another site as "next" is not followed.
    client.get("/konto/sso/idp/?next=https://evil.example/")
    flows = client.session[sso.FLOWS_KEY].values()
    assert {f["next"] for f in flows} == {"/konto/okter/", "/konto/start/"}


def test_an_unknown_provider_is_404(db: Any, network: FakeNetwork) -> None:
    assert Client().get("/konto/sso/nope/").status_code == 404
    assert Client().get("/konto/sso/nope/svar/").status_code == 404


def test_a_provider_that_does_not_answer_gets_a_clear_503(
    db: Any, network: FakeNetwork, monkeypatch: Any
) -> None:
    import requests

    def down(url: str) -> Any:
        raise requests.ConnectionError("refused")

    monkeypatch.setattr(sso, "_get_json", down)
    response = Client().get("/konto/sso/idp/")
    assert response.status_code == 503
    assert "ID-porten svarer ikke akkurat nå" in response.content.decode()


@pytest.mark.parametrize("document", [["not", "an", "object"], {"issuer": ISSUER}])
def test_a_discovery_document_that_is_not_one_is_not_used(
    db: Any, network: FakeNetwork, document: Any
) -> None:
    network.metadata = document
    response = Client().get("/konto/sso/idp/")
    assert response.status_code == 503


@pytest.mark.parametrize("keys", [["a list"], {"keys": [{"kty": "nonsense"}]}, {"no": "keys"}])
def test_a_key_set_that_is_not_one_logs_nobody_in(
    network: FakeNetwork, linked: ExternalIdentity, monkeypatch: Any, keys: Any
) -> None:
    documents = {"jwks": keys, "metadata": network.metadata}
    monkeypatch.setattr(
        sso,
        "_get_json",
        lambda url: documents["metadata" if url.endswith("configuration") else "jwks"],
    )
    client = Client()
    query = _start(client, network)
    network.token = lambda nonce: _id_token(nonce)
    response = _answer(client, query)
    assert response.status_code == 503 and _nobody(client)


def test_a_discovery_document_for_another_issuer_is_not_used(db: Any, network: FakeNetwork) -> None:
    network.metadata["issuer"] = "https://evil.example"
    assert Client().get("/konto/sso/idp/").status_code == 503


# --- the answer ---------------------------------------------------------------------


def _link(user: User, subject: str, issuer: str = ISSUER) -> ExternalIdentity:
    return ExternalIdentity.objects.create(
        user=user,
        name="ID-porten",
        provider="idp",
        issuer=issuer,
        subject=subject,
        linked_how=ExternalIdentity.LinkedHow.ADMINISTRATOR,
    )


@pytest.fixture
def linked(people: Any) -> ExternalIdentity:
    return _link(people.lena, "pairwise-abc")


def test_a_linked_person_is_logged_in_with_the_level_recorded(
    network: FakeNetwork, linked: ExternalIdentity
) -> None:
    client = Client()
    query = _start(client, network, "/konto/sso/idp/?next=/konto/okter/")
    network.token = lambda nonce: _id_token(nonce)
    response = _answer(client, query)
    assert response.status_code == 302 and response["Location"] == "/konto/okter/"
    assert client.session["_auth_user_id"] == str(linked.user.pk)
    assert client.session[SIGN_IN_KEY] == {"provider": "idp", "acr": "idporten-loa-substantial"}
    login = UserSession.objects.get(user=linked.user)
    assert (login.provider, login.assurance, login.second_factor) == (
        "idp",
        "idporten-loa-substantial",
        False,
    )
    linked.refresh_from_db()
    assert linked.last_used is not None
    # The state is used up: the same answer again logs nobody in anew.
    again = Client()
    assert _answer(again, query).status_code == 400 and _nobody(again)


FAILURES: list[tuple[str, Any, dict[str, str], int, str]] = [
    ("another audience", {"aud": "someone-else"}, {}, 400, "kunne ikke bekreftes"),
    (
        "two audiences, no azp",
        {"aud": [CLIENT, "someone-else"]},
        {},
        400,
        "kunne ikke bekreftes",
    ),
    ("an issuer off the list", {"iss": "https://evil.example"}, {}, 403, "virksomhet"),
    ("another nonce", {"nonce": "not-this-one"}, {}, 400, "kunne ikke bekreftes"),
    ("no nonce", {"nonce": None}, {}, 400, "kunne ikke bekreftes"),
    ("no subject", {"sub": None}, {}, 400, "kunne ikke bekreftes"),
    ("expired", {"exp": FromNow(-3600)}, {}, 400, "var utløpt"),
    ("issued in the future", {"iat": FromNow(3600)}, {}, 400, "kunne ikke bekreftes"),
    ("an identity number as subject", {"sub": "05073500186"}, {}, 403, "fødselsnummer"),
    ("the answer names another issuer", {}, {"iss": "https://evil.example"}, 403, "virksomhet"),
    ("the person cancelled", {}, {"error": "access_denied"}, 400, "Du avbrøt"),
    ("the provider refused", {}, {"error": "server_error"}, 400, "logget deg ikke inn"),
    ("no code", {}, {"code": ""}, 400, "kunne ikke bekreftes"),
]


@pytest.mark.parametrize(
    ("claims", "params", "status", "message"),
    [f[1:] for f in FAILURES],
    ids=[f[0] for f in FAILURES],
)
def test_each_wrong_answer_logs_nobody_in_and_says_why(
    network: FakeNetwork,
    linked: ExternalIdentity,
    claims: dict[str, Any],
    params: dict[str, str],
    status: int,
    message: str,
) -> None:
    client = Client()
    query = _start(client, network)
    network.token = lambda nonce: _id_token(nonce, **claims)
    response = _answer(client, query, **params)
    assert response.status_code == status
    assert message in response.content.decode()
    assert "05073500186" not in response.content.decode()
    assert _nobody(client)
    assert not UserSession.objects.exists()


@pytest.mark.parametrize(
    "forge",
    [
        "another key",
        "no signature (alg none)",
        "HS256 with the public key",
        "a changed payload",
    ],
)
def test_a_token_not_signed_by_the_provider_is_refused(
    network: FakeNetwork, linked: ExternalIdentity, forge: str
) -> None:
    def token(nonce: str) -> dict[str, str]:
        if forge == "another key":
            return _id_token(nonce, key=OTHER)
        good = _id_token(nonce)["id_token"]
        header, payload, signature = good.split(".")
        if forge == "no signature (alg none)":
            return {"id_token": "eyJhbGciOiJub25lIn0." + payload + "."}
        if forge == "HS256 with the public key":
            secret = OctKey.import_key(SIGNING.as_pem(private=False))
            return _id_token(nonce, key=secret, header={"alg": "HS256", "kid": "k1"})
        return {"id_token": f"{header}.{payload[:-4]}AAAA.{signature}"}

    client = Client()
    query = _start(client, network)
    network.token = token
    response = _answer(client, query)
    assert response.status_code in (400, 403)
    assert _nobody(client)


def test_an_unknown_state_or_an_old_log_in_is_refused(
    network: FakeNetwork, linked: ExternalIdentity
) -> None:
    client = Client()
    query = _start(client, network)
    network.token = lambda nonce: _id_token(nonce)
    response = _answer(client, {"state": "made-up"})
    assert response.status_code == 400
    assert "hører ikke til en innlogging som ble startet her" in response.content.decode()
    with time_machine.travel(time.time() + sso.FLOW_SECONDS + 5, tick=False):
        late = _answer(client, query)
    assert late.status_code == 400 and _nobody(client)


def test_entra_many_tenants_one_provider(settings: Any, network: FakeNetwork, people: Any) -> None:
    """A multi-tenant discovery document names a template issuer; each
    kommune's tenant must be on the allow-list."""
    template = "https://login.microsoftonline.com/{tenantid}/v2.0"
    tenant = "https://login.microsoftonline.com/1111/v2.0"
    settings.SAMSPILL_OIDC_PROVIDERS = _settings(
        name="Entra ID", allowed_issuers=[tenant], two_factor_acr=[]
    )
    network.metadata.update(issuer=template, authorization_response_iss_parameter_supported=False)
    _link(people.lena, "entra-oid", issuer=tenant)
    client = Client()
    query = _start(client, network)
    network.token = lambda nonce: _id_token(nonce, iss=tenant, sub="entra-oid", acr=None)
    assert _answer(client, query, iss="").status_code == 302
    assert client.session["_auth_user_id"] == str(people.lena.pk)
    other = Client()
    query = _start(other, network)
    network.token = lambda nonce: _id_token(
        nonce, iss="https://login.microsoftonline.com/9999/v2.0", sub="entra-oid"
    )
    assert _answer(other, query, iss="").status_code == 403 and _nobody(other)


# --- who may be linked, and how -----------------------------------------------------


def test_nobody_is_linked_by_an_e_mail_or_given_a_role_by_signing_in(
    network: FakeNetwork, people: Any
) -> None:
    """A token with the e-mail address of an existing person, verified or
    not, links nothing: the person gets the reference, no session."""
    client = Client()
    query = _start(client, network)
    network.token = lambda nonce: _id_token(
        nonce, sub="stranger", email=people.lena.email, email_verified=True
    )
    response = _answer(client, query)
    assert response.status_code == 403 and _nobody(client)
    assert not ExternalIdentity.objects.exists()
    reference = response.context["reference"]
    assert sso.read_reference(reference) == {
        "provider": "idp",
        "issuer": ISSUER,
        "subject": "stranger",
    }


def _invite(people: Any, email: str, organisation_name: str = "Steinkjer kommune") -> str:
    """Invite ``email`` to the organisation; the token from the e-mail's link."""
    from django.core import mail

    organisation = Organisation.objects.get(name=organisation_name)
    mail.outbox.clear()
    partnership_services.invite(
        partnership=organisation.participations.get().partnership,
        organisation=organisation,
        email=email,
        full_name="Ny Person",
        role="member",
        invited_by=people.sara,
    )
    return str(mail.outbox[-1].body).split("/konto/invitasjon/")[1].split("/")[0]


def test_an_invitation_links_a_new_person_without_a_password(
    network: FakeNetwork, people: Any
) -> None:
    token = _invite(people, "ny@kommune.example")
    organisation = Organisation.objects.get(name="Steinkjer kommune")
    client = Client()
    page = client.get(f"/konto/invitasjon/{token}/")
    assert f"/konto/sso/idp/?next=%2Fkonto%2Fstart%2F&amp;invitasjon={token}" in (
        page.content.decode()
    )
    query = _start(client, network, f"/konto/sso/idp/?invitasjon={token}")
    network.token = lambda nonce: _id_token(nonce, sub="new-person")
    response = _answer(client, query)
    assert response.status_code == 302 and response["Location"] == "/hnt/intern/"
    person = User.objects.get(email="ny@kommune.example")
    assert not person.has_usable_password() and person.full_name == "Ny Person"
    assert Membership.objects.current().filter(user=person, organisation=organisation).exists()
    identity = ExternalIdentity.objects.get(user=person)
    assert identity.linked_how == ExternalIdentity.LinkedHow.INVITATION
    entry = LogEntry.objects.get_for_object(identity).get()
    assert entry.actor == person
    # The invitation is used: its link starts nothing any more.
    assert Client().get(f"/konto/sso/idp/?invitasjon={token}").status_code == 404


def test_an_invitation_for_an_existing_account_needs_its_owner_logged_in(
    network: FakeNetwork, people: Any
) -> None:
    """Whoever holds the invitation link is not thereby the account's owner:
    the owner logs in first, then links the provider's log-in."""
    lena = people.lena
    organisation = Organisation.objects.get(name="Helse Nord-Trøndelag HF")
    Membership.objects.filter(user=lena, organisation=organisation).delete()
    token = _invite(people, lena.email, organisation.name)
    stranger = Client()
    query = _start(stranger, network, f"/konto/sso/idp/?invitasjon={token}")
    network.token = lambda nonce: _id_token(nonce, sub="someone")
    response = _answer(stranger, query)
    assert response.status_code == 403 and _nobody(stranger)
    assert "Logg inn med den først" in response.content.decode()
    assert not ExternalIdentity.objects.exists()

    owner = log_in(Client(), lena)
    query = _start(owner, network, f"/konto/sso/idp/?invitasjon={token}")
    network.token = lambda nonce: _id_token(nonce, sub="lena-at-idp")
    assert _answer(owner, query).status_code == 302
    assert ExternalIdentity.objects.get(subject="lena-at-idp").user == lena
    assert Membership.objects.current().filter(user=lena, organisation=organisation).exists()


def test_a_closed_account_is_not_logged_in(network: FakeNetwork, linked: ExternalIdentity) -> None:
    User.objects.filter(pk=linked.user.pk).update(is_active=False)
    client = Client()
    query = _start(client, network)
    network.token = lambda nonce: _id_token(nonce)
    response = _answer(client, query)
    assert response.status_code == 403 and _nobody(client)


# --- the second factor --------------------------------------------------------------


def test_the_secretariat_needs_the_high_level_or_the_app(network: FakeNetwork, people: Any) -> None:
    sara = people.sara
    totp_device(sara)
    _link(sara, "sara-at-idp")
    low = Client()
    query = _start(low, network)
    network.token = lambda nonce: _id_token(nonce, sub="sara-at-idp")
    response = _answer(low, query)
    assert response["Location"].startswith("/konto/tofaktor/kode/")
    assert _nobody(low)
    assert low.get("/hnt/intern/").status_code == 302

    high = Client()
    query = _start(high, network)
    network.token = lambda nonce: _id_token(nonce, sub="sara-at-idp", acr="idporten-loa-high")
    assert _answer(high, query).status_code == 302
    assert high.get("/hnt/intern/").status_code == 200
    assert UserSession.objects.get(user=sara).second_factor


# --- linking by an administrator ----------------------------------------------------


def _administrator() -> Client:
    admin = User.objects.create_user(
        email="drift@samspill.example",
        password="x",
        full_name="Drift",
        is_staff=True,
        is_superuser=True,
    )
    return log_in(Client(), admin)


def test_an_administrator_links_a_log_in_by_its_reference(
    network: FakeNetwork, people: Any
) -> None:
    client = Client()
    query = _start(client, network)
    network.token = lambda nonce: _id_token(nonce, sub="to-be-linked")
    reference = _answer(client, query).context["reference"]

    admin = _administrator()
    url = "/django-admin/accounts/externalidentity/add/"
    bad = admin.post(url, {"user": people.lena.pk, "reference": reference[:-3] + "xyz"})
    assert bad.status_code == 200 and "ikke gyldig" in bad.content.decode()
    assert admin.post(url, {"user": people.lena.pk, "reference": reference}).status_code == 302
    identity = ExternalIdentity.objects.get(subject="to-be-linked")
    assert identity.user == people.lena
    assert identity.linked_how == ExternalIdentity.LinkedHow.ADMINISTRATOR
    assert identity.linked_by is not None and identity.linked_by.email == "drift@samspill.example"
    assert LogEntry.objects.get_for_object(identity).get().actor == identity.linked_by
    again = admin.post(url, {"user": people.ada.pk, "reference": reference})
    assert "allerede koblet" in again.content.decode()

    # Now the person's log-in works.
    client = Client()
    query = _start(client, network)
    assert _answer(client, query).status_code == 302
    assert client.session["_auth_user_id"] == str(people.lena.pk)


def test_an_old_reference_is_refused(network: FakeNetwork, people: Any) -> None:
    client = Client()
    query = _start(client, network)
    network.token = lambda nonce: _id_token(nonce, sub="to-be-linked")
    reference = _answer(client, query).context["reference"]
    with time_machine.travel(time.time() + (sso.REFERENCE_DAYS * 24 + 1) * 3600, tick=False):
        assert sso.read_reference(reference) is None


# --- logging out --------------------------------------------------------------------


def test_logging_out_offers_the_provider_log_out(
    network: FakeNetwork, linked: ExternalIdentity
) -> None:
    client = Client()
    query = _start(client, network)
    network.token = lambda nonce: _id_token(nonce)
    _answer(client, query)
    response = client.post("/konto/logg-ut/")
    assert response["Location"] == "/konto/logget-ut/?fra=idp"
    assert _nobody(client)
    page = client.get(response["Location"]).content.decode()
    assert (
        'href="https://idp.example/logout?client_id=samspill&amp;post_logout_redirect_uri='
        "http%3A%2F%2Ftestserver%2Fkonto%2Flogget-ut%2F&amp;ui_locales=nb"
    ) in page
    # After the password, logging out goes to the front page as before.
    password = log_in(Client(), linked.user)
    assert password.post("/konto/logg-ut/")["Location"] == "/"
