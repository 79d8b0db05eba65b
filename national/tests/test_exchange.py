"""The file for the national comparison: what a partnership exports is
what the annual report's public figures say, it reads back, and every
broken file is refused with where and what, its identity numbers never
echoed."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from annual import figures as annual_figures
from annual import services as annual_services
from annual.models import AnnualReport
from core import disclosure
from deviations.models import DeviationConfig
from national import exchange
from partnerships.models import Partnership

SAMPLE = Path(__file__).parent / "samples" / "fjordkysten-2025.json"
FNR = "15078810022"


def sample() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SAMPLE.read_text())
    return loaded


def problems_of(document: Any) -> list[exchange.Problem]:
    reading = exchange.read(exchange.dumps(document))
    assert reading.document is None
    return reading.problems


def test_the_sample_file_reads_whole() -> None:
    reading = exchange.read(SAMPLE.read_bytes())
    assert reading.problems == []
    assert reading.document is not None
    assert reading.document["partnership"]["id"] == "fjordkysten"
    assert reading.document["activity"]["crisis_reports"] == {"value": None, "status": "suppressed"}


def _latest_busy_year(hnt: Partnership) -> int:
    """The year of HNT's latest held meeting (on 1 January the new year has
    none yet)."""
    from councils.models import Meeting

    latest = (
        Meeting.objects.filter(council__partnership=hnt, status=Meeting.Status.HELD)
        .order_by("-starts_at")
        .first()
    )
    assert latest is not None
    return timezone.localtime(latest.starts_at).year


@pytest.mark.django_db
def test_the_export_is_the_annual_reports_public_figures(people: Any) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    DeviationConfig.objects.update_or_create(partnership=hnt, defaults={"public_statistics": True})
    year = _latest_busy_year(hnt)
    report = AnnualReport.objects.filter(partnership=hnt, year=year).first()
    adopted = report is not None and report.status == AnnualReport.Status.ADOPTED
    if adopted and report is not None:
        shown = annual_services.figures_of(report, public=True)
    else:
        shown = annual_figures.year_figures(hnt, year, public=True)
    document = exchange.build(hnt, year)
    activity = document["activity"]
    assert activity["meetings_held"] == {"value": shown["meetings"]["held"], "status": "figure"}
    assert shown["meetings"]["held"] > 0
    assert activity["decisions"]["value"] == shown["decisions"]["decisions"]
    assert activity["agreements_revised"]["value"] == len(shown["agreements"]["in_force"])
    assert str(activity["deviations"]["value"]) == shown["deviations"]["total"]
    if not adopted:
        # Rounded as the public deviation statistics round (one rule, core.disclosure).
        assert shown["deviations"]["total"] == disclosure.rounded_count(
            annual_figures.year_figures(hnt, year, public=False)["deviations"]["total"]
        )
    assert document["report_adopted"] is adopted
    assert document["partnership"]["id"] == "hnt"
    assert document["partnership"]["kommuner"] == 19
    assert exchange.read(exchange.dumps(document)).problems == []


@pytest.mark.django_db
def test_no_deviation_figure_leaves_a_partnership_that_does_not_publish_them(
    people: Any,
) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    DeviationConfig.objects.update_or_create(partnership=hnt, defaults={"public_statistics": False})
    document = exchange.build(hnt, AnnualReport.objects.get(partnership=hnt, status="draft").year)
    missing = {"value": None, "status": "missing"}
    for key in ("deviations", "deviations_answered_in_time_share", "deviation_days_to_answer"):
        assert document["activity"][key] == missing
    codes = {row["code"] for row in document["indicators"]}
    assert "avvik-meldt" not in codes and "avvik-mottatt" not in codes


@pytest.mark.django_db
def test_an_adopted_year_exports_the_figures_as_adopted(people: Any) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    adopted = AnnualReport.objects.get(partnership=hnt, status="adopted")
    assert adopted.figures is not None
    frozen = copy.deepcopy(adopted.figures)
    frozen["meetings"]["held"] = 97  # as if it had been so when adopted
    AnnualReport.objects.filter(pk=adopted.pk).update(figures=frozen)
    document = exchange.build(hnt, adopted.year)
    assert document["report_adopted"] is True
    assert document["activity"]["meetings_held"]["value"] == 97


@pytest.mark.django_db
def test_small_indicator_figures_are_not_in_the_export(people: Any) -> None:
    """An indicator the public pages hide is "suppressed" in the file."""
    figures = {
        "indicators": [
            {
                "code": "x",
                "name": "X",
                "unit": "per 1 000",
                "decimals": 1,
                "partnership": {"value": None, "status": "hidden"},
                "country": {"value": 2.5, "status": ""},
            }
        ]
    }
    (row,) = exchange.indicators(figures)
    assert row["value"] is None and row["status"] == "suppressed"
    assert row["country"] == {"value": 2.5, "status": "figure"}


def _activity_figures(deviations: dict[str, Any]) -> dict[str, Any]:
    return {
        "meetings": {"held": 3},
        "decisions": {"decisions": 4, "followups": {"done": 3, "planned": 1, "cancelled": 5}},
        "agreements": {"in_force": [], "ratifications": {"adopted": 2, "pending": 2}},
        "deviations": deviations,
        "plan": {"progress": 42.26},
        "representation": {"input_rounds": 1},
        "crisis": {"reports": 0},
    }


def test_activity_shares_leave_cancelled_follow_ups_out() -> None:
    found = exchange.activity(
        _activity_figures(
            {"total": "20", "answered": "20", "answered_in_time": "15", "mean_days_to_answer": 9.04}
        )
    )
    assert found["followups_done_share"] == {"value": 75.0, "status": "figure"}
    assert found["ratified_share"] == {"value": 50.0, "status": "figure"}
    assert found["deviations_answered_in_time_share"] == {"value": 75.0, "status": "figure"}
    assert found["deviation_days_to_answer"] == {"value": 9.0, "status": "figure"}
    assert found["plan_progress"] == {"value": 42.3, "status": "figure"}


def test_a_small_number_of_deviations_hides_their_share_and_mean() -> None:
    found = exchange.activity(
        _activity_figures(
            {"total": "<5", "answered": "<5", "answered_in_time": "<5", "mean_days_to_answer": 3}
        )
    )
    hidden = {"value": None, "status": "suppressed"}
    assert found["deviations"] == hidden
    assert found["deviations_answered_in_time_share"] == hidden
    assert found["deviation_days_to_answer"] == hidden


def _broken(change: Any) -> dict[str, Any]:
    document = sample()
    change(document)
    return document


BROKEN = [
    ("format", lambda d: d.update(format="something-else"), "/format"),
    ("version", lambda d: d.update(version=2), "/version"),
    ("year text", lambda d: d.update(year="2025"), "/year"),
    ("year future", lambda d: d.update(year=2999), "/year"),
    ("no name", lambda d: d["partnership"].pop("name"), "/partnership/name"),
    ("bad id", lambda d: d["partnership"].update(id="Fjord Kysten"), "/partnership/id"),
    ("language", lambda d: d["partnership"].update(language="sv"), "/partnership/language"),
    ("inhabitants", lambda d: d["partnership"].update(inhabitants=-3), "/partnership/inhabitants"),
    ("missing measure", lambda d: d["activity"].pop("decisions"), "/activity/decisions"),
    ("unknown measure", lambda d: d["activity"].update(extra={}), "/activity/extra"),
    (
        "bad status",
        lambda d: d["activity"]["decisions"].update(status="ok"),
        "/activity/decisions/status",
    ),
    (
        "value as text",
        lambda d: d["activity"]["decisions"].update(value="21"),
        "/activity/decisions/value",
    ),
    (
        "value as true",
        lambda d: d["activity"]["decisions"].update(value=True),
        "/activity/decisions/value",
    ),
    (
        "suppressed with a value",
        lambda d: d["activity"]["crisis_reports"].update(value=3),
        "/activity/crisis_reports/value",
    ),
    ("indicators not a list", lambda d: d.update(indicators={}), "/indicators"),
    (
        "duplicate indicator",
        lambda d: d["indicators"].append(dict(d["indicators"][0])),
        "/indicators/3/code",
    ),
    ("bad decimals", lambda d: d["indicators"][1].update(decimals=9), "/indicators/1/decimals"),
    ("no country", lambda d: d["indicators"][0].pop("country"), "/indicators/0/country"),
]


@pytest.mark.parametrize(("change", "where"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_broken_file_is_refused_with_where(change: Any, where: str) -> None:
    found = problems_of(_broken(change))
    assert where in [p.where for p in found], found
    assert all(p.message for p in found)


def test_the_line_of_a_problem_is_where_it_is_in_the_file() -> None:
    document = sample()
    document["indicators"][1]["decimals"] = 9
    text = exchange.dumps(document).decode()
    (problem,) = exchange.read(text.encode()).problems
    assert problem.where == "/indicators/1/decimals"
    assert problem.line is not None
    assert '"decimals": 9' in text.splitlines()[problem.line - 1]


def test_every_problem_is_reported_not_only_the_first() -> None:
    document = sample()
    document["activity"]["decisions"]["value"] = "x"
    document["indicators"][0]["unit"] = ""
    found = [p.where for p in problems_of(document)]
    assert found == ["/activity/decisions/value", "/indicators/0/unit"]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b'{"format": "samspill-nasjonal-sammenligning",\n  "version": 1,,}', "line 2, column"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"version": NaN}', "not valid JSON"),
        (b"x" * (exchange.MAX_BYTES + 1), "larger than"),
        (b"[]", "Expected an object"),
    ],
    ids=["syntax", "encoding", "deep", "nan", "big", "array"],
)
def test_what_is_not_a_json_document_is_refused(data: bytes, says: str) -> None:
    reading = exchange.read(data)
    assert reading.document is None
    assert says in " ".join(p.message for p in reading.problems)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["partnership"].update(name=f"Fjordkysten {FNR}"),
        lambda d: d["partnership"].update(name=f"Fjordkysten {FNR[:6]} {FNR[6:]}"),
        lambda d: d["indicators"][0].update(name=f"Utskrivningsklare\u200b{FNR}"),
        lambda d: d["activity"]["decisions"].update(value=int(FNR)),
        lambda d: d.update(source=f"https://x.example/{FNR}"),
    ],
    ids=["name", "spaced", "invisible", "number", "source"],
)
def test_an_identity_number_anywhere_is_refused_and_never_echoed(change: Any) -> None:
    found = problems_of(_broken(change))
    assert any("identity number" in p.message for p in found)
    shown = " ".join(f"{p.where} {p.message}" for p in found)
    assert FNR not in shown.replace(" ", "") and FNR[:6] not in shown
