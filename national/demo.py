"""The national comparison in the demo: HNT and St. Olav's partnership both
take part and publish the year of HNT's adopted annual report and this
year so far, and HNT's
secretariat has imported the files of a third, invented partnership
("Helsefellesskap Fjordkysten", demo figures) through the same import as
any file, so the national page compares three partnerships."""

from __future__ import annotations

import random
from typing import Any

from django.utils import timezone

from annual.models import AnnualReport
from national import exchange, services
from national.models import Snapshot
from partnerships.models import Partnership

IMPORTED_ID = "fjordkysten"
IMPORTED_NAME = "Helsefellesskap Fjordkysten (demo)"


def _year(hnt: Partnership) -> int:
    adopted = (
        AnnualReport.objects.filter(partnership=hnt, status=AnnualReport.Status.ADOPTED)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return adopted or timezone.localdate().year - 1


def _invented(document: dict[str, Any]) -> dict[str, Any]:
    """Another partnership's file: HNT's figures moved by fixed random
    factors, so the three differ believably (deterministic)."""
    rng = random.Random(19)
    out = {**document, "source": f"https://fjordkysten.example/nasjonalt/{document['year']}.json"}
    out["partnership"] = {
        "id": IMPORTED_ID,
        "name": IMPORTED_NAME,
        "language": "nb",
        "kommuner": 14,
        "inhabitants": 96_400,
        "demo": True,
    }

    def moved(figure: dict[str, Any], decimals: int, cap: float | None = None) -> dict[str, Any]:
        if figure["status"] != exchange.FIGURE:
            return dict(figure)
        value = figure["value"] * rng.uniform(0.7, 1.3)
        if cap is not None:
            value = min(value, cap)
        return {"value": round(value, decimals) if decimals else round(value), "status": "figure"}

    # This partnership publishes its deviation statistics (HNT's demo does not).
    invented = {
        "deviations": 185,
        "deviations_answered_in_time_share": 81.4,
        "deviation_days_to_answer": 12.6,
    }
    activity = {}
    for measure in exchange.MEASURES:
        if measure.key in invented:
            activity[measure.key] = {"value": invented[measure.key], "status": exchange.FIGURE}
            continue
        figure = document["activity"][measure.key]
        percent = str(measure.unit) == str(exchange.PERCENT)
        decimals = 1 if percent or measure.decimals else 0
        activity[measure.key] = moved(figure, decimals, 100.0 if percent else None)
    out["activity"] = activity
    share = 96_400 / (document["partnership"]["inhabitants"] or 96_400)

    def population(row: dict[str, Any]) -> dict[str, Any]:
        if row["status"] != exchange.FIGURE:
            return {}
        return {"value": round(row["value"] * share)}

    out["indicators"] = [
        {
            **row,
            **(population(row) if row["code"].startswith("befolkning") else moved(row, 1)),
            "country": dict(row["country"]),
        }
        for row in document["indicators"]
    ]
    return out


def build_national_demo(people: dict[str, Any]) -> int:
    """Return how many snapshots the demo holds (none built twice)."""
    hnt = Partnership.objects.filter(slug="hnt").first()
    stolav = Partnership.objects.filter(slug="stolav").first()
    if hnt is None or stolav is None or Snapshot.objects.exists():
        return 0
    services.set_sharing(hnt, True, by=people["sara"])
    services.set_sharing(stolav, True, by=people["petter"])
    # The adopted year, and this year so far (the demo's meetings are now).
    for year in sorted({_year(hnt), timezone.localdate().year}):
        hnt_snapshot = services.publish(hnt, year, by=people["sara"])
        services.publish(stolav, year, by=people["petter"])
        outcome = services.import_file(
            hnt,
            file_name=f"{IMPORTED_ID}-{year}.json",
            data=exchange.dumps(_invented(hnt_snapshot.data)),
            by=people["sara"],
            replace=False,
        )
        assert outcome.snapshot is not None, outcome.problems
    return Snapshot.objects.count()
