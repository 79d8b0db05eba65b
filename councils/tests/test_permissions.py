"""Every council URL × every named person → the expected status code."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from councils.models import Appointment, Case, Council, Meeting, Treatment
from tests.matrix import PEOPLE

INSIDERS = {"sara", "ada", "lena", "nils", "hanne", "stine", "siri", "kai"}
MANAGERS = {"sara", "ada"}


def _ids() -> dict[str, Any]:
    hnt_cases = Case.objects.filter(partnership__slug="hnt")
    public = hnt_cases.get(title__startswith="Handlingsplan for samhandling")
    council_internal = hnt_cases.get(title__startswith="Oppgaveoverføring: sårbehandling")
    internal = hnt_cases.get(title__startswith="Budsjett for sekretariatet")
    exempt = hnt_cases.get(title__startswith="Avtale om legevaktsamarbeid")
    meeting = public.treatments.first().meeting  # type: ignore[union-attr]
    stolav_council = Council.objects.get(partnership__slug="stolav")
    open_meeting = Meeting.objects.filter(
        council__partnership__slug="hnt", status="notice_published"
    ).first()
    assert open_meeting is not None
    item = Treatment.objects.filter(meeting=open_meeting).exclude(case=None).first()
    assert item is not None
    held = (
        Meeting.objects.filter(council__partnership__slug="hnt", status="held")
        .select_related("council")
        .first()
    )
    published = Meeting.objects.filter(
        council__partnership__slug="hnt", council__slug="psu", status="published"
    ).first()
    assert held is not None and published is not None
    held_item = Treatment.objects.filter(meeting=held).exclude(case=None).first()
    assert held_item is not None
    standing_item = Treatment.objects.filter(meeting=open_meeting, case=None).first()
    assert standing_item is not None
    return {
        "public_file": _attach(public),
        "council_file": _attach(council_internal),
        "exempt_file": _attach(exempt),
        "held": held.pk,
        "held_council": held.council.slug,
        "held_item": held_item.pk,
        "published": published.pk,
        "public": public.pk,
        "council_internal": council_internal.pk,
        "internal": internal.pk,
        "exempt": exempt.pk,
        "meeting": meeting.pk,
        "open_meeting": open_meeting.pk,
        "item": item.pk,
        "standing_item": standing_item.pk,
        "seat": Appointment.objects.filter(council__slug="fagrad-eldre").first().pk,  # type: ignore[union-attr]
        "stolav_meeting": Meeting.objects.create(
            council=stolav_council, starts_at=timezone.now()
        ).pk,
    }


def _attach(case: Case) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from councils import services

    upload = SimpleUploadedFile("notat.txt", f"Notat til sak {case.pk}".encode())
    return services.add_attachment(case, upload, title="", by=None).pk


def _attach_fresh(case_id: int) -> int:
    import uuid

    from django.core.files.uploadedfile import SimpleUploadedFile

    from councils import services

    case = Case.objects.get(pk=case_id)
    upload = SimpleUploadedFile("notat.txt", uuid.uuid4().hex.encode())
    return services.add_attachment(case, upload, title="", by=None).pk


def _internal(
    ok: int,
    *,
    anon: int = 302,
    only: set[str] | None = None,
    denied: int = 403,
    extra: dict[str, int] | None = None,
) -> dict[str, int]:
    result = {}
    for p in PEOPLE:
        if p == "anon":
            result[p] = anon
        elif p not in INSIDERS:
            result[p] = 404
        elif only is None or p in only:
            result[p] = ok
        else:
            result[p] = denied
    result.update(extra or {})
    return result


ALL_200 = dict.fromkeys(PEOPLE, 200)
ALL_404 = dict.fromkeys(PEOPLE, 404)


def _fresh_agenda_item(meeting_id: int) -> Treatment:
    from councils import services

    meeting = Meeting.objects.select_related("council").get(pk=meeting_id)
    case, _ = services.create_case(council=meeting.council, title="Matrisesak", by=None)
    return services.add_to_agenda(meeting, case, "information")


CASES: list[tuple[str, str, dict[str, int]]] = [
    ("GET", "/hnt/helsefellesskap/rad/", ALL_200),
    ("GET", "/hnt/helsefellesskap/rad/psu/", ALL_200),
    ("GET", "/hnt/helsefellesskap/rad/ukjent/", ALL_404),
    ("GET", "/hnt/helsefellesskap/rad/psu/moter/{stolav_meeting}/", ALL_404),
    ("GET", "/hnt/helsefellesskap/rad/saker/{public}/", ALL_200),
    ("GET", "/hnt/helsefellesskap/rad/saker/{exempt}/", ALL_404),
    ("GET", "/hnt/helsefellesskap/rad/saker/{internal}/", ALL_404),
    ("GET", "/hnt/intern/rad/", _internal(200)),
    ("GET", "/hnt/intern/rad/saker/", _internal(200)),
    ("GET", "/hnt/intern/rad/saker/ny/", _internal(200, only=MANAGERS)),
    ("GET", "/hnt/intern/rad/saker/{public}/", _internal(200)),
    ("GET", "/hnt/intern/rad/saker/{internal}/", _internal(200)),
    # ASU papers: ASU seats (lena member, stine observer) and the secretariat.
    (
        "GET",
        "/hnt/intern/rad/saker/{council_internal}/",
        _internal(200, only={"sara", "ada", "lena", "hanne", "stine"}, denied=404),
    ),
    # Exempt PSU papers: PSU members/secretary and the secretariat; not observers.
    ("GET", "/hnt/intern/rad/saker/{exempt}/", _internal(200, only={"sara", "ada"}, denied=404)),
    ("GET", "/hnt/intern/rad/saker/{public}/rediger/", _internal(200, only=MANAGERS)),
    ("GET", "/hnt/intern/rad/moter/{meeting}/", _internal(200)),
    ("GET", "/hnt/intern/rad/moter/{stolav_meeting}/", _internal(404, extra={"anon": 302})),
    ("GET", "/hnt/intern/rad/asu/", _internal(200)),
    ("GET", "/hnt/intern/rad/asu/nytt-mote/", _internal(200, only=MANAGERS)),
    ("POST", "/hnt/intern/rad/moter/{open_meeting}/status/", _internal(302, only=MANAGERS)),
    ("POST", "/hnt/intern/rad/moter/{open_meeting}/saksliste/", _internal(302, only=MANAGERS)),
    ("POST", "/hnt/intern/rad/saksliste/{item}/fjern/", _internal(302, only=MANAGERS)),
    # Changing a meeting: the managers, while it is not yet held (a held one
    # sends them back to its page with the reason); an empty form is shown again.
    ("GET", "/hnt/intern/rad/moter/{open_meeting}/rediger/", _internal(200, only=MANAGERS)),
    ("POST", "/hnt/intern/rad/moter/{open_meeting}/rediger/", _internal(200, only=MANAGERS)),
    ("GET", "/hnt/intern/rad/moter/{held}/rediger/", _internal(302, only=MANAGERS)),
    ("GET", "/hnt/intern/rad/moter/{stolav_meeting}/rediger/", _internal(404, only=MANAGERS)),
    # Moving an agenda item (an empty form: nothing moves, back to the page);
    # standing items are not for moving.
    ("POST", "/hnt/intern/rad/saksliste/{item}/flytt/", _internal(302, only=MANAGERS)),
    ("POST", "/hnt/intern/rad/saksliste/{standing_item}/flytt/", _internal(404, only=MANAGERS)),
    ("POST", "/hnt/intern/rad/saksliste/{held_item}/flytt/", _internal(302, only=MANAGERS)),
    ("POST", "/hnt/intern/rad/oppnevninger/{seat}/avslutt/", _internal(302, only=MANAGERS)),
    ("GET", "/hnt/intern/rad/moter/{held}/protokoll/", _internal(200)),
    ("GET", "/hnt/intern/rad/moter/{open_meeting}/protokoll/", _internal(404)),
    ("GET", "/hnt/intern/rad/moter/{held}/oppmote/", _internal(200, only=MANAGERS)),
    ("GET", "/hnt/intern/rad/saksliste/{held_item}/vedtak/", _internal(200, only=MANAGERS)),
    ("GET", "/hnt/helsefellesskap/rad/psu/moter/{published}/protokoll/", ALL_200),
    ("GET", "/hnt/helsefellesskap/rad/{held_council}/moter/{held}/protokoll/", ALL_404),
    # PDFs follow their pages.
    ("GET", "/hnt/helsefellesskap/rad/psu/moter/{published}/protokoll.pdf", ALL_200),
    # public_councils:einnsyn (published minutes only)
    ("GET", "/hnt/helsefellesskap/rad/psu/moter/{published}/einnsyn.json", ALL_200),
    ("GET", "/hnt/helsefellesskap/rad/{held_council}/moter/{held}/einnsyn.json", ALL_404),
    ("GET", "/hnt/helsefellesskap/rad/{held_council}/moter/{held}/protokoll.pdf", ALL_404),
    ("GET", "/hnt/helsefellesskap/rad/psu/moter/{published}/saksliste.pdf", ALL_200),
    ("GET", "/hnt/intern/rad/moter/{open_meeting}/saksliste.pdf", _internal(200)),
    (
        "GET",
        "/hnt/intern/rad/moter/{stolav_meeting}/saksliste.pdf",
        _internal(404, extra={"anon": 302}),
    ),
    ("GET", "/hnt/intern/rad/moter/{held}/protokoll.pdf", _internal(200)),
    ("GET", "/hnt/intern/rad/moter/{open_meeting}/protokoll.pdf", _internal(404)),
    # Attachments follow their case.
    ("GET", "/hnt/intern/rad/vedlegg/{public_file}/", _internal(200)),
    (
        "GET",
        "/hnt/intern/rad/vedlegg/{council_file}/",
        _internal(200, only={"sara", "ada", "lena", "hanne", "stine"}, denied=404),
    ),
    (
        "GET",
        "/hnt/intern/rad/vedlegg/{exempt_file}/",
        _internal(200, only={"sara", "ada"}, denied=404),
    ),
    ("GET", "/hnt/helsefellesskap/rad/vedlegg/{public_file}/", ALL_200),
    ("GET", "/hnt/helsefellesskap/rad/vedlegg/{council_file}/", ALL_404),
    ("GET", "/hnt/helsefellesskap/rad/vedlegg/{exempt_file}/", ALL_404),
    ("POST", "/hnt/intern/rad/saker/{public}/vedlegg/", _internal(400, only=MANAGERS)),
    ("POST", "/hnt/intern/rad/vedlegg/{file}/fjern/", _internal(302, only=MANAGERS)),
]


@pytest.mark.parametrize(
    ("method", "url", "expected"), CASES, ids=[f"{m} {u}" for m, u, _ in CASES]
)
def test_council_permission_matrix(
    as_person: Any, people: Any, method: str, url: str, expected: dict[str, int]
) -> None:
    ids = _ids()
    failures = []
    for key in PEOPLE:
        if "{file}" in url:
            # Each person meets an attachment of their own (a removal is a write).
            ids["file"] = _attach_fresh(ids["public"])
        if "{item}" in url:
            # Each person meets an agenda item of their own (a removal is a write).
            ids["item"] = _fresh_agenda_item(ids["open_meeting"]).pk
        target = url.format(**ids)
        client = as_person(None if key == "anon" else key)
        response = client.get(target) if method == "GET" else client.post(target, {})
        if response.status_code != expected[key]:
            failures.append(f"{key}: expected {expected[key]}, got {response.status_code}")
    assert not failures, f"{method} {url}:\n" + "\n".join(failures)
