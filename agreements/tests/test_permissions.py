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
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agreements import consultations, services
from agreements.models import (
    Agreement,
    AgreementLevel,
    AgreementVersion,
    Clause,
    Consultation,
    ConsultationAnswer,
    Ratification,
)
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

CASES: list[tuple[str, str, dict[str, str] | str, dict[str, int]]] = [
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
    # A draft goes on consultation through its own form, not this one: the
    # secretariat is sent back with the reason.
    (
        "POST",
        "/hnt/intern/avtaler/versjon/{draft}/videre/",
        {"to": "consultation", "version": "0"},
        _expect(302, overrides=MANAGE_403),
    ),
    (
        "GET",
        "/hnt/intern/avtaler/versjon/{draft}/horing/",
        EMPTY,
        _expect(200, overrides=MANAGE_403),
    ),
    (
        "POST",
        "/hnt/intern/avtaler/versjon/{draft}/horing/",
        "CONSULT",
        _expect(302, overrides=MANAGE_403),
    ),
    ("POST", "/hnt/intern/avtaler/versjon/{draft}/sak/", EMPTY, _expect(302, overrides=MANAGE_403)),
    ("GET", "/hnt/intern/avtaler/versjon/{draft}/sak/", EMPTY, dict.fromkeys(PEOPLE, 405)),
    (
        "POST",
        "/hnt/intern/avtaler/versjon/{sent}/purring/",
        EMPTY,
        _expect(302, overrides=MANAGE_403),
    ),
    ("GET", "/hnt/intern/avtaler/versjon/{sent}/purring/", EMPTY, dict.fromkeys(PEOPLE, 405)),
    ("GET", "/hnt/intern/avtaler/horing/{round}/", EMPTY, _expect(200)),
    ("GET", "/hnt/intern/avtaler/horing/{round}/svar/{levanger}/", EMPTY, LEVANGER),
    (
        "POST",
        "/hnt/intern/avtaler/horing/{round}/svar/{levanger}/",
        {"position": "supports", "text": "Levanger støtter forslaget."},
        LEVANGER_POST,
    ),
    ("GET", "/hnt/intern/avtaler/horing/{round}/svar/{trust}/", EMPTY, TRUST),
    # Verdal was not asked: there is no answer of Verdal's to write.
    ("GET", "/hnt/intern/avtaler/horing/{round}/svar/{verdal}/", EMPTY, _expect(404)),
    (
        "POST",
        "/hnt/intern/avtaler/horing/{round}/purring/",
        EMPTY,
        _expect(302, overrides=MANAGE_403),
    ),
    ("GET", "/hnt/intern/avtaler/horing/{round}/purring/", EMPTY, dict.fromkeys(PEOPLE, 405)),
    (
        "POST",
        "/hnt/intern/avtaler/horingssvar/{answer}/lest/",
        {"version": "0"},
        _expect(302, overrides=MANAGE_403),
    ),
    ("GET", "/hnt/intern/avtaler/horingssvar/{answer}/lest/", EMPTY, dict.fromkeys(PEOPLE, 405)),
    ("GET", "/hnt/intern/avtaler/dokument/{document}/", EMPTY, _expect(200)),
    ("GET", "/hnt/intern/avtaler/horing/{stolav_round}/", EMPTY, _expect(404)),
    ("GET", "/hnt/intern/avtaler/dokument/{stolav_document}/", EMPTY, _expect(404)),
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
    levanger = Organisation.objects.get(municipality_number="5037")
    trust = Organisation.objects.get(kind="helseforetak", name__contains="Nord-Trøndelag")
    on_round = services.new_version(agreement, "høring", by=people.sara)
    services.add_clause(on_round, number="1", heading="Formål", text="Tekst", points=[1])
    consultation = consultations.open_consultation(
        on_round,
        0,
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        message="Hva mener partene?",
        parties=[levanger, trust],
        by=people.sara,
    )
    document = consultations.store_document(
        hnt, SimpleUploadedFile("svar.txt", b"Helseforetaket svarer."), by=people.hanne
    )
    answer = consultations.answer(
        consultation,
        trust,
        None,
        position="supports",
        text="Ja.",
        comments={},
        document=document,
        by=people.hanne,
    )
    other_round = Consultation.objects.create(
        partnership=stolav, title="St. Olav", message="?", deadline=datetime.date(2027, 1, 1)
    )
    other_document = consultations.store_document(
        stolav, SimpleUploadedFile("annet.txt", b"St. Olav."), by=people.petter
    )
    return {
        "round": consultation.pk,
        "answer": answer.pk,
        "document": document.pk,
        "verdal": Organisation.objects.get(municipality_number="5038").pk,
        "stolav_round": other_round.pk,
        "stolav_document": other_document.pk,
        "agreement": agreement.pk,
        "draft": draft.pk,
        "sent": sent.pk,
        "clause": clause.pk,
        "levanger": Organisation.objects.get(municipality_number="5037").pk,
        "trust": trust.pk,
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
    Consultation.objects.filter(agreement_version_id=ids["draft"]).delete()
    AgreementVersion.objects.filter(pk=ids["draft"]).update(case=None)
    ConsultationAnswer.objects.filter(consultation_id=ids["round"]).exclude(
        pk=ids["answer"]
    ).delete()
    ConsultationAnswer.objects.filter(pk=ids["answer"]).update(version=0, read_at=None)
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
    data: dict[str, str] | str,
    expected: dict[str, int],
) -> None:
    ids = _fixture(people)
    posted = data if isinstance(data, dict) else {}
    if data == "CONSULT":
        posted = {
            "deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
            "message": "Hva mener partene?",
            "parties": str(ids["levanger"]),
            "version": "0",
        }
    got = statuses(as_person, method, url.format(**ids), posted, after_write=lambda: _reset(ids))
    assert got == expected


def test_the_writes_in_the_matrix_really_happened(as_person: Any, people: Any) -> None:
    """The 302s above are successes, not refusals in disguise."""
    ids = _fixture(people)
    as_person("lena").post(
        f"/hnt/intern/avtaler/versjon/{ids['sent']}/ratifisering/{ids['levanger']}/", RATIFY
    )
    assert Ratification.objects.get(agreement_version_id=ids["sent"]).recorded_by == people.lena
    as_person("sara").post(
        f"/hnt/intern/avtaler/versjon/{ids['draft']}/horing/",
        {
            "deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
            "message": "Hva mener partene?",
            "parties": str(ids["levanger"]),
            "version": "0",
        },
    )
    assert AgreementVersion.objects.get(pk=ids["draft"]).status == Status.CONSULTATION
    as_person("lena").post(
        f"/hnt/intern/avtaler/horing/{ids['round']}/svar/{ids['levanger']}/",
        {"position": "supports", "text": "Levanger støtter forslaget."},
    )
    assert (
        ConsultationAnswer.objects.get(
            consultation_id=ids["round"], organisation_id=ids["levanger"]
        ).answered_by
        == people.lena
    )
    as_person("sara").post(
        f"/hnt/intern/avtaler/horingssvar/{ids['answer']}/lest/", {"version": "0"}
    )
    assert ConsultationAnswer.objects.get(pk=ids["answer"]).read_by == people.sara
    as_person("sara").post(f"/hnt/intern/avtaler/punkt/{ids['clause']}/fjern/")
    # The draft was sent on: the clause stays (the page said why).
    assert Clause.objects.filter(pk=ids["clause"]).exists()
