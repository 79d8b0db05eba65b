"""The named people every permission matrix asks about, in one list (see
the root conftest for who they are). Kai holds different roles in two
parties of one partnership, so every matrix checks capabilities per party."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

PEOPLE = [
    "anon",
    "sara",
    "ada",
    "lena",
    "nils",
    "hanne",
    "stine",
    "siri",
    "kai",
    "tor",
    "petter",
    "otto",
]


# --- Which URL names the matrices ask about -----------------------------------------
#
# A test whose name contains ``permission_matrix`` is a permission matrix. The
# root conftest records the URL name of every request such a test makes, and
# ``tests/test_matrix_coverage.py`` (run last) fails when a URL name of the
# project was asked about by no matrix.

MATRIX_MARK = "permission_matrix"
SEEN_URL_NAMES: set[str] = set()


def record_request(sender: object, environ: dict[str, str] | None = None, **kwargs: object) -> None:
    """``request_started`` receiver: note the URL name the request resolves to."""
    from django.urls import Resolver404, resolve

    if environ is None:
        return
    # The test client hands WSGI its path as UTF-8 bytes read as Latin-1.
    path = environ.get("PATH_INFO", "").encode("iso-8859-1").decode("utf-8", "replace")
    try:
        match = resolve(path)
    except Resolver404:
        return
    if match.view_name:
        SEEN_URL_NAMES.add(match.view_name)


def project_url_names() -> set[str]:
    """Every named URL of the project, with its namespaces (``councils:case``).

    Where two names share one route (django-ninja names each method of a path;
    a view may keep an alias), a request resolves to the first, so that one
    stands for the route.
    """
    from django.urls import URLPattern, URLResolver, get_resolver

    routes: set[str] = set()

    def walk(resolver: URLResolver, namespace: str, prefix: str) -> Iterator[str]:
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern, inner, route)
            elif isinstance(pattern, URLPattern) and pattern.name and route not in routes:
                routes.add(route)
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver(), "", ""))


def missing_url_names() -> list[str]:
    """The project's URL names that no permission matrix has asked about."""
    return sorted(project_url_names() - SEEN_URL_NAMES)


def coverage_message(missing: list[str]) -> str:
    return (
        f"{len(missing)} URL name(s) are in no permission matrix; add a case to the "
        "matrix of their app (a test named *permission_matrix*):\n  " + "\n  ".join(missing)
    )


def statuses(
    as_person: Callable[[str | None], Any],
    method: str,
    url: str,
    data: dict[str, str] | None = None,
    *,
    after_write: Callable[[], None] | None = None,
) -> dict[str, int]:
    """What every named person gets for one request. After each logged-in
    POST ``after_write`` undoes what it did, so the next person meets the
    same state."""
    got = {}
    for key in PEOPLE:
        client = as_person(None if key == "anon" else key)
        response = client.get(url) if method == "GET" else client.post(url, data or {})
        got[key] = response.status_code
        if method == "POST" and key != "anon" and after_write is not None:
            after_write()
    return got


# --- Expected answers for HNT's internal pages ---------------------------------------

# Everyone with a role in HNT (Tor and Petter are only in St. Olav's).
INSIDERS_HNT = frozenset({"sara", "ada", "lena", "nils", "hanne", "stine", "siri", "kai"})


def expect_hnt(
    insider: int, *, anon: int = 302, allowed: dict[str, int] | None = None
) -> dict[str, int]:
    """``insider`` for HNT's insiders, 404 for everyone else, ``anon`` for
    anonymous visitors (sent to log in), then ``allowed`` over it all."""
    result = {p: (insider if p in INSIDERS_HNT else 404) for p in PEOPLE}
    result["anon"] = anon
    result.update(allowed or {})
    return result


def only_hnt(who: set[str], status: int) -> dict[str, int]:
    """``status`` for ``who``, 403 for HNT's other insiders."""
    return expect_hnt(403, allowed=dict.fromkeys(who, status))
