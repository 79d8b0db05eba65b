"""Opting in, publishing a year, importing other partnerships' files, and
the comparison the national page shows (module docs of
:mod:`national.models` and :mod:`national.exchange`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from national import exchange
from national.models import Sharing, Snapshot
from partnerships.models import Partnership


class Refused(Exception):
    """What the person asked cannot be done; the message says why."""


def sharing_of(partnership: Partnership) -> Sharing:
    """The partnership's choice (not opted in until someone chooses)."""
    found = Sharing.objects.filter(partnership=partnership).first()
    return found or Sharing(partnership=partnership, opted_in=False)


def set_sharing(partnership: Partnership, opted_in: bool, *, by: Any) -> int:
    """Opt in or out. Opting out withdraws every year the partnership has
    published (the number withdrawn is returned); the public no longer sees
    them, and the audit trail keeps who did it and when."""
    with transaction.atomic():
        sharing, _new = Sharing.objects.select_for_update().get_or_create(partnership=partnership)
        if sharing.opted_in == opted_in:
            return 0
        sharing.opted_in = opted_in
        sharing.changed_at = timezone.now()
        sharing.changed_by = by
        sharing.save()
        withdrawn = 0
        if not opted_in:
            for snapshot in Snapshot.objects.filter(partnership=partnership):
                snapshot.delete()
                withdrawn += 1
        return withdrawn


PUBLISHABLE_YEARS = 10


def publishable_years(partnership: Partnership) -> list[int]:
    """This year and the nine before it, newest first."""
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - PUBLISHABLE_YEARS, -1))


def publish(partnership: Partnership, year: int, *, by: Any) -> Snapshot:
    """The year's public aggregates as the national page will show them;
    publishing again replaces them."""
    if year not in publishable_years(partnership):
        raise Refused(_("There is nothing to publish for that year."))
    document = exchange.build(partnership, year)
    with transaction.atomic():
        sharing = Sharing.objects.select_for_update().filter(partnership=partnership).first()
        if sharing is None or not sharing.opted_in:
            raise Refused(
                _("The partnership does not take part in the national comparison; opt in first.")
            )
        # A file imported before this partnership was set up here gives way
        # to what the partnership publishes itself.
        Snapshot.objects.filter(
            identifier=partnership.slug, year=year, origin=Snapshot.Origin.IMPORTED
        ).delete()
        snapshot, _new = Snapshot.objects.update_or_create(
            identifier=partnership.slug,
            year=year,
            defaults={
                "name": partnership.name,
                "origin": Snapshot.Origin.PUBLISHED,
                "partnership": partnership,
                "imported_for": None,
                "data": document,
                "file_name": "",
                "sha256": hashlib.sha256(exchange.dumps(document)).hexdigest(),
                "created_at": timezone.now(),
                "created_by": by,
            },
        )
    return snapshot


@dataclass
class ImportOutcome:
    snapshot: Snapshot | None = None
    problems: list[exchange.Problem] = field(default_factory=list)
    replaced: bool = False
    already: bool = False


def import_file(
    importer: Partnership, *, file_name: str, data: bytes, by: Any, replace: bool
) -> ImportOutcome:
    """Store another partnership's file, whole or not at all.

    The same file twice (a double submit) gives the one stored snapshot
    back. A different file for a partnership and year already imported
    replaces it only when ``replace`` is given; a partnership held on this
    installation is never imported (its own figures are here)."""
    reading = exchange.read(data)
    if reading.document is None:
        return ImportOutcome(problems=reading.problems)
    document = reading.document
    identifier = document["partnership"]["id"]
    year = document["year"]
    digest = hashlib.sha256(data).hexdigest()
    if Partnership.objects.filter(slug=identifier).exists():
        return ImportOutcome(
            problems=[
                exchange.Problem(
                    "/partnership/id",
                    _(
                        "This partnership is held on this installation; its figures are "
                        "published here, not imported."
                    ),
                )
            ]
        )
    with transaction.atomic():
        existing = (
            Snapshot.objects.select_for_update().filter(identifier=identifier, year=year).first()
        )
        if existing is not None and existing.sha256 == digest:
            return ImportOutcome(snapshot=existing, already=True)
        if existing is not None and not replace:
            return ImportOutcome(
                problems=[
                    exchange.Problem(
                        "/year",
                        _(
                            "Figures for this partnership and year were imported on %(day)s. "
                            "Tick “Replace” to replace them with this file."
                        )
                        % {"day": timezone.localtime(existing.created_at).strftime("%d.%m.%Y")},
                    )
                ]
            )
        values = {
            "name": document["partnership"]["name"],
            "origin": Snapshot.Origin.IMPORTED,
            "partnership": None,
            "imported_for": importer,
            "data": document,
            "file_name": file_name[:200],
            "sha256": digest,
            "created_at": timezone.now(),
            "created_by": by,
        }
        if existing is not None:
            for key, value in values.items():
                setattr(existing, key, value)
            existing.save()
            return ImportOutcome(snapshot=existing, replaced=True)
        try:
            with transaction.atomic():
                snapshot = Snapshot.objects.create(identifier=identifier, year=year, **values)
        except IntegrityError:
            # Someone stored the same partnership and year a moment ago.
            raced = Snapshot.objects.get(identifier=identifier, year=year)
            if raced.sha256 == digest:
                return ImportOutcome(snapshot=raced, already=True)
            raise Refused(
                _("Someone imported figures for this partnership and year just now; try again.")
            ) from None
    return ImportOutcome(snapshot=snapshot)


