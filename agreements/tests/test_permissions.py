"""Every internal agreement URL × every named person → the expected status.

Every insider reads agreements and versions, drafts included. Only the
secretariat and administrators (``MANAGE_AGREEMENTS``) draft and move
versions on; a party's coordinator or leader records the party's own
ratification, nobody else's. Outsiders (no role, or only in the other
partnership) get 404; anonymous visitors are sent to log in.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from agreements import services
from agreements.models import Agreement, AgreementLevel, AgreementVersion, Clause, Ratification
from partnerships.models import Organisation, Partnership
from tests.matrix import PEOPLE, statuses

INSIDERS_HNT = {"sara", "ada", "lena", "nils", "hanne", "stine", "siri", "kai"}
MANAGE_403 = {p: 403 for p in INSIDERS_HNT - {"sara", "ada"}}
EMPTY: dict[str, str] = {}
Status = AgreementVersion.Status


def _expect(insider: int, *, anon: int = 302, overrides: dict[str, int] | None = None) -> dict:
    result = {p: (insider if p in INSIDERS_HNT else 404) for p in PEOPLE}
    result["anon"] = anon
    result.update(overrides or {})
    return result


# Levanger's ratification: Lena (its coordinator) and the secretariat.
LEVANGER = _expect(403, overrides={"sara": 200, "ada": 200, "lena": 200})
LEVANGER_POST = _expect(403, overrides={"sara": 302, "ada": 302, "lena": 302})
# The trust's: Hanne, its leader, and the secretariat.
TRUST = _expect(403, overrides={"sara": 200, "ada": 200, "hanne": 200})
RATIFY = {"outcome": "pending", "changes": "", "body": "kommunestyre"}

CASES: list[tuple[str, str, dict[str, str], dict[str, int]]] = [
    ("GET", "/hnt/intern/avtaler/", EMPTY, _expect(200)),
    ("GET", "/hnt/intern/avtaler/ny/", EMPTY, _expect(200, overrides=MANAGE_403)),
    # An empty form comes back with its errors.
    ("POST", "/hnt/intern/avtaler/ny/", EMPTY, _expect(400, overrides=MANAGE_403)),
    ("GET", "/hnt/intern/avtaler/{agreement}/", EMPTY, _expect(200)),
    ("GET", "/hnt/intern/avtaler/{agreement}/rediger/", EMPTY, _expect(200, overrides=MANAGE_403)),
    (
        "POST",
        "/hnt/intern/avtaler/{agreement}/ny-versjon/",
        EMPTY,
        _expect(400, overrides=MANAGE_403),
    ),
    ("GET", "/hnt/intern/avtaler/{agreement}/ny-versjon/", EMPTY, dict.fromkeys(PEOPLE, 405)),
    ("GET", "/hnt/intern/avtaler/versjon/{draft}/", EMPTY, _expect(200)),
    ("GET", "/hnt/intern/avtaler/versjon/{sent}/", EMPTY, _expect(200)),
    (
        "POST",
        "/hnt/intern/avtaler/versjon/{draft}/videre/",
        {"to": "consultation", "version": "0"},
        _expect(302, overrides=MANAGE_403),
    ),
    ("GET", "/hnt/intern/avtaler/versjon/{draft}/videre/", EMPTY, dict.fromkeys(PEOPLE, 405)),
    (
        "GET",
        "/hnt/intern/avtaler/versjon/{draft}/punkt/ny/",
        EMPTY,
        _expect(200, overrides=MANAGE_403),
    ),
    # A version sent on takes no new clauses: there is no such page.
    (
        "GET",
        "/hnt/intern/avtaler/versjon/{sent}/punkt/ny/",
        EMPTY,
        _expect(404, overrides=MANAGE_403),
    ),
    ("GET", "/hnt/intern/avtaler/punkt/{clause}/", EMPTY, _expect(200, overrides=MANAGE_403)),
    (
        "POST",
        "/hnt/intern/avtaler/punkt/{clause}/fjern/",
        EMPTY,
        _expect(302, overrides=MANAGE_403),
    ),
    ("GET", "/hnt/intern/avtaler/punkt/{clause}/fjern/", EMPTY, dict.fromkeys(PEOPLE, 405)),
    ("GET", "/hnt/intern/avtaler/versjon/{sent}/ratifisering/{levanger}/", EMPTY, LEVANGER),
    ("POST", "/hnt/intern/avtaler/versjon/{sent}/ratifisering/{levanger}/", RATIFY, LEVANGER_POST),
    ("GET", "/hnt/intern/avtaler/versjon/{sent}/ratifisering/{trust}/", EMPTY, TRUST),
    # A draft is not ratified; a non-party (Statsforvalteren) ratifies nothing.
    ("GET", "/hnt/intern/avtaler/versjon/{draft}/ratifisering/{levanger}/", EMPTY, _expect(404)),
    ("GET", "/hnt/intern/avtaler/versjon/{sent}/ratifisering/{observer}/", EMPTY, _expect(404)),
    # Notice: the secretariat for any party, coordinators and leaders for
    # their own; an observer gives no notice.
    (
        "GET",
        "/hnt/intern/avtaler/{agreement}/oppsigelse/",
        EMPTY,
        _expect(200, overrides={"stine": 403}),
    ),
    (
        "POST",
        "/hnt/intern/avtaler/{agreement}/oppsigelse/",
        EMPTY,
        _expect(400, overrides={"stine": 403}),
    ),
    # § 6-4: the day the link went to Helsedirektoratet, by the secretariat.
    (
        "POST",
        "/hnt/intern/avtaler/versjon/{sent}/helsedirektoratet/",
        {"sent_on": "2026-12-01", "version": "0"},
        _expect(302, overrides=MANAGE_403),
    ),
    (
        "GET",
        "/hnt/intern/avtaler/versjon/{sent}/helsedirektoratet/",
        EMPTY,
        dict.fromkeys(PEOPLE, 405),
    ),
    ("GET", "/hnt/intern/avtaler/999999/", EMPTY, _expect(404)),
    # St. Olavs' agreement asked for under /hnt/: 404 for everyone.
    ("GET", "/hnt/intern/avtaler/{stolav}/", EMPTY, _expect(404)),
    ("GET", "/hnt/intern/avtaler/{stolav}/rediger/", EMPTY, _expect(404)),
    ("GET", "/hnt/intern/avtaler/versjon/{stolav_version}/", EMPTY, _expect(404)),
]


def _fixture(people: Any) -> dict[str, int]:
    hnt = Partnership.objects.get(slug="hnt")
    level = AgreementLevel.objects.create(partnership=hnt, name="Matrise: nivå")
    agreement = Agreement.objects.create(
        partnership=hnt, level=level, number="M1", title="Matriseavtale", slug="matrise"
    )
    draft = services.new_version(agreement, "utkast", by=people.sara)
    clause = services.add_clause(draft, number="1", heading="Formål", text="Tekst", points=[1])
    sent = services.new_version(agreement, "2026", by=people.sara)
    services.add_clause(sent, number="1", heading="Formål", text="Tekst", points=[1])
    AgreementVersion.objects.filter(pk=sent.pk).update(
        status=Status.RATIFICATION, sent_to_parties_on=datetime.date(2026, 1, 5)
    )
    stolav = Partnership.objects.get(slug="stolav")
    other_level = AgreementLevel.objects.create(partnership=stolav, name="Matrise: nivå")
    other = Agreement.objects.create(
        partnership=stolav, level=other_level, title="St. Olavs avtale", slug="st-olav"
    )
    other_version = services.new_version(other, "2026", by=people.petter)
    return {
        "agreement": agreement.pk,
        "draft": draft.pk,
        "sent": sent.pk,
        "clause": clause.pk,
        "levanger": Organisation.objects.get(municipality_number="5037").pk,
        "trust": Organisation.objects.get(organisation_number="983974791").pk
        if Organisation.objects.filter(organisation_number="983974791").exists()
        else Organisation.objects.get(kind="helseforetak", name__contains="Nord-Trøndelag").pk,
        "observer": Organisation.objects.get(name__startswith="Statsforvalteren").pk,
        "stolav": other.pk,
        "stolav_version": other_version.pk,
    }


def _reset(ids: dict[str, int]) -> None:
    """Undo a write so the next person meets the same state."""
    AgreementVersion.objects.filter(pk=ids["draft"]).update(status=Status.DRAFT, version=0)
    if not Clause.objects.filter(pk=ids["clause"]).exists():
        Clause.objects.create(
            pk=ids["clause"], agreement_version_id=ids["draft"], heading="Formål", key="k1"
        )
    Ratification.objects.filter(agreement_version_id=ids["sent"]).delete()
    AgreementVersion.objects.filter(pk=ids["sent"]).update(version=0, sent_to_directorate_on=None)


@pytest.mark.parametrize(
    ("method", "url", "data", "expected"),
    CASES,
    ids=[f"{m} {u}" for m, u, _, _ in CASES],
)
def test_agreement_permission_matrix(
    as_person: Any,
    people: Any,
    method: str,
    url: str,
    data: dict[str, str],
    expected: dict[str, int],
) -> None:
    ids = _fixture(people)
    got = statuses(as_person, method, url.format(**ids), data, after_write=lambda: _reset(ids))
    assert got == expected


def test_the_writes_in_the_matrix_really_happened(as_person: Any, people: Any) -> None:
    """The 302s above are successes, not refusals in disguise."""
    ids = _fixture(people)
    as_person("lena").post(
        f"/hnt/intern/avtaler/versjon/{ids['sent']}/ratifisering/{ids['levanger']}/", RATIFY
    )
    assert Ratification.objects.get(agreement_version_id=ids["sent"]).recorded_by == people.lena
    as_person("sara").post(
        f"/hnt/intern/avtaler/versjon/{ids['draft']}/videre/",
        {"to": "consultation", "version": "0"},
    )
    assert AgreementVersion.objects.get(pk=ids["draft"]).status == Status.CONSULTATION
    as_person("sara").post(f"/hnt/intern/avtaler/punkt/{ids['clause']}/fjern/")
    # The draft was sent on: the clause stays (the page said why).
    assert Clause.objects.filter(pk=ids["clause"]).exists()
