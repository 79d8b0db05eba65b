"""Every task transfer URL × every named person → the expected status.

Every insider reads every transfer. A party's coordinator or leader
proposes and registers for their own party, changes and withdraws what
their party proposed, and writes their own party's assessment; the
secretariat and administrators may do all of that, and alone send on
consultation, make the council's case and record the outcome. Outsiders (no
role, or only in the other partnership) get 404; anonymous visitors are
sent to log in.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from agreements.models import Consultation
from councils.models import Case
from tests.matrix import PEOPLE, statuses
from transfers import services
from transfers.models import ConsequenceAssessment, TaskTransfer
from transfers.tests.factory import asu, on_consultation, party, proposal, registered, trust

INSIDERS_HNT = {"sara", "ada", "lena", "nils", "hanne", "stine", "siri", "kai"}
MANAGERS = {"sara", "ada"}
EMPTY: dict[str, str] = {}
Status = TaskTransfer.Status


def _expect(insider: int, *, anon: int = 302, allowed: set[str] | None = None, ok: int = 0) -> dict:
    """``insider`` for every insider of HNT, ``ok`` for those ``allowed``,
    404 for everyone else."""
    result = {p: (insider if p in INSIDERS_HNT else 404) for p in PEOPLE}
    result["anon"] = anon
    for person in allowed or set():
        result[person] = ok
    return result


# Coordinators and leaders of a party (not Stine, who observes).
PROPOSERS = INSIDERS_HNT - {"stine"}

CASES: list[tuple[str, str, dict[str, str] | str, dict[str, int]]] = [
    ("GET", "", EMPTY, _expect(200)),
    ("GET", "forslag/ny/", EMPTY, _expect(403, allowed=PROPOSERS, ok=200)),
    # An empty form comes back with its errors.
    ("POST", "forslag/ny/", EMPTY, _expect(403, allowed=PROPOSERS, ok=400)),
    ("GET", "uavtalt/ny/", EMPTY, _expect(403, allowed=PROPOSERS, ok=200)),
    ("POST", "uavtalt/ny/", EMPTY, _expect(403, allowed=PROPOSERS, ok=400)),
    ("GET", "{draft}/", EMPTY, _expect(200)),
    ("GET", "{sent}/", EMPTY, _expect(200)),
    # The trust proposed it: Hanne (its leader) and the secretariat change it.
    ("GET", "{draft}/rediger/", EMPTY, _expect(403, allowed=MANAGERS | {"hanne"}, ok=200)),
    ("POST", "{draft}/rediger/", EMPTY, _expect(403, allowed=MANAGERS | {"hanne"}, ok=400)),
    # Sent on consultation: the facts stay as sent, for everyone.
    ("GET", "{sent}/rediger/", EMPTY, _expect(403)),
    # Levanger's assessment: Lena (its coordinator) and the secretariat.
    (
        "GET",
        "{draft}/konsekvensvurdering/{levanger}/",
        EMPTY,
        _expect(403, allowed=MANAGERS | {"lena"}, ok=200),
    ),
    (
        "POST",
        "{draft}/konsekvensvurdering/{levanger}/",
        {"economy": "Levanger vurderer kostnadene."},
        _expect(403, allowed=MANAGERS | {"lena"}, ok=302),
    ),
    (
        "GET",
        "{sent}/konsekvensvurdering/{trust}/",
        EMPTY,
        _expect(403, allowed=MANAGERS | {"hanne"}, ok=200),
    ),
    # Verdal is not affected: there is no assessment of Verdal's to write.
    ("GET", "{draft}/konsekvensvurdering/{verdal}/", EMPTY, _expect(404)),
    # The council has the case: nothing to write any more.
    (
        "GET",
        "{decided}/konsekvensvurdering/{levanger}/",
        EMPTY,
        _expect(403, allowed=MANAGERS | {"lena"}, ok=404),
    ),
    ("GET", "{draft}/horing/", EMPTY, _expect(403, allowed=MANAGERS, ok=200)),
    ("POST", "{draft}/horing/", "CONSULT", _expect(403, allowed=MANAGERS, ok=302)),
    ("GET", "{unagreed}/sak/", EMPTY, _expect(403, allowed=MANAGERS, ok=200)),
    ("POST", "{unagreed}/sak/", "CASE", _expect(403, allowed=MANAGERS, ok=302)),
    # A proposal goes to the council only after its consultation.
    ("GET", "{draft}/sak/", EMPTY, _expect(403, allowed=MANAGERS, ok=404)),
    ("GET", "{decided}/utfall/", EMPTY, _expect(403, allowed=MANAGERS, ok=200)),
    ("POST", "{decided}/utfall/", EMPTY, _expect(403, allowed=MANAGERS, ok=400)),
    # A proposal not yet decided has no outcome to record.
    ("GET", "{draft}/utfall/", EMPTY, _expect(403, allowed=MANAGERS, ok=404)),
    (
        "POST",
        "{draft}/trekk/",
        {"version": "0"},
        _expect(403, allowed=MANAGERS | {"hanne"}, ok=302),
    ),
    ("GET", "{draft}/trekk/", EMPTY, dict.fromkeys(PEOPLE, 405)),
    ("GET", "999999/", EMPTY, _expect(404)),
    # St. Olavs' transfer asked for under /hnt/: 404 for everyone.
    ("GET", "{stolav}/", EMPTY, _expect(404)),
    ("GET", "{stolav}/rediger/", EMPTY, _expect(404)),
    ("GET", "{stolav}/konsekvensvurdering/{levanger}/", EMPTY, _expect(404)),
]


def _fixture(people: Any) -> dict[str, int]:
    draft = proposal(people, title="Matrise: forslag")
    sent = on_consultation(proposal(people, title="Matrise: på høring"), people)
    unagreed = registered(people, title="Matrise: uavtalt")
    decided = registered(people, title="Matrise: til vedtak")
    services.prepare_case(decided, council=asu(), by=people.sara)
    from partnerships.models import Organisation, Partnership

    stolav = Partnership.objects.get(slug="stolav")
    members = services.parties(stolav)
    stolav_transfer = TaskTransfer.objects.create(
        partnership=stolav,
        kind="proposal",
        status="draft",
        title="St. Olavs forslag",
        task="?",
        from_party=members[0],
        to_party=members[1],
        proposing_party=members[0],
        patients="?",
        from_date=datetime.date(2027, 1, 1),
    )
    return {
        "draft": draft.pk,
        "sent": sent.pk,
        "unagreed": unagreed.pk,
        "decided": decided.pk,
        "stolav": stolav_transfer.pk,
        "levanger": party("5037").pk,
        "verdal": party("5038").pk,
        "trust": trust().pk,
        "observer": Organisation.objects.get(name__startswith="Statsforvalteren").pk,
    }


def _reset(ids: dict[str, int]) -> None:
    """Undo a write so the next person meets the same state."""
    TaskTransfer.objects.filter(pk=ids["draft"]).update(
        status=Status.DRAFT, version=0, consultation=None
    )
    Consultation.objects.filter(title__contains="Matrise: forslag").delete()
    ConsequenceAssessment.objects.filter(transfer_id=ids["draft"]).exclude(
        organisation_id=ids["trust"]
    ).delete()
    TaskTransfer.objects.filter(pk=ids["unagreed"]).update(
        status=Status.REGISTERED, version=0, case=None
    )
    Case.objects.filter(title__contains="Matrise: uavtalt").delete()


@pytest.mark.parametrize(
    ("method", "url", "data", "expected"),
    CASES,
    ids=[f"{m} {u}" for m, u, _, _ in CASES],
)
def test_transfer_permission_matrix(
    as_person: Any,
    people: Any,
    method: str,
    url: str,
    data: dict[str, str] | str,
    expected: dict[str, int],
) -> None:
    ids = _fixture(people)
    named = {
        "CONSULT": {
            "deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
            "message": "Hva mener partene?",
            "version": "0",
        },
        "CASE": {"council": str(asu().pk), "meeting": ""},
    }
    payload = named[data] if isinstance(data, str) else data
    path = "/hnt/intern/oppgaveoverforing/" + url.format(**ids)
    got = statuses(as_person, method, path, payload, after_write=lambda: _reset(ids))
    assert got == expected


def test_the_writes_in_the_matrix_really_happened(as_person: Any, people: Any) -> None:
    """The 302s above are successes, not refusals in disguise."""
    ids = _fixture(people)
    base = "/hnt/intern/oppgaveoverforing/"
    as_person("lena").post(
        f"{base}{ids['draft']}/konsekvensvurdering/{ids['levanger']}/", {"economy": "Kostbart."}
    )
    assert (
        ConsequenceAssessment.objects.get(
            transfer_id=ids["draft"], organisation_id=ids["levanger"]
        ).written_by
        == people.lena
    )
    as_person("ada").post(
        f"{base}{ids['draft']}/horing/",
        {
            "deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
            "message": "Hva mener partene?",
            "version": "0",
        },
    )
    assert TaskTransfer.objects.get(pk=ids["draft"]).status == Status.CONSULTATION
    as_person("sara").post(f"{base}{ids['unagreed']}/sak/", {"council": str(asu().pk)})
    assert TaskTransfer.objects.get(pk=ids["unagreed"]).case is not None
    as_person("hanne").post(f"{base}{ids['draft']}/trekk/", {"version": "1"})
    assert TaskTransfer.objects.get(pk=ids["draft"]).status == Status.WITHDRAWN
