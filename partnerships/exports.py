"""The register of people as an Excel workbook.

One row per person, the same rows the page shows with the same filter: name,
e-mail, whether they can log in, then one column per kind of role (the roles
of that kind joined by "; "). Every cell is stored as text and every text a
spreadsheet would read as a formula is prefixed with ``'`` (formula
injection; :func:`core.spreadsheets.safe_cell`). No query of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from core.spreadsheets import safe_cell, xlsx_workbook
from partnerships.register import Entry, Kind

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows(entries: list[Entry], kinds: list[Kind]) -> Iterator[list[str]]:
    """The header, then one row per person, every cell made safe."""
    header = [_("Name"), _("E-mail"), _("Can log in"), *(str(kind.label) for kind in kinds)]
    yield [safe_cell(cell) for cell in header]
    for entry in entries:
        yield [
            safe_cell(cell)
            for cell in (
                entry.user.full_name,
                entry.user.email,
                _("Yes") if entry.can_log_in else _("No"),
                *("; ".join(held.label for held in entry.of_kind(kind.key)) for kind in kinds),
            )
        ]


def xlsx_bytes(entries: list[Entry], kinds: list[Kind]) -> bytes:
    return xlsx_workbook(str(_("People")), rows(entries, kinds))
