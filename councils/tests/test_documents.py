"""Votes per seat, case attachments, and agendas and minutes as tagged PDF."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from core.models import Visibility
from councils import services
from councils.models import Appointment, Case, CaseAttachment, Meeting, Vote
from councils.tests.test_minutes import _held_meeting, _published_meeting, _record_everything

M = Meeting.Status
VALID_NUMBER = "30108299920"


def _pdf_bytes(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<html lang='nb'><body><p>{text}</p></body></html>").write_pdf()  # type: ignore[no-any-return]


def _docx_bytes(*runs: str) -> bytes:
    """A minimal word-processing document whose one paragraph is split into runs."""
    body = "".join(f"<w:r><w:t>{r}</w:t></w:r>" for r in runs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            f"<w:document><w:body><w:p>{body}</w:p><w:p><w:r><w:t>12</w:t></w:r></w:p>"
            "</w:body></w:document>",
        )
    return buffer.getvalue()


def _office_bytes(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _pdf_digit_by_digit(number: str, *, order: list[int]) -> bytes:
    """A PDF that draws each digit of ``number`` as its own text object, in
    the given order, at the place it belongs: it looks like one number."""
    stream = b"\n".join(
        b"BT /F1 12 Tf %.1f 700 Td (%s) Tj ET" % (72 + i * 6.7, number[i].encode()) for i in order
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
DOC = "word/document.xml"


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _case(title: str) -> Case:
    return Case.objects.get(partnership__slug="hnt", title__startswith=title)


def _decided_item(people: Any) -> Any:
    meeting = _held_meeting()
    _record_everything(meeting, people.sara)
    item = meeting.treatments.exclude(case=None).select_related("meeting", "case").first()
    assert item is not None
    return item


# --- votes -----------------------------------------------------------------------------


def test_votes_are_recorded_per_seat_with_whom_they_represent(people: Any, as_person: Any) -> None:
    item = _decided_item(people)
    seats = services.voting_seats(item.meeting)
    assert len(seats) >= 3
    assert all(s.has_vote and s.role in ("member", "deputy") for s in seats)
    choices = {seats[0].pk: "for", seats[1].pk: "against", seats[2].pk: "abstain"}
    services.record_votes(item.decision, choices)
    assert dict(item.decision.votes.values_list("appointment_id", "choice")) == choices
    # Recording again replaces: a seat left out has no vote any more.
    services.record_votes(item.decision, {seats[0].pk: "against"})
    assert list(item.decision.votes.values_list("choice", flat=True)) == ["against"]

    services.record_votes(item.decision, choices)
    page = as_person("sara").get(
        f"/hnt/intern/rad/moter/{item.meeting.pk}/protokoll/", HTTP_ACCEPT_LANGUAGE="en"
    )
    html = page.content.decode()
    against = seats[1]
    assert against.person.full_name in html
    assert against.constituency and against.constituency in html
    assert "for 1, against 1, abstained 1" in html


def test_observers_and_absent_seats_cannot_vote(people: Any) -> None:
    item = _decided_item(people)
    meeting = item.meeting
    observer = (
        Appointment.objects.current().filter(council=meeting.council, role="observer").first()
    )
    assert observer is not None
    with pytest.raises(ValidationError):
        services.record_votes(item.decision, {observer.pk: "for"})
    member = services.voting_seats(meeting)[0]
    services.record_attendance(meeting, {member.pk: "absent"})
    assert member.pk not in {s.pk for s in services.voting_seats(meeting)}
    with pytest.raises(ValidationError):
        services.record_votes(item.decision, {member.pk: "for"})
    assert not Vote.objects.filter(decision=item.decision).exists()


def test_votes_are_saved_from_the_decision_page(people: Any, as_person: Any) -> None:
    item = _decided_item(people)
    seat = services.voting_seats(item.meeting)[0]
    url = f"/hnt/intern/rad/saksliste/{item.pk}/vedtak/"
    page = as_person("sara").get(url)
    assert f'name="vote-{seat.pk}"' in page.content.decode()
    response = as_person("sara").post(url, {"action": "votes", f"vote-{seat.pk}": "against"})
    assert response.status_code == 302
    assert Vote.objects.get(decision=item.decision).choice == "against"
    # A member of the council cannot record votes.
    assert as_person("lena").post(url, {"action": "votes"}).status_code == 403


# --- attachments -----------------------------------------------------------------------


def test_an_attachment_is_stored_under_a_safe_name_and_downloaded(
    people: Any, as_person: Any
) -> None:
    case = _case("Handlingsplan for samhandling")
    data = _pdf_bytes("Vedlegg om handlingsplanen")
    response = as_person("sara").post(
        f"/hnt/intern/rad/saker/{case.pk}/vedlegg/",
        {"title": "Handlingsplan", "file": _upload("../../etc/Plan for 2027.pdf", data)},
    )
    assert response.status_code == 302
    attachment = CaseAttachment.objects.get(case=case)
    stored = Path(attachment.file.name or "")
    assert stored.parts[0] == "saksvedlegg" and ".." not in stored.parts
    assert "Plan" not in stored.name and stored.suffix == ".pdf"
    assert attachment.original_name == "Plan for 2027.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size == len(data)

    download = as_person("lena").get(f"/hnt/intern/rad/vedlegg/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data  # type: ignore[attr-defined]
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Security-Policy"] == "sandbox"
    # The case is public and on a published agenda: the public may download too.
    public = as_person(None).get(f"/hnt/helsefellesskap/rad/vedlegg/{attachment.pk}/")
    assert public.status_code == 200


def test_attachments_of_restricted_cases_follow_the_case(people: Any, as_person: Any) -> None:
    case = _case("Avtale om legevaktsamarbeid")
    assert case.visibility == Visibility.RESTRICTED
    attachment = services.add_attachment(
        case, _upload("avtale.txt", b"Utkast til avtale"), title="", by=people.sara
    )
    url = f"/hnt/intern/rad/vedlegg/{attachment.pk}/"
    assert as_person("sara").get(url).status_code == 200
    assert as_person("stine").get(url).status_code == 404  # observer: no exempt papers
    assert as_person("tor").get(url).status_code == 404
    assert (
        as_person(None).get(f"/hnt/helsefellesskap/rad/vedlegg/{attachment.pk}/").status_code == 404
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("program.exe", b"MZ\x90\x00", "Allowed types"),
        ("rapport.pdf", b"MZ\x90\x00 not a pdf", "does not match"),
        ("tom.txt", b"", "empty"),
        ("notat.txt", f"Pasient {VALID_NUMBER} ble sendt hjem".encode(), "identity number"),
        # The number is split across two runs of text in the document.
        ("notat.docx", _docx_bytes("Pasient 301082", "99920 ble sendt hjem"), "identity number"),
        ("notat.pdf", _pdf_bytes(f"Pasient {VALID_NUMBER}"), "identity number"),
        # However the number is written in the file:
        ("notat.txt", f"fnr {VALID_NUMBER.translate(FULLWIDTH)}".encode(), "identity number"),
        ("notat.txt", f"fnr {VALID_NUMBER[:6]}\r\n{VALID_NUMBER[6:]}".encode(), "identity number"),
        (
            "baklengs.pdf",
            _pdf_digit_by_digit(VALID_NUMBER, order=list(reversed(range(11)))),
            "identity number",
        ),
        (
            "stokket.pdf",
            _pdf_digit_by_digit(VALID_NUMBER, order=[5, 0, 9, 3, 7, 1, 10, 4, 8, 2, 6]),
            "identity number",
        ),
        (
            "referanser.docx",
            _office_bytes(
                {DOC: "<w:p><w:t>" + "".join(f"&#{ord(d)};" for d in VALID_NUMBER) + "</w:t></w:p>"}
            ),
            "identity number",
        ),
        (
            "tabulator.docx",
            _office_bytes(
                {
                    DOC: f"<w:p><w:t>{VALID_NUMBER[:6]}</w:t><w:tab/>"
                    f"<w:t>{VALID_NUMBER[6:]}</w:t></w:p>"
                }
            ),
            "identity number",
        ),
        (
            "topptekst.docx",
            _office_bytes(
                {DOC: "<w:p/>", "word/header1.xml": f"<w:hdr><w:t>{VALID_NUMBER}</w:t></w:hdr>"}
            ),
            "identity number",
        ),
        (
            "egendel.docx",
            _office_bytes({DOC: "<w:p/>", "customXml/item1.dat": f"<data>{VALID_NUMBER}</data>"}),
            "identity number",
        ),
    ],
)
def test_bad_files_are_refused_with_a_reason_and_nothing_is_stored(
    people: Any, as_person: Any, name: str, data: bytes, message: str
) -> None:
    case = _case("Handlingsplan for samhandling")
    response = as_person("sara").post(
        f"/hnt/intern/rad/saker/{case.pk}/vedlegg/",
        {"title": "Mitt vedlegg", "file": _upload(name, data)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="Mitt vedlegg"' in html  # what was typed is kept
    assert not CaseAttachment.objects.filter(case=case).exists()


def test_office_cells_are_not_read_as_one_number(people: Any) -> None:
    """Two numbers in separate paragraphs (or cells) are not joined into one."""
    case = _case("Handlingsplan for samhandling")
    # "3010829" + "9920" would be an identity number if the paragraphs ran together.
    data = _docx_bytes("Tabell: 3010829")
    attachment = services.add_attachment(
        case, _upload("tabell.docx", data), title="", by=people.sara
    )
    assert attachment.pk


def test_too_large_files_are_refused(people: Any, settings: Any) -> None:
    settings.SAMSPILL_ATTACHMENT_MAX_MB = 1
    case = _case("Handlingsplan for samhandling")
    with pytest.raises(ValidationError, match="MB"):
        services.add_attachment(
            case, _upload("stor.txt", b"a" * (1024 * 1024 + 1)), title="", by=people.sara
        )


def test_the_same_file_twice_is_one_attachment(people: Any) -> None:
    case = _case("Handlingsplan for samhandling")
    first = services.add_attachment(case, _upload("a.txt", b"Samme innhold"), title="", by=None)
    second = services.add_attachment(case, _upload("b.txt", b"Samme innhold"), title="", by=None)
    assert first.pk == second.pk
    assert CaseAttachment.objects.filter(case=case).count() == 1


def test_removing_an_attachment_deletes_the_file(
    people: Any, as_person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = _case("Handlingsplan for samhandling")
    attachment = services.add_attachment(case, _upload("a.txt", b"Innhold"), title="", by=None)
    path = Path(attachment.file.path)
    assert path.exists()
    assert (
        as_person("lena").post(f"/hnt/intern/rad/vedlegg/{attachment.pk}/fjern/").status_code == 403
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = as_person("sara").post(f"/hnt/intern/rad/vedlegg/{attachment.pk}/fjern/")
    assert response.status_code == 302
    assert not CaseAttachment.objects.filter(pk=attachment.pk).exists()
    assert not path.exists()


def test_case_page_queries_do_not_grow_with_attachments(people: Any, as_person: Any) -> None:
    case = _case("Handlingsplan for samhandling")
    client = as_person("sara")
    url = f"/hnt/intern/rad/saker/{case.pk}/"
    services.add_attachment(case, _upload("a.txt", b"En"), title="", by=None)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(8):
        services.add_attachment(case, _upload(f"f{n}.txt", f"Fil {n}".encode()), title="", by=None)
    with CaptureQueriesContext(connection) as nine:
        assert client.get(url).status_code == 200
    assert len(nine) == len(one)


# --- PDF -------------------------------------------------------------------------------


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _is_tagged(content: bytes) -> bool:
    root: Any = PdfReader(io.BytesIO(content)).trailer["/Root"]
    return (
        "/StructTreeRoot" in root
        and bool(root.get("/MarkInfo", {}).get("/Marked"))
        and bool(root.get("/Lang"))
    )


def test_public_agenda_pdf_shows_public_papers_and_exempt_titles_only(as_person: Any) -> None:
    exempt = _case("Avtale om legevaktsamarbeid")
    public = _case("Handlingsplan for samhandling")
    meeting = (
        Meeting.objects.filter(treatments__case=exempt)
        .exclude(status=M.PLANNED)
        .select_related("council")
        .first()
    )
    assert meeting is not None
    response = as_person(None).get(
        f"/hnt/helsefellesskap/rad/{meeting.council.slug}/moter/{meeting.pk}/saksliste.pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert _is_tagged(response.content)
    text = " ".join(_pdf_text(response.content).split())
    assert exempt.public_title in text
    assert exempt.legal_basis in text
    assert exempt.title not in text
    assert exempt.paper_text[:40] not in text
    if meeting.treatments.filter(case=public).exists():
        assert public.title in text


def test_internal_agenda_pdf_has_the_papers_the_person_may_read(
    people: Any, as_person: Any
) -> None:
    exempt = _case("Avtale om legevaktsamarbeid")
    meeting = Meeting.objects.filter(treatments__case=exempt).first()
    assert meeting is not None
    sara = as_person("sara").get(f"/hnt/intern/rad/moter/{meeting.pk}/saksliste.pdf")
    text = " ".join(_pdf_text(sara.content).split())
    assert exempt.title in text and " ".join(exempt.paper_text.split())[:40] in text
    stine = as_person("stine").get(f"/hnt/intern/rad/moter/{meeting.pk}/saksliste.pdf")
    assert stine.status_code == 200
    text = " ".join(_pdf_text(stine.content).split())
    assert exempt.title not in text and exempt.public_title in text


def test_minutes_pdf_carries_decisions_votes_and_approval(people: Any, as_person: Any) -> None:
    meeting = _published_meeting()
    item = (
        meeting.treatments.filter(case__visibility=Visibility.PUBLIC)
        .select_related("decision", "case")
        .first()
    )
    assert item is not None and item.case is not None
    seat = services.voting_seats(meeting)[0]
    Vote.objects.create(decision=item.decision, appointment=seat, choice="against")
    response = as_person(None).get(f"/hnt/helsefellesskap/rad/psu/moter/{meeting.pk}/protokoll.pdf")
    assert response.status_code == 200
    assert _is_tagged(response.content)
    text = " ".join(_pdf_text(response.content).split())
    assert item.case.title in text
    assert " ".join(item.decision.adopted_text.split())[:40] in text
    assert seat.person.full_name in text
    assert meeting.minutes_approval.approved_by in text
    for hidden in Case.objects.filter(
        treatments__meeting=meeting, visibility__in=["internal", "council"]
    ):
        assert hidden.title not in text


def test_unpublished_minutes_have_no_public_pdf(as_person: Any) -> None:
    meeting = _held_meeting()
    response = as_person(None).get(
        f"/hnt/helsefellesskap/rad/{meeting.council.slug}/moter/{meeting.pk}/protokoll.pdf"
    )
    assert response.status_code == 404


def test_pdf_queries_do_not_grow_with_the_agenda(people: Any, as_person: Any) -> None:
    # A meeting whose agenda already has a case: the "before" must list one.
    meeting = (
        Meeting.objects.filter(
            council__partnership__slug="hnt",
            status=M.NOTICE_PUBLISHED,
            treatments__case__isnull=False,
        )
        .select_related("council")
        .distinct()
        .first()
    )
    assert meeting is not None
    client = as_person("sara")
    url = f"/hnt/intern/rad/moter/{meeting.pk}/saksliste.pdf"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(5):
        case, _ = services.create_case(council=meeting.council, title=f"Ekstra {n}", by=None)
        services.add_to_agenda(meeting, case, "discussion")
        services.add_attachment(case, _upload("v.txt", f"Vedlegg {n}".encode()), title="", by=None)
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert "Ekstra 4" in _pdf_text(response.content)
    assert len(after) == len(before)


def test_case_history_shows_the_case_fields_not_other_models_links(people: Any) -> None:
    from core.services import history_for

    case = _case("Handlingsplan for samhandling")
    services.update_case(case, {"assessment": "Ny vurdering"}, case.version)
    labels = {label for entry in history_for(case) for label, _b, _a in entry.changes}
    assert "vurdering" in {label.lower() for label in labels}
    reverse = {f.name for f in Case._meta.get_fields() if not f.concrete}
    assert reverse and not {label.lower() for label in labels} & reverse
