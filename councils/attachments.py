"""Checks on uploaded case attachments: type, size, content and identity numbers.

A file is accepted only when its extension is on the list, its first bytes
match that type (so a renamed executable is refused), it is no larger than
``SAMSPILL_ATTACHMENT_MAX_MB`` and the text that can be read out of it holds
no national identity number. Images are checked by type and size only: there
is no text to read without OCR, which we do not run.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

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
    """The text of an OOXML or OpenDocument file: its XML parts without tags,
    with a line break where a paragraph or cell ends (so numbers in two cells
    are not read as one)."""
    parts: list[str] = []
    unpacked = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if not info.filename.endswith(".xml"):
                    continue
                unpacked += info.file_size
                if unpacked > MAX_UNPACKED_BYTES:
                    raise ValidationError(
                        _("The file is too large once unpacked to be checked."), code="file_size"
                    )
                xml = archive.read(info)
                xml = _PARAGRAPH_END.sub(b"\n", xml)
                parts.append(_TAG.sub(b"", xml).decode("utf-8", errors="replace"))
    except (zipfile.BadZipFile, RuntimeError) as error:  # RuntimeError: encrypted member
        raise ValidationError(
            _("The file could not be read. Save it again without a password."), code="unreadable"
        ) from error
    return "\n".join(parts)


def _pdf_text(data: bytes) -> str:
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
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError) as error:
        raise ValidationError(
            _("The PDF could not be read. Save or export it again and upload the new file."),
            code="unreadable",
        ) from error
