"""Checks on uploaded case attachments: type, size, content and identity numbers.

A file is accepted only when its extension is on the list, its first bytes
match that type (so a renamed executable is refused), it is no larger than
``SAMSPILL_ATTACHMENT_MAX_MB`` and the text that can be read out of it holds
no national identity number. Images are checked by type and size only: there
is no text to read without OCR, which we do not run.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import zipfile
from dataclasses import dataclass
from functools import partial
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.identity_numbers import find_identity_numbers


@dataclass(frozen=True)
class FileKind:
    content_type: str
    family: str  # pdf, office (zip of XML), text, png, jpeg


KINDS: dict[str, FileKind] = {
    ".pdf": FileKind("application/pdf", "pdf"),
    ".docx": FileKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "office"
    ),
    ".xlsx": FileKind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "office"
    ),
    ".pptx": FileKind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", "office"
    ),
    ".odt": FileKind("application/vnd.oasis.opendocument.text", "office"),
    ".ods": FileKind("application/vnd.oasis.opendocument.spreadsheet", "office"),
    ".odp": FileKind("application/vnd.oasis.opendocument.presentation", "office"),
    ".txt": FileKind("text/plain", "text"),
    ".csv": FileKind("text/csv", "text"),
    ".png": FileKind("image/png", "png"),
    ".jpg": FileKind("image/jpeg", "jpeg"),
    ".jpeg": FileKind("image/jpeg", "jpeg"),
}

# Reading more than this out of an office file is refused (a "zip bomb").
MAX_UNPACKED_BYTES = 80 * 1024 * 1024
_PARAGRAPH_END = re.compile(
    rb"</(?:w:p|w:tr|w:tab|text:p|text:h|table:table-cell|a:p|c|si|t:p)>|<(?:w:br|w:tab|text:tab|text:line-break|text:s)\b[^>]*/>"
)
_TAG = re.compile(rb"<[^>]*>")


def extension_of(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    return suffix if suffix in KINDS else ""


def allowed_extensions() -> str:
    return ", ".join(sorted(KINDS))


def max_bytes() -> int:
    return int(settings.SAMSPILL_ATTACHMENT_MAX_MB) * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    content_type: str
    size: int
    sha256: str


def check_upload(name: str, size: int, stream: IO[bytes]) -> CheckedFile:
    """Everything we know about a file before it is stored, or a
    :class:`ValidationError` saying what to do instead."""
    original = PurePath(name.replace("\\", "/")).name.strip()[:200]
    suffix = extension_of(original)
    if not suffix:
        raise ValidationError(
            _("Files of this type cannot be attached. Allowed types: %(types)s.")
            % {"types": allowed_extensions()},
            code="file_type",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_bytes():
        raise ValidationError(
            _("The file is %(size)s MB; attachments can be at most %(max)s MB.")
            % {"size": f"{size / 1024 / 1024:.1f}", "max": settings.SAMSPILL_ATTACHMENT_MAX_MB},
            code="file_size",
        )
    stream.seek(0)
    data = stream.read()
    stream.seek(0)
    kind = KINDS[suffix]
    if not _looks_like(kind.family, data):
        raise ValidationError(
            _("The file's content does not match its name (%(ext)s). Save it again as %(ext)s.")
            % {"ext": suffix},
            code="file_content",
        )
    text = _text_of(kind.family, data)
    matches = find_identity_numbers(text) if text else []
    if matches:
        raise ValidationError(
            ngettext(
                "The file contains what looks like a personal identity number. Remove it "
                "from the document and upload it again: Samspill must not store anything "
                "that identifies a patient.",
                "The file contains %(count)d numbers that look like personal identity "
                "numbers. Remove them from the document and upload it again: Samspill must "
                "not store anything that identifies a patient.",
                len(matches),
            )
            % {"count": len(matches)},
            code="identity_number",
        )
    return CheckedFile(
        original_name=original,
        content_type=kind.content_type,
        size=size,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _looks_like(family: str, data: bytes) -> bool:
    if family == "pdf":
        return data[:1024].lstrip().startswith(b"%PDF-")
    if family == "office":
        return data.startswith(b"PK\x03\x04") and zipfile.is_zipfile(io.BytesIO(data))
    if family == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if family == "jpeg":
        return data.startswith(b"\xff\xd8\xff")
    if family == "text":
        return b"\x00" not in data[:8192]
    return False


def _text_of(family: str, data: bytes) -> str:
    if family == "text":
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")
    if family == "office":
        return _office_text(data)
    if family == "pdf":
        return _pdf_text(data)
    return ""


def _office_text(data: bytes) -> str:
    """The text of an OOXML or OpenDocument file: every part that is XML
    (document, headers, footers, comments, notes, relations, custom parts),
    without tags, with character references decoded (``&#49;`` is a 1) and a
    line break where a paragraph, cell or tab ends."""
    parts: list[str] = []
    unpacked = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                unpacked += info.file_size
                if unpacked > MAX_UNPACKED_BYTES:
                    raise ValidationError(
                        _("The file is too large once unpacked to be checked."), code="file_size"
                    )
                member = archive.read(info)
                if not _is_markup(info.filename, member):
                    continue  # pictures and other binary parts: no text to read
                xml = _PARAGRAPH_END.sub(b"\n", member)
                # Tags go without a trace: a number split over formatting runs
                # (<w:t>0102</w:t></w:r><w:r><w:t>0312345</w:t>) reads as one.
                text = _TAG.sub(b"", xml).decode("utf-8", errors="replace")
                parts.append(html.unescape(text))
    except (zipfile.BadZipFile, RuntimeError) as error:  # RuntimeError: encrypted member
        raise ValidationError(
            _("The file could not be read. Save it again without a password."), code="unreadable"
        ) from error
    return "\n".join(parts)


_MARKUP_SUFFIXES = (".xml", ".rels", ".vml", ".txt")


def _is_markup(name: str, member: bytes) -> bool:
    if name.lower().endswith(_MARKUP_SUFFIXES):
        return True
    head = member[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<?xml", b"<"))


def _pdf_text(data: bytes) -> str:
    """The PDF's text as pypdf extracts it, and once more rebuilt from where
    each piece of text is drawn: line by line from the top, left to right.
    A number whose digits are drawn one by one, in any order, reads as one."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValidationError(
                _(
                    "The PDF is password-protected and cannot be checked. "
                    "Upload it without a password."
                ),
                code="unreadable",
            )
        texts: list[str] = []
        for page in reader.pages:
            pieces: list[tuple[float, float, float, str]] = []
            texts.append(page.extract_text(visitor_text=partial(_collect, pieces)) or "")
            texts.append(_by_position(pieces))
        return "\n".join(texts)
    except (PdfReadError, ValueError, KeyError) as error:
        raise ValidationError(
            _("The PDF could not be read. Save or export it again and upload the new file."),
            code="unreadable",
        ) from error


def _collect(
    pieces: list[tuple[float, float, float, str]],
    text: str,
    cm: list[float],
    tm: list[float],
    font: Any,
    size: float,
) -> None:
    """pypdf's visitor: where each piece of text is drawn, on the page."""
    if text.strip():
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        pieces.append((y, x, abs(size * tm[0] * cm[0]) or 10.0, text.strip()))


def _by_position(pieces: list[tuple[float, float, float, str]]) -> str:
    """Pieces of text (y, x, size, text) as lines: pieces less than half a
    line apart in height are one line; within it, a piece that starts within
    half a character of where the last one ended is glued to it."""
    lines: list[list[tuple[float, float, float, str]]] = []
    for item in sorted(pieces, key=lambda p: (-p[0], p[1])):
        if lines and abs(lines[-1][0][0] - item[0]) < item[2] / 2:
            lines[-1].append(item)
        else:
            lines.append([item])
    out = []
    for line in lines:
        text, end = "", None
        for _y, x, size, chunk in sorted(line, key=lambda p: p[1]):
            if end is not None and x - end > size / 2:
                text += " "
            text += chunk
            end = x + len(chunk) * size * 0.55
        out.append(text)
    return "\n".join(out)
