"""The indicator catalogue, the products' import profiles and the national
daily rates, shipped as data in this folder (``catalogue.json``,
``profiles/*.json``, ``daily_rates.json``) and kept in the database, where
the administrator can change them.

:func:`sync` runs after every ``migrate``: it adds what is missing and leaves
what is there as the administrator left it. ``manage.py
load_indicator_catalogue --update`` overwrites it with the shipped files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "catalogue.json"
PROFILES = HERE / "profiles"
DAILY_RATES = HERE / "daily_rates.json"

INDICATOR_FIELDS = (
    "name",
    "unit",
    "computation",
    "definition",
    "source",
    "source_url",
    "suppress_below",
    "decimals",
    "priced_per_unit",
    "samspill_source",
)


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def shipped_profiles() -> list[dict[str, Any]]:
    return [_load(path) for path in sorted(PROFILES.glob("*.json"))]


@transaction.atomic
def sync(*, update: bool = False) -> dict[str, int]:
    """Add (or, with ``update``, overwrite) the shipped catalogue, profiles
    and daily rates; how many rows were written, by kind."""
    from indicators.models import DailyRate, ImportProfile, Indicator

    written = {"indicators": 0, "profiles": 0, "daily_rates": 0}
    for position, entry in enumerate(_load(CATALOGUE)):
        values = {name: entry[name] for name in INDICATOR_FIELDS if name in entry}
        values["position"] = position
        if update:
            Indicator.objects.update_or_create(code=entry["code"], defaults=values)
            written["indicators"] += 1
        elif not Indicator.objects.filter(code=entry["code"]).exists():
            Indicator.objects.create(code=entry["code"], **values)
            written["indicators"] += 1
    for mapping in shipped_profiles():
        values = {
            "name": mapping["name"],
            "source": mapping.get("source", ""),
            "table": mapping.get("table", ""),
            "format": mapping["format"],
            "mapping": mapping,
        }
        if update:
            ImportProfile.objects.update_or_create(product=mapping["product"], defaults=values)
            written["profiles"] += 1
        elif not ImportProfile.objects.filter(product=mapping["product"]).exists():
            ImportProfile.objects.create(product=mapping["product"], **values)
            written["profiles"] += 1
    for rate in _load(DAILY_RATES):
        if update or not DailyRate.objects.filter(year=rate["year"]).exists():
            DailyRate.objects.update_or_create(
                year=rate["year"], defaults={"amount": rate["amount"], "source": rate["source"]}
            )
            written["daily_rates"] += 1
    return written


def on_post_migrate(sender: Any, **kwargs: Any) -> None:
    if sender.name == "indicators":
        sync()
