"""Bringing statistics files in: read, dry run, store.

1. :func:`start_import` reads a file through its product's profile. A file
   with any error stores nothing and the errors come back, each with its row
   and column. A good file is kept as a pending batch: nothing is stored in
   the figures yet.
2. :func:`dry_run` shows what the batch would change: new figures, changed
   ones (with the figure they replace), and how many stay as they are.
3. :func:`apply_import` stores it, in one transaction, once: a second
   confirmation of the same batch changes nothing. Imports of one
   partnership are stored one at a time.

Only the partnership's own kommuner and the whole country are kept; the
other areas of a national file are counted and left out.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import parsing
from indicators.models import AreaKind, ImportBatch, ImportProfile, Indicator, IndicatorValue
from partnerships.models import Organisation, Participation, Partnership

PLACES = Decimal("0.0001")
Key = tuple[int, str, str, int]  # indicator, area kind, area code, year


@dataclass
class Change:
    new: parsing.ParsedValue
    old: IndicatorValue | None

    @property
    def kind(self) -> str:
        if self.old is None:
            return "new"
        return "unchanged" if _same(self.old, self.new) else "changed"


@dataclass
class Reading:
    """A file read for one partnership: its values for the partnership's
    kommuner and the country, or its errors."""

    values: list[parsing.ParsedValue] = field(default_factory=list)
    errors: list[parsing.ParseError] = field(default_factory=list)
    skipped_areas: int = 0
    outside: int = 0  # values for kommuner outside the partnership


@dataclass
class DryRun:
    batch: ImportBatch
    reading: Reading
    changes: list[Change]

    def of_kind(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def counts(self) -> dict[str, int]:
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        for change in self.changes:
            counts[change.kind] += 1
        return counts


def _q(number: Decimal | None) -> Decimal | None:
    return None if number is None else number.quantize(PLACES)


def _same(old: IndicatorValue, new: parsing.ParsedValue) -> bool:
    return (
        _q(old.value) == _q(new.value)
        and _q(old.numerator) == _q(new.numerator)
        and _q(old.denominator) == _q(new.denominator)
        and old.status == new.status
    )


def mapping_of(profile: ImportProfile) -> dict[str, Any]:
    """The profile as :mod:`indicators.parsing` reads it: its mapping, with
    the format the profile names (where to fetch it is not the parser's)."""
    mapping = {k: v for k, v in profile.mapping.items() if k != "fetch"}
    return {**mapping, "format": profile.format}


def kommune_numbers(partnership: Partnership) -> set[str]:
    return set(
        Participation.objects.current()
        .filter(partnership=partnership, organisation__kind=Organisation.Kind.KOMMUNE)
        .values_list("organisation__municipality_number", flat=True)
    )


def read(partnership: Partnership, profile: ImportProfile, data: bytes) -> Reading:
    # Samspill's own indicators are computed, never imported.
    known = set(Indicator.objects.filter(samspill_source="").values_list("code", flat=True))
    problems = parsing.validate_profile(mapping_of(profile), known_indicators=known)
    if problems:
        return Reading(
            errors=[
                parsing.ParseError(
                    row=None,
                    column=None,
                    message=_("The product's mapping is wrong: %(problem)s") % {"problem": p},
                )
                for p in problems
            ]
        )
    result = parsing.parse(mapping_of(profile), data, known_indicators=known)
    if result.errors:
        return Reading(errors=result.errors)
    ours = kommune_numbers(partnership)
    reading = Reading(skipped_areas=result.skipped_areas)
    for value in result.values:
        if value.area_kind == AreaKind.COUNTRY or (
            value.area_kind == AreaKind.KOMMUNE and value.area_code in ours
        ):
            reading.values.append(value)
        else:
            reading.outside += 1
    if not reading.values:
        reading.errors.append(
            parsing.ParseError(
                row=None,
                column=None,
                message=_(
                    "The file holds no figures for the partnership's kommuner or the country."
                ),
            )
        )
    return reading


def start_import(
    partnership: Partnership,
    profile: ImportProfile,
    *,
    file_name: str,
    data: bytes,
    retrieved_on: Any,
    by: Any,
    client_key: uuid.UUID | None = None,
    fetched_from: str = "",
    is_demo: bool = False,
) -> tuple[ImportBatch | None, Reading]:
    """Read the file; keep it as a pending batch if it has no error."""
    key = str(client_key) if client_key else ""
    if key:
        existing = ImportBatch.objects.filter(partnership=partnership, client_key=key).first()
        if existing is not None:
            return existing, read(partnership, existing.profile, bytes(existing.content))
    reading = read(partnership, profile, data)
    if reading.errors:
        return None, reading
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                partnership=partnership,
                profile=profile,
                file_name=file_name[:255],
                sha256=hashlib.sha256(data).hexdigest(),
                content=data,
                retrieved_on=retrieved_on,
                fetched_from=fetched_from,
                created_by=by if getattr(by, "pk", None) else None,
                is_demo=is_demo,
                client_key=key,
            )
    except IntegrityError:
        batch = ImportBatch.objects.get(partnership=partnership, client_key=key)
    return batch, reading


