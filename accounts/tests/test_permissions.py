"""Every account URL × every named person → the expected status code.

The log-in, password-reset and invitation pages are open to anyone (an
invitation only by its token). The account's own pages need a log-in. The
second-factor pages send a person on who has nothing to give there: the
code page when the session is verified or has no password step behind it,
the recovery page when the session is already verified (Sara, Ada and Petter
hold roles that need two-factor; the others are logged in with the password
alone and may still use a recovery code).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.matrix import PEOPLE

EVERYONE_200 = dict.fromkeys(PEOPLE, 200)
LOGGED_IN_200 = {**dict.fromkeys(PEOPLE, 200), "anon": 302}
ALL_302 = dict.fromkeys(PEOPLE, 302)
VERIFIED = {"sara", "ada", "petter"}

CASES: list[tuple[str, str, dict[str, int]]] = [
    ("GET", "/konto/", LOGGED_IN_200),
    # On to the person's partnership or, for none or two, the account page.
    ("GET", "/konto/start/", ALL_302),
    ("GET", "/konto/logg-inn/", EVERYONE_200),
    # An empty form comes back with its errors.
    ("POST", "/konto/logg-inn/", EVERYONE_200),
    ("POST", "/konto/logg-ut/", ALL_302),
    # After logging out; a person still logged in is sent on.
    ("GET", "/konto/logget-ut/", {**dict.fromkeys(PEOPLE, 302), "anon": 200}),
    # Single sign-on: no provider is configured here, so none is found
    # (accounts/tests/test_single_sign_on.py tests them configured).
    ("GET", "/konto/sso/idporten/", dict.fromkeys(PEOPLE, 404)),
    ("GET", "/konto/sso/idporten/svar/", dict.fromkeys(PEOPLE, 404)),
    ("GET", "/konto/tofaktor/kode/", ALL_302),
    ("POST", "/konto/tofaktor/kode/", ALL_302),
    ("GET", "/konto/tofaktor/oppsett/", LOGGED_IN_200),
    (
        "GET",
        "/konto/tofaktor/gjenoppretting/",
        {**LOGGED_IN_200, **dict.fromkeys(VERIFIED, 302)},
    ),
    ("GET", "/konto/tofaktor/koder/", LOGGED_IN_200),
    ("GET", "/konto/okter/", LOGGED_IN_200),
    # "Stay logged in" before an idle log-out: 204, or 401 with no session.
    ("POST", "/konto/okt/forleng/", {**dict.fromkeys(PEOPLE, 204), "anon": 401}),
    ("GET", "/konto/okt/forleng/", dict.fromkeys(PEOPLE, 405)),
    # What Samspill holds about the person: their own, nobody else's to ask for.
    ("GET", "/konto/mine-data/", LOGGED_IN_200),
    ("GET", "/konto/mine-data/samspill-mine-data.json", LOGGED_IN_200),
    ("GET", "/konto/passord/", LOGGED_IN_200),
    ("GET", "/konto/passord/endret/", LOGGED_IN_200),
    ("GET", "/konto/glemt-passord/", EVERYONE_200),
    ("GET", "/konto/glemt-passord/sendt/", EVERYONE_200),
    # A reset link that is not valid says so on the page.
    ("GET", "/konto/tilbakestill/MQ/ugyldig-lenke/", EVERYONE_200),
    ("GET", "/konto/tilbakestill/ferdig/", EVERYONE_200),
    ("GET", "/konto/invitasjon/ukjent-invitasjon/", dict.fromkeys(PEOPLE, 404)),
]


@pytest.mark.parametrize(
    ("method", "url", "expected"), CASES, ids=[f"{m} {u}" for m, u, _ in CASES]
)
def test_account_permission_matrix(
    as_person: Any, method: str, url: str, expected: dict[str, int]
) -> None:
    got = {}
    for key in PEOPLE:
        client = as_person(None if key == "anon" else key)
        response = client.get(url) if method == "GET" else client.post(url, {})
        got[key] = response.status_code
    assert got == expected
