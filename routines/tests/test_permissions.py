"""Every routine URL (internal pages, public pages, API) × every named
person → the expected status.

Internal: every insider reads every routine and version, drafts included.
The secretariat and administrators (``MANAGE_ROUTINES``) create and edit
routines and do everything else. Levanger's coordinator Lena keeps the
routine Levanger owns (drafts, puts in force, reviews), nobody else's; Nils,
the responsible person of ASU's routine, drafts and reviews it but does not
put it in force. A version that is no longer a draft is edited by nobody.
Outsiders (no role, or only in the other partnership) get 404; anonymous
visitors are sent to log in.

Public: the same answer for everyone; a routine with nothing in force, an
address that names nothing and another partnership's routine are 404.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from agreements.models import Agreement
from partnerships.models import Partnership
from routines.models import RoutineReview, RoutineVersion
from routines.tests.factory import council, draft, in_force, levanger, make
from tests.matrix import PEOPLE, statuses

D = datetime.date
INSIDERS_HNT = {"sara", "ada", "lena", "nils", "hanne", "stine", "siri", "kai"}
Status = RoutineVersion.Status


def _expect(insider: int, *, anon: int = 302, allowed: dict[str, int] | None = None) -> dict:
    """``insider`` for every insider, 404 for outsiders; ``allowed``
    overrides (those who may write)."""
    result = {p: (insider if p in INSIDERS_HNT else 404) for p in PEOPLE}
    result["anon"] = anon
    result.update(allowed or {})
    return result


def _only(who: set[str], status: int) -> dict[str, int]:
    """``status`` for ``who``, 403 for the other insiders."""
    return _expect(403, allowed=dict.fromkeys(who, status))


MANAGERS = {"sara", "ada"}
PARTY_KEEPERS = MANAGERS | {"lena"}  # Levanger's routine
COUNCIL_DRAFTERS = MANAGERS | {"nils"}  # ASU's routine, Nils responsible
EMPTY: dict[str, str] = {}
ALL_200 = dict.fromkeys(PEOPLE, 200)
ALL_404 = dict.fromkeys(PEOPLE, 404)
ALL_405 = dict.fromkeys(PEOPLE, 405)
IN_FORCE = {"in_force_from": "2026-06-01", "version": "0"}
I = "/hnt/intern/rutiner"  # noqa: E741

CASES: list[tuple[str, str, dict[str, str], dict[str, int]]] = [
    # routines:index
    ("GET", f"{I}/", EMPTY, _expect(200)),
    # routines:routine_new (an empty form comes back with its errors)
    ("GET", f"{I}/ny/", EMPTY, _only(MANAGERS, 200)),
    ("POST", f"{I}/ny/", EMPTY, _only(MANAGERS, 400)),
    # routines:routine
    ("GET", f"{I}/{{party}}/", EMPTY, _expect(200)),
    ("GET", f"{I}/{{council}}/", EMPTY, _expect(200)),
    ("GET", f"{I}/999999/", EMPTY, _expect(404)),
    ("GET", f"{I}/{{stolav}}/", EMPTY, _expect(404)),
    # routines:routine_edit
    ("GET", f"{I}/{{party}}/rediger/", EMPTY, _only(MANAGERS, 200)),
    ("POST", f"{I}/{{party}}/rediger/", EMPTY, _only(MANAGERS, 400)),
    ("GET", f"{I}/{{stolav}}/rediger/", EMPTY, _expect(404)),
    # routines:version_new
    ("GET", f"{I}/{{party}}/ny-versjon/", EMPTY, _only(PARTY_KEEPERS, 200)),
    ("POST", f"{I}/{{party}}/ny-versjon/", EMPTY, _only(PARTY_KEEPERS, 400)),
    ("GET", f"{I}/{{council}}/ny-versjon/", EMPTY, _only(COUNCIL_DRAFTERS, 200)),
    # routines:review_new
    ("GET", f"{I}/{{party}}/gjennomgang/", EMPTY, _only(PARTY_KEEPERS, 200)),
    ("POST", f"{I}/{{party}}/gjennomgang/", EMPTY, _only(PARTY_KEEPERS, 400)),
    ("GET", f"{I}/{{council}}/gjennomgang/", EMPTY, _only(COUNCIL_DRAFTERS, 200)),
    # routines:version
    ("GET", f"{I}/versjon/{{party_draft}}/", EMPTY, _expect(200)),
    ("GET", f"{I}/versjon/{{party_in_force}}/", EMPTY, _expect(200)),
    ("GET", f"{I}/versjon/{{stolav_version}}/", EMPTY, _expect(404)),
    # routines:version_edit: drafts only
    ("GET", f"{I}/versjon/{{party_draft}}/rediger/", EMPTY, _only(PARTY_KEEPERS, 200)),
    ("POST", f"{I}/versjon/{{party_draft}}/rediger/", EMPTY, _only(PARTY_KEEPERS, 400)),
    ("GET", f"{I}/versjon/{{council_draft}}/rediger/", EMPTY, _only(COUNCIL_DRAFTERS, 200)),
    ("GET", f"{I}/versjon/{{party_in_force}}/rediger/", EMPTY, _expect(403)),
    # routines:version_in_force: the keepers, not the responsible person
    ("POST", f"{I}/versjon/{{party_draft}}/i-kraft/", IN_FORCE, _only(PARTY_KEEPERS, 302)),
    ("POST", f"{I}/versjon/{{council_draft}}/i-kraft/", IN_FORCE, _only(MANAGERS, 302)),
    ("POST", f"{I}/versjon/{{party_draft}}/i-kraft/", EMPTY, _only(PARTY_KEEPERS, 400)),
    ("GET", f"{I}/versjon/{{party_draft}}/i-kraft/", EMPTY, ALL_405),
    # public_routines:index
    ("GET", "/hnt/samhandlingsrutiner/", EMPTY, ALL_200),
    ("GET", "/stolav/samhandlingsrutiner/", EMPTY, ALL_200),
    ("GET", "/ingen-slik/samhandlingsrutiner/", EMPTY, ALL_404),
    # public_routines:routine
    ("GET", "/hnt/samhandlingsrutiner/matrise-part/", EMPTY, ALL_200),
    ("GET", "/hnt/samhandlingsrutiner/matrise-utkast/", EMPTY, ALL_404),
    ("GET", "/hnt/samhandlingsrutiner/ingen-slik/", EMPTY, ALL_404),
    ("GET", "/hnt/samhandlingsrutiner/matrise-st-olav/", EMPTY, ALL_404),
    # api:list_routines
    ("GET", "/api/routines/hnt", EMPTY, ALL_200),
    ("GET", "/api/routines/ingen-slik", EMPTY, ALL_404),
    # api:get_routine
    ("GET", "/api/routines/hnt/matrise-part", EMPTY, ALL_200),
    ("GET", "/api/routines/hnt/matrise-utkast", EMPTY, ALL_404),
    ("GET", "/api/routines/stolav/matrise-part", EMPTY, ALL_404),
]


def _fixture(people: Any) -> dict[str, int]:
    hnt = Partnership.objects.get(slug="hnt")
    party = make(hnt, "Matrise: Levangers rutine", "matrise-part", party=levanger())
    party_in_force = in_force(party, "2025", D(2025, 1, 1))
    party_draft = draft(party, "2026")
    owned = make(
        hnt, "Matrise: ASUs rutine", "matrise-asu", owner=council(hnt), responsible=people.nils
    )
    in_force(owned, "2025", D(2025, 1, 1))
    council_draft = draft(owned, "2026")
    make(hnt, "Matrise: bare utkast", "matrise-utkast").versions.create(label="1")
    stolav = Partnership.objects.get(slug="stolav")
    other = make(
        stolav,
        "Matrise: St. Olavs rutine",
        "matrise-st-olav",
        agreement=Agreement.objects.get(partnership=stolav, slug="samarbeidsavtale"),
        owner=council(stolav, "psu"),
    )
    stolav_version = in_force(other, "2025", D(2025, 1, 1))
    return {
        "party": party.pk,
        "council": owned.pk,
        "party_draft": party_draft.pk,
        "party_in_force": party_in_force.pk,
        "council_draft": council_draft.pk,
        "stolav": other.pk,
        "stolav_version": stolav_version.pk,
    }


def _reset(ids: dict[str, int]) -> None:
    """Undo a write so the next person meets the same state."""
    for key in ("party_draft", "council_draft"):
        version = RoutineVersion.objects.get(pk=ids[key])
        if version.status == Status.IN_FORCE:
            RoutineVersion.objects.filter(pk=version.pk).update(
                status=Status.DRAFT, in_force_from=None, version=0
            )
            RoutineVersion.objects.filter(
                routine_id=version.routine_id, status=Status.REPLACED
            ).update(status=Status.IN_FORCE, in_force_to=None)
    RoutineReview.objects.filter(routine_id__in=[ids["party"], ids["council"]]).delete()


@pytest.mark.parametrize(
    ("method", "url", "data", "expected"),
    CASES,
    ids=[f"{m} {u}" for m, u, _, _ in CASES],
)
def test_routine_permission_matrix(
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
    response = as_person("lena").post(f"{I}/versjon/{ids['party_draft']}/i-kraft/", IN_FORCE)
    assert response.status_code == 302
    assert RoutineVersion.objects.get(pk=ids["party_draft"]).status == Status.IN_FORCE
    assert RoutineVersion.objects.get(pk=ids["party_in_force"]).status == Status.REPLACED
    # Nils drafts ASU's routine: a version is made.
    response = as_person("nils").post(
        f"{I}/{ids['council']}/ny-versjon/",
        {"label": "Nils 1", "text": "<p>Forslag fra Nils.</p>", "client_key": ""},
    )
    assert response.status_code == 302
    assert RoutineVersion.objects.filter(routine_id=ids["council"], label="Nils 1").exists()