def _existing(
    partnership: Partnership, values: list[parsing.ParsedValue]
) -> tuple[dict[str, Indicator], dict[Key, IndicatorValue]]:
    codes = {v.indicator for v in values}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    years = {v.year for v in values}
    stored = IndicatorValue.objects.filter(
        partnership=partnership, indicator__in=list(indicators.values()), year__in=years
    )
    return indicators, {(v.indicator_id, v.area_kind, v.area_code, v.year): v for v in stored}


def _key(indicators: dict[str, Indicator], value: parsing.ParsedValue) -> Key:
    return (indicators[value.indicator].pk, value.area_kind, value.area_code, value.year)


def dry_run(batch: ImportBatch) -> DryRun:
    reading = read(batch.partnership, batch.profile, bytes(batch.content))
    if reading.errors:
        return DryRun(batch=batch, reading=reading, changes=[])
    indicators, stored = _existing(batch.partnership, reading.values)
    changes = [Change(new=v, old=stored.get(_key(indicators, v))) for v in reading.values]
    return DryRun(batch=batch, reading=reading, changes=changes)


class ImportRefused(Exception):
    """The batch can no longer be stored (discarded, or its file no longer
    reads with the product's mapping as it is now)."""


def apply_import(batch_id: int, partnership: Partnership, *, by: Any) -> ImportBatch:
    """Store a pending batch; a batch already stored is returned unchanged."""
    with transaction.atomic():
        # One import of the partnership at a time.
        Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
        batch = (
            ImportBatch.objects.select_for_update()
            .select_related("profile", "partnership")
            .get(pk=batch_id, partnership=partnership)
        )
        if batch.status == ImportBatch.Status.APPLIED:
            return batch
        if batch.status != ImportBatch.Status.PENDING:
            raise ImportRefused(_("This import was discarded."))
        run = dry_run(batch)
        if run.reading.errors:
            raise ImportRefused(_("The file no longer reads with the product's mapping."))
        indicators, _stored = _existing(batch.partnership, run.reading.values)
        new, changed = [], []
        for change in run.changes:
            v = change.new
            fields = {
                "value": _q(v.value),
                "numerator": _q(v.numerator),
                "denominator": _q(v.denominator),
                "status": v.status,
                "area_name": v.area_name[:200],
                "batch": batch,
            }
            if change.old is None:
                new.append(
                    IndicatorValue(
                        partnership=partnership,
                        indicator=indicators[v.indicator],
                        area_kind=v.area_kind,
                        area_code=v.area_code,
                        year=v.year,
                        **fields,
                    )
                )
            elif change.kind == "changed":
                for name, value in fields.items():
                    setattr(change.old, name, value)
                changed.append(change.old)
        IndicatorValue.objects.bulk_create(new, batch_size=500)
        IndicatorValue.objects.bulk_update(
            changed,
            ["value", "numerator", "denominator", "status", "area_name", "batch"],
            batch_size=500,
        )
        counts = run.counts
        batch.status = ImportBatch.Status.APPLIED
        batch.applied = timezone.now()
        batch.applied_by = by if getattr(by, "pk", None) else None
        batch.new_values = counts["new"]
        batch.changed_values = counts["changed"]
        batch.unchanged_values = counts["unchanged"]
        batch.save()
        return batch


def discard_import(batch_id: int, partnership: Partnership) -> ImportBatch:
    """Drop a pending batch and its file; a stored one stays as it is."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id, partnership=partnership)
        if batch.status == ImportBatch.Status.PENDING:
            batch.status = ImportBatch.Status.DISCARDED
            batch.content = b""
            batch.save(update_fields=["status", "content"])
        return batch
