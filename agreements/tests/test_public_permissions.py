"""Every public agreement URL (pages and API) × every named person → the
expected status code.

The agreements are published (§ 6-4): the same answer for everyone, logged
in or not, in whichever partnership they work. What the council has not
adopted (drafts, consultation drafts, an agreement that is only a draft) is
404 for everyone, the secretariat included (they read drafts on the
internal pages), as is an address that names nothing or another
partnership's agreement. (The internal pages are in test_permissions.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine

from agreements.tests.published import TODAY, build
from partnerships.models import Partnership
from tests.matrix import PEOPLE, statuses

ALL_200 = dict.fromkeys(PEOPLE, 200)
ALL_404 = dict.fromkeys(PEOPLE, 404)
BASE = "/hnt/samarbeidsavtaler"
API = "/api/agreements/hnt"

CASES: list[tuple[str, dict[str, int]]] = [
    # public_agreements:register
    (f"{BASE}/", ALL_200),
    ("/stolav/samarbeidsavtaler/", ALL_200),
    ("/ingen-slik/samarbeidsavtaler/", ALL_404),
    # public_agreements:coverage
    (f"{BASE}/dekning/", ALL_200),
    ("/ingen-slik/samarbeidsavtaler/dekning/", ALL_404),
    # public_agreements:agreement
    (f"{BASE}/test-samarbeidsavtale/", ALL_200),
    (f"{BASE}/test-saeravtale/", ALL_200),
    (f"{BASE}/test-retningslinje/", ALL_200),
    (f"{BASE}/test-utkast/", ALL_404),
    (f"{BASE}/ingen-slik-avtale/", ALL_404),
    ("/stolav/samarbeidsavtaler/test-samarbeidsavtale/", ALL_404),
    # public_agreements:version
    (f"{BASE}/test-samarbeidsavtale/versjon/{{v2026}}/", ALL_200),
    (f"{BASE}/test-samarbeidsavtale/versjon/{{v2027}}/", ALL_200),
    (f"{BASE}/test-samarbeidsavtale/versjon/{{draft}}/", ALL_404),
    (f"{BASE}/test-utkast/versjon/{{hidden_draft}}/", ALL_404),
    (f"{BASE}/test-saeravtale/versjon/{{v2026}}/", ALL_404),
    # public_agreements:version_pdf
    (f"{BASE}/test-samarbeidsavtale/versjon/{{v2026}}.pdf", ALL_200),
    (f"{BASE}/test-samarbeidsavtale/versjon/{{draft}}.pdf", ALL_404),
    # api:list_agreements
    (API, ALL_200),
    ("/api/agreements/ingen-slik", ALL_404),
    # api:agreement_coverage
    (f"{API}/coverage", ALL_200),
    # api:get_agreement_version
    (f"{API}/versions/{{v2026}}", ALL_200),
    (f"{API}/versions/{{draft}}", ALL_404),
    ("/api/agreements/stolav/versions/{v2026}", ALL_404),
    # api:get_agreement
    (f"{API}/agreement/test-samarbeidsavtale", ALL_200),
    (f"{API}/agreement/test-utkast", ALL_404),
    # api:agreement_ratifications
    (f"{API}/agreement/test-samarbeidsavtale/ratifications", ALL_200),
    (f"{API}/agreement/test-utkast/ratifications", ALL_404),
    # api:agreement_binding
    (f"{API}/agreement/test-samarbeidsavtale/binding?organisation={{levanger}}", ALL_200),
    (f"{API}/agreement/test-utkast/binding?organisation={{levanger}}", ALL_404),
]


@pytest.fixture
def published(hnt: Partnership) -> Iterator[SimpleNamespace]:
    with time_machine.travel(TODAY, tick=False):
        yield build(hnt)


@pytest.mark.parametrize(("url", "expected"), CASES, ids=[url for url, _ in CASES])
def test_public_agreements_permission_matrix(
    as_person: Any, published: SimpleNamespace, url: str, expected: dict[str, int]
) -> None:
    address = url.format(
        v2026=published.v2026.pk,
        v2027=published.v2027.pk,
        draft=published.draft.pk,
        hidden_draft=published.hidden_draft.pk,
        levanger=published.levanger.pk,
    )
    assert statuses(as_person, "GET", address) == expected