def withdraw(snapshot: Snapshot) -> None:
    snapshot.delete()


# The comparison ---------------------------------------------------------------


def public_snapshots() -> QuerySet[Snapshot]:
    """What the national page may show: years published by partnerships
    that take part, and imported files."""
    return Snapshot.objects.filter(
        Q(origin=Snapshot.Origin.IMPORTED) | Q(partnership__national_sharing__opted_in=True)
    )


def public_years() -> list[int]:
    return list(public_snapshots().order_by("-year").values_list("year", flat=True).distinct())


@dataclass
class Cell:
    value: float | int | None
    status: str
    decimals: int = 0

    @property
    def shown(self) -> bool:
        return self.status == exchange.FIGURE and self.value is not None


@dataclass
class Line:
    """One measure or indicator across the partnerships."""

    key: str
    label: str
    unit: str
    decimals: int
    cells: list[Cell]
    country: Cell | None = None
    own_label: bool = False
    # The language of an indicator's name (the file's that named it first).
    language: str = ""


@dataclass
class Comparison:
    year: int
    snapshots: list[Snapshot]
    activity: list[Line]
    indicators: list[Line]

    def line(self, kind: str, key: str) -> Line | None:
        lines = self.activity if kind == "aktivitet" else self.indicators
        return next((line for line in lines if line.key == key), None)


def _cell(found: dict[str, Any] | None, decimals: int) -> Cell:
    if not found:
        return Cell(None, exchange.MISSING, decimals)
    return Cell(found.get("value"), found.get("status", exchange.MISSING), decimals)


def comparison(year: int) -> Comparison:
    """Every public snapshot of ``year`` side by side (one query)."""
    snapshots = sorted(
        public_snapshots().filter(year=year).select_related("partnership"),
        key=lambda s: s.name.casefold(),
    )
    activity = [
        Line(
            key=measure.key,
            label=str(measure.label),
            unit=str(measure.unit),
            decimals=measure.decimals,
            cells=[_cell(s.data["activity"].get(measure.key), measure.decimals) for s in snapshots],
        )
        for measure in exchange.MEASURES
    ]
    # Indicators in the order the first file that has each names them; the
    # country's figure from the first file that gives one.
    by_code: dict[str, Line] = {}
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for at, snapshot in enumerate(snapshots):
        for row in snapshot.data["indicators"]:
            rows[(at, row["code"])] = row
            line = by_code.get(row["code"])
            if line is None:
                line = by_code[row["code"]] = Line(
                    key=row["code"],
                    label=row["name"],
                    unit=row["unit"],
                    decimals=row.get("decimals", 0),
                    cells=[],
                    own_label=True,
                    language=snapshot.data["partnership"].get("language", "nb"),
                )
            country = _cell(row.get("country"), line.decimals)
            if line.country is None or (not line.country.shown and country.shown):
                line.country = country
    for line in by_code.values():
        line.cells = [
            _cell(rows.get((at, line.key)), line.decimals) for at in range(len(snapshots))
        ]
    return Comparison(
        year=year, snapshots=snapshots, activity=activity, indicators=list(by_code.values())
    )
