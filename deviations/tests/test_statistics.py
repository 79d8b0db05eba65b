"""Statistics against figures computed by hand on a small, fixed data set.

The data set (all in 2025, submitted at noon local time):

====  ==========  ===========  ===  =====  =====  ==========  ========  ==========
 #    submitted   from → to    cat  guide  § 6-2  conseq.     answered  deadline
====  ==========  ===========  ===  =====  =====  ==========  ========  ==========
 1    01-10       Lev → HF     A    91     3      minor       01-20     01-31
 2    02-05       Lev → HF     C    91     5      none        03-10     02-26
 3    02-20       Nam → HF     C    –      –      moderate    –         03-13 open
 4    04-02       HF → Lev     C    92     5      serious     04-07     04-23
 5    05-15       HF → Nam     B    92     5      none        –         06-05 open
 6    06-30       Stj → Lev    D    –      1      minor       07-02     07-21
====  ==========  ===========  ===  =====  =====  ==========  ========  ==========

plus a draft (Lev → Nam, never counted) and one deviation from 2024-12-31
(outside the range 2025-01-01 – 2025-06-30).
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone, translation

from deviations import services, statistics
from deviations.models import Deviation, DeviationCategory, Guideline
from partnerships.models import Organisation, Partnership

START, END = datetime.date(2025, 1, 1), datetime.date(2025, 6, 30)


def org(number: str) -> Organisation:
    return Organisation.objects.get(municipality_number=number)


def trust(partnership: Partnership) -> Organisation:
    return Organisation.objects.get(
        kind=Organisation.Kind.HELSEFORETAK, participations__partnership=partnership
    )


def at(day: str, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour))
    )


def make_deviation(
    partnership: Partnership,
    by: Any,
    reporter: Organisation,
    receiver: Organisation,
    category: str,
    *,
    guideline: Guideline | None = None,
    point: int | None = None,
    consequence: str = "none",
    submitted: str | None = None,
    answered: str | None = None,
    deadline: str | None = None,
    status: str | None = None,
    description: str = "Epikrise manglet ved utskrivning.",
) -> Deviation:
    """A deviation reported through the real service, then moved in time."""
    data = {
        "reporting_organisation": reporter,
        "receiving_organisation": receiver,
        "receiving_unit": "Medisinsk avdeling",
        "occurred_at": timezone.now() - datetime.timedelta(days=1),
        "category": DeviationCategory.objects.get(partnership=partnership, code=category),
        "guideline": guideline,
        "section_point": point,
        "description": description,
        "consequence": consequence,
    }
    own = frozenset({reporter.pk})
    if submitted is None:
        return services.save_draft(partnership, data, by=by, own=own)
    deviation = services.report(partnership, data, by=by, own=own)
    changes: dict[str, Any] = {"submitted_at": at(submitted), "occurred_at": at(submitted, 8)}
    if deadline:
        changes["response_deadline"] = datetime.date.fromisoformat(deadline)
    if answered:
        deviation = services.answer(
            deviation,
            cause="Rutinen ble ikke fulgt.",
            measures="Opplæring av personalet.",
            side=services.RECEIVER,
            expected_version=deviation.version,
        )
        changes["first_answered_at"] = at(answered)
        changes["answered_at"] = at(answered)
    if status:
        changes["status"] = status
    Deviation.objects.filter(pk=deviation.pk).update(**changes)
    deviation.refresh_from_db()
    return deviation


def clear_deviations(partnership: Partnership) -> None:
    """Start from no deviations, whatever the demo holds."""
    Deviation.objects.filter(partnership=partnership).delete()
    services.ensure_categories(partnership)


def build_dataset(people: SimpleNamespace, hnt: Partnership) -> dict[str, Any]:
    clear_deviations(hnt)
    g91, _c = Guideline.objects.get_or_create(
        partnership=hnt, number=91, defaults={"name": "Innleggelse"}
    )
    g92, _c = Guideline.objects.get_or_create(
        partnership=hnt, number=92, defaults={"name": "Utskrivning"}
    )
    lev, nam, stj, hf = org("5037"), org("5007"), org("5035"), trust(hnt)
    rows = [
        make_deviation(hnt, people.lena, lev, hf, "A", guideline=g91, point=3,
                       consequence="minor", submitted="2025-01-10", answered="2025-01-20",
                       deadline="2025-01-31"),
        make_deviation(hnt, people.lena, lev, hf, "C", guideline=g91, point=5,
                       consequence="none", submitted="2025-02-05", answered="2025-03-10",
                       deadline="2025-02-26"),
        make_deviation(hnt, people.nils, nam, hf, "C", consequence="moderate",
                       submitted="2025-02-20", deadline="2025-03-13"),
        make_deviation(hnt, people.hanne, hf, lev, "C", guideline=g92, point=5,
                       consequence="serious", submitted="2025-04-02", answered="2025-04-07",
                       deadline="2025-04-23"),
        make_deviation(hnt, people.hanne, hf, nam, "B", guideline=g92, point=5,
                       consequence="none", submitted="2025-05-15", deadline="2025-06-05",
                       status=Deviation.Status.RECEIVED),
        make_deviation(hnt, people.siri, stj, lev, "D", point=1, consequence="minor",
                       submitted="2025-06-30", answered="2025-07-02", deadline="2025-07-21",
                       status=Deviation.Status.CLOSED),
    ]  # fmt: skip
    draft = make_deviation(hnt, people.lena, lev, nam, "A")
    outside = make_deviation(hnt, people.lena, lev, hf, "A", submitted="2024-12-31")
    return {"rows": rows, "draft": draft, "outside": outside, "g91": g91, "g92": g92}


def counts(rows: list[statistics.Row]) -> dict[str, int]:
    return {r.label: r.count for r in rows}


@pytest.fixture
def dataset(people: SimpleNamespace, hnt: Partnership) -> dict[str, Any]:
    return build_dataset(people, hnt)


def test_it_counts_the_breakdowns_as_computed_by_hand(
    dataset: dict[str, Any], hnt: Partnership
) -> None:
    with translation.override("en"):  # labels such as "No guideline given"
        figures = statistics.compute(
            Deviation.objects.filter(partnership=hnt), period="month", start=START, end=END
        )
    b = figures.breakdowns
    assert counts(b["category"]) == {
        "A Ved innleggelse": 1,
        "B Under opphold i spesialisthelsetjenesten": 1,
        "C Ved utskrivning": 3,
        "D Under opphold i kommunen": 1,
    }
    assert counts(b["guideline"]) == {
        "91 Innleggelse": 2,
        "92 Utskrivning": 2,
        "No guideline given": 2,
    }
    assert {r.key: r.count for r in b["section_point"]} == {"1": 1, "3": 1, "5": 3, "": 1}
    hf = trust(hnt).name
    assert counts(b["reporting_party"]) == {
        "Levanger kommune": 2,
        "Namsos kommune": 1,
        "Stjørdal kommune": 1,
        hf: 2,
    }
    assert counts(b["receiving_party"]) == {"Levanger kommune": 2, "Namsos kommune": 1, hf: 3}
    assert {r.key: r.count for r in b["direction"]} == {
        "kommune_hf": 3,
        "hf_kommune": 2,
        "kommune_kommune": 1,
    }
    assert counts(b["region"]) == {
        "Innherred": 2,
        "Midtre Namdal": 1,
        "Værnesregionen": 1,
        "No region": 2,
    }
    assert {r.key: r.count for r in b["consequence"]} == {
        "none": 2,
        "minor": 2,
        "moderate": 1,
        "serious": 1,
    }


def test_it_computes_time_to_answer_and_answers_within_the_deadline(
    dataset: dict[str, Any], hnt: Partnership
) -> None:
    figures = statistics.compute(Deviation.objects.filter(partnership=hnt), start=START, end=END)
    summary = figures.summary
    assert summary is not None
    assert summary.total == 6
    assert summary.answered == 4
    # 1: 10 days, in time; 2: 33 days, late; 4: 5 days, in time; 6: 2 days, in time.
    assert summary.answered_in_time == 3
    assert summary.share_in_time == 75.0
    assert summary.mean_days_to_answer == pytest.approx((10 + 33 + 5 + 2) / 4)
    # 3 and 5 are open and past their deadline (today is after 2025).
    assert summary.open_overdue == 2


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("month", [("januar 2025", 1), ("februar 2025", 2), ("mars 2025", 0),
                   ("april 2025", 1), ("mai 2025", 1), ("juni 2025", 1)]),
        ("quarter", [("1. kvartal 2025", 3), ("2. kvartal 2025", 3)]),
        ("year", [("2025", 6)]),
    ],
)  # fmt: skip
def test_it_counts_the_trend_per_period_with_empty_periods(
    dataset: dict[str, Any], hnt: Partnership, period: str, expected: list[tuple[str, int]]
) -> None:
    figures = statistics.compute(
        Deviation.objects.filter(partnership=hnt), period=period, start=START, end=END
    )
    assert [(r.label, r.count) for r in figures.trend] == expected


def test_drafts_and_deviations_outside_the_range_never_count(
    dataset: dict[str, Any], hnt: Partnership
) -> None:
    wide = statistics.compute(
        Deviation.objects.filter(partnership=hnt),
        period="year",
        start=datetime.date(2024, 1, 1),
        end=END,
    )
    # The 2024 deviation counts once the range holds it; the draft never does.
    assert [(r.label, r.count) for r in wide.trend] == [("2024", 1), ("2025", 6)]
    assert wide.summary is not None and wide.summary.total == 7


def test_a_coordinator_sees_the_figures_of_their_own_parties(
    dataset: dict[str, Any], hnt: Partnership, people: SimpleNamespace
) -> None:
    from deviations.access import handling_organisation_ids, visible_deviations
    from partnerships.access import PartnershipAccess

    access = PartnershipAccess.for_user(hnt, people.nils)
    seen = visible_deviations(access, handling_organisation_ids(access))
    figures = statistics.compute(seen, period="quarter", start=START, end=END)
    # Namsos reported 3 and received 5.
    assert figures.summary is not None and figures.summary.total == 2
    assert {r.key: r.count for r in figures.breakdowns["direction"]} == {
        "kommune_hf": 1,
        "hf_kommune": 1,
        "kommune_kommune": 0,
    }


def test_the_direction_in_sql_agrees_with_the_service(
    dataset: dict[str, Any], hnt: Partnership
) -> None:
    rows = (
        Deviation.objects.filter(partnership=hnt)
        .exclude(status=Deviation.Status.DRAFT)
        .select_related("reporting_organisation", "receiving_organisation")
        .annotate(sql_direction=statistics.direction_expression())
    )
    assert [d.sql_direction for d in rows] == [services.direction(d) for d in rows]  # type: ignore[attr-defined]


def test_the_page_shows_the_figures_and_no_free_text(
    dataset: dict[str, Any], as_person: Any
) -> None:
    response = as_person("sara").get(
        "/hnt/intern/avvik/statistikk/?period=quarter&start=2025-01-01&end=2025-06-30"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<td class="num" id="stat-total">6</td>' in html
    assert '<td class="num" id="stat-answered">4</td>' in html
    assert '<td class="num" id="stat-in-time">3 (75 %)</td>' in html
    assert "1. kvartal 2025" in html and "2. kvartal 2025" in html
    assert "Epikrise manglet" not in html
    assert "Rutinen ble ikke fulgt" not in html
    assert 'role="img"' in html and "<caption>" in html
    assert "style=" not in html.split("<main", 1)[-1]


def test_it_explains_a_reversed_range(dataset: dict[str, Any], as_person: Any) -> None:
    response = as_person("sara").get(
        "/hnt/intern/avvik/statistikk/?start=2025-06-30&end=2025-01-01"
    )
    assert response.status_code == 200
    # The default range (last 24 months) is shown instead, and the error.
    assert response.context["form"].non_field_errors()


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (7, "5"), (8, "10"), (12, "10"), (13, "15")],
)
def test_public_figures_suppress_small_counts_and_round_the_rest(count: int, shown: str) -> None:
    assert statistics.public_figure(count) == shown
