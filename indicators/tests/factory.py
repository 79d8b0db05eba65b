"""Indicator values for the tests, stored directly (the importer is tested
on its own files)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from indicators.models import AreaKind, ImportBatch, ImportProfile, Indicator, IndicatorValue
from partnerships.models import Partnership

Figures = dict[str, tuple[object, object, object] | object]


def profile() -> ImportProfile:
    found, _new = ImportProfile.objects.get_or_create(
        product="test-product",
        defaults={"name": "Testprodukt", "source": "Testkilde", "format": "csv", "mapping": {}},
    )
    return found


def batch(partnership: Partnership, *, is_demo: bool = False) -> ImportBatch:
    return ImportBatch.objects.create(
        partnership=partnership,
        profile=profile(),
        status=ImportBatch.Status.APPLIED,
        file_name="test.csv",
        sha256="0" * 64,
        content=b"",
        retrieved_on=datetime.date(2025, 6, 1),
        is_demo=is_demo,
    )


def _d(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def store(
    partnership: Partnership,
    code: str,
    year: int,
    figures: Figures,
    *,
    in_batch: ImportBatch | None = None,
) -> None:
    """``figures`` maps a kommunenummer ("0" the country) to a value, or to
    (value, numerator, denominator); None stores a missing value."""
    in_batch = in_batch or batch(partnership)
    indicator = Indicator.objects.get(code=code)
    for area, given in figures.items():
        value, numerator, denominator = given if isinstance(given, tuple) else (given, None, None)
        IndicatorValue.objects.update_or_create(
            partnership=partnership,
            indicator=indicator,
            area_kind=AreaKind.COUNTRY if area == "0" else AreaKind.KOMMUNE,
            area_code=area,
            year=year,
            defaults={
                "value": _d(value),
                "numerator": _d(numerator),
                "denominator": _d(denominator),
                "status": "" if value is not None else "missing",
                "batch": in_batch,
            },
        )


def clear(partnership: Partnership) -> None:
    """No values and no imports (the demo's included)."""
    IndicatorValue.objects.filter(partnership=partnership).delete()
    ImportBatch.objects.filter(partnership=partnership).delete()
