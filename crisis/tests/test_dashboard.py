"""The shared situational picture against hand-computed figures on a small
fixed data set, the partnership level, the action cards, and who may do what.

The data set (built through ``services.save_report``), two weekly periods P1
and P2 of a crisis that started two weeks ago:

- P1: Levanger a calm week (smittetall 4, lowest equipment 50 days
  åndedrettsvern, occupancy 82 of 104 places = 79 %, level 1); Namsos
  smittetall 10 and munnbind 30 days (level 2). The hospital does not report.
- P2: Levanger smittetall 12, frakker 20 days (level 3), sykehjem 95 of 100
  (occupancy 97 of 104 = 93 %, level 3), a special challenge; Namsos "no
  change" (level 2); the hospital smittetall 20, innlagte 7, staffing
  critical (level 3), a need for help. Frosta has a draft with smittetall 999,
  which must never count.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from crisis import dashboard, levels, periods, picture, services, trends
from crisis.models import ActionCard, Crisis, PartnershipLevel, Report
from crisis.tests.conftest import (
    frosta,
    hf,
    hnt,
    hospital_values,
    kommune_values,
    levanger,
    make_crisis,
    namsos,
    period,
)
from partnerships.models import Organisation, Region
from tests.matrix import PEOPLE

pytestmark = pytest.mark.django_db

INSIDERS_HNT = {"sara", "ada", "lena", "nils", "hanne", "stine", "siri", "kai"}
MANAGERS = {"sara", "ada"}


def verdal() -> Organisation:
    return Organisation.objects.get(municipality_number="5038")


def build(people: SimpleNamespace) -> SimpleNamespace:
    crisis = make_crisis(people.sara, weeks_ago=2)
    p2 = period(crisis)
    p1 = periods.previous(crisis.form, p2)
    assert periods.periods(crisis) == [p1, p2]

    def submit(org: Organisation, start: datetime.date, values: dict[str, Any], by: Any) -> None:
        services.save_report(crisis, org, start, values, by=by, submit=True)

    submit(levanger(), p1, kommune_values(), people.lena)
    submit(
        namsos(),
        p1,
        kommune_values(smittetall="10", **{"smittevernutstyr:munnbind": "30"}),
        people.nils,
    )
    submit(
        levanger(),
        p2,
        kommune_values(
            smittetall="12",
            utfordringer="Mangler smittefrakker",
            **{"smittevernutstyr:frakker": "20", "belegg:sykehjem": "95"},
        ),
        people.lena,
    )
    services.report_no_change(crisis, namsos(), p2, by=people.nils)
    submit(
        hf(),
        p2,
        hospital_values(innlagte="7", smittetall="20", personell="kritisk", behov="Sykepleiere"),
        people.hanne,
    )
    services.save_report(
        crisis, frosta(), p2, kommune_values(smittetall="999"), by=people.sara, submit=False
    )
    return SimpleNamespace(crisis=crisis, p1=p1, p2=p2)


def _after_deadlines(crisis: Crisis, start: datetime.date) -> datetime.datetime:
    return periods.deadline(crisis.form, levanger(), start) + datetime.timedelta(hours=1)


def _picture(crisis: Crisis, start: datetime.date, **kw: Any) -> picture.Picture:
    return picture.build(crisis, start, values=True, **kw)


def _row(shown: picture.Picture, org: Organisation) -> picture.Party:
    return next(p for p in shown.parties if p.organisation.pk == org.pk)


def _cell(shown: picture.Picture, org: Organisation, code: str) -> dashboard.Cell:
    columns = dashboard.columns(shown)
    index = [c.code for c in columns].index(code)
    return dashboard.cells(_row(shown, org), columns)[index]


def _series(shown: picture.Picture, code: str, name: str = "") -> list[Decimal | None]:
    trend = next(t for t in trends.of(shown).indicators if t.key == code)
    return (trend.series[0] if not name else next(s for s in trend.series if s.name == name)).values


# --- Figures ----------------------------------------------------------------------------


def test_the_columns_are_the_forms_key_indicators(people: Any) -> None:
    data = build(people)
    picture = _picture(data.crisis, data.p2)
    assert [c.code for c in dashboard.columns(picture)] == [
        "smittetall",
        "innlagte",
        "smittevernutstyr",
        "belegg",
        "personell",
        "overbelastning",
    ]
    assert [i.code for i in picture.text_indicators] == ["utfordringer", "behov"]


def test_cells_show_value_level_and_change_against_hand_computed_ones(people: Any) -> None:
    data = build(people)
    picture = _picture(data.crisis, data.p2)
    lev = levanger()

    count = _cell(picture, lev, "smittetall")
    assert (count.number, count.previous, count.change, count.direction) == (12, 4, 8, "up")
    assert count.level is None and count.worse is None  # no thresholds on case counts

    assert not _cell(picture, lev, "innlagte").applies  # only the hospital reports it

    equipment = _cell(picture, lev, "smittevernutstyr")
    assert (equipment.number, equipment.item_name, equipment.level) == (20, "Smittefrakker", 3)
    assert (equipment.previous, equipment.change, equipment.direction) == (50, -30, "down")
    assert equipment.worse is True  # fewer days is worse

    occupancy = _cell(picture, lev, "belegg")
    # 97 of 104 places = 93 %; the week before 82 of 104 = 79 %.
    assert (occupancy.number, occupancy.is_percent, occupancy.level) == (93, True, 3)
    assert (occupancy.previous, occupancy.change, occupancy.worse) == (79, 14, True)

    staffing = _cell(picture, lev, "personell")
    assert (staffing.number, staffing.level, staffing.direction) == (1, 1, "same")
    assert _cell(picture, lev, "overbelastning").number == 0

    row = _row(picture, lev)
    assert row.report is not None and row.earlier is not None
    assert (row.computed_level, row.declared_level, row.level, row.report.rule_version) == (
        3,
        None,
        3,
        1,
    )
    assert row.status == "submitted" and row.earlier.period_start == data.p1
    assert not row.report.no_change and row.change == "up" and row.earlier_level == 1


def test_no_change_and_a_party_without_an_earlier_report(people: Any) -> None:
    data = build(people)
    picture = _picture(data.crisis, data.p2)
    row = _row(picture, namsos())
    assert row.report is not None and row.report.no_change and row.level == 2
    assert row.change == "same"
    equipment = _cell(picture, namsos(), "smittevernutstyr")
    assert (equipment.number, equipment.item_name, equipment.direction) == (30, "Munnbind", "same")

    hospital = _row(picture, hf())
    assert hospital.level == 3 and hospital.earlier is None and hospital.change == ""
    assert _cell(picture, hf(), "innlagte").number == 7
    staffing = _cell(picture, hf(), "personell")
    assert (staffing.number, staffing.level, staffing.direction) == (3, 3, "")


def test_a_declared_party_level_counts_over_the_computed_one(people: Any) -> None:
    data = build(people)
    report = Report.objects.get(crisis=data.crisis, organisation=namsos(), period_start=data.p2)
    services.declare_level(
        report,
        level=4,
        reason="Utbrudd på sykehjem",
        by=people.nils,
        expected_version=report.version,
    )
    picture = _picture(data.crisis, data.p2)
    row = _row(picture, namsos())
    assert (row.computed_level, row.declared_level, row.level) == (2, 4, 4)
    assert row.report is not None and row.report.declared_reason == "Utbrudd på sykehjem"
    assert picture.computed_level == 4


def test_partnership_level_computed_declared_and_its_action_card(people: Any) -> None:
    data = build(people)
    picture = _picture(data.crisis, data.p2)
    assert picture.computed_level == 3 and picture.declared is None and picture.level == 3
    assert picture.action_card is not None and picture.action_card.level == 3
    assert _picture(data.crisis, data.p1).computed_level == 2

    services.declare_partnership_level(
        data.crisis, data.p2, level=4, reason="Sykehuset er fullt", by=people.sara
    )
    picture = _picture(data.crisis, data.p2)
    assert picture.computed_level == 3
    assert picture.declared is not None and picture.declared.level == 4
    assert picture.level == 4 and picture.action_card is not None
    assert picture.action_card.title == "Kritisk"


def test_who_has_not_reported_missing_then_late(people: Any) -> None:
    data = build(people)
    parties = services.parties_of(data.crisis)
    deadline = periods.deadline(data.crisis.form, verdal(), data.p2)

    before = _picture(data.crisis, data.p2, now=deadline - datetime.timedelta(hours=1))
    assert (before.submitted, before.expected) == (3, len(parties))
    assert before.share == round(Decimal(300) / len(parties))
    not_reported = {row.organisation.pk for row in before.not_reported}
    assert not_reported == {p.pk for p in parties} - {levanger().pk, namsos().pk, hf().pk}
    assert frosta().pk in not_reported  # a draft is not a report
    assert _row(before, verdal()).status == "missing" and before.late == []

    after = _picture(data.crisis, data.p2, now=deadline + datetime.timedelta(hours=1))
    assert _row(after, verdal()).status == "late"
    assert {row.organisation.pk for row in after.late} == not_reported


def test_trends_against_hand_computed_sums(people: Any) -> None:
    data = build(people)
    picture = _picture(data.crisis, data.p2)
    assert trends.of(picture).indicators[0].periods == [data.p1, data.p2]
    assert _series(picture, "smittetall") == [14, 42]  # 4+10; 12+10+20 (the draft's 999 not)
    assert _series(picture, "innlagte") == [None, 7]
    assert _series(picture, "smittevernutstyr") == [30, 20]  # the lowest of any party
    assert _series(picture, "smittevernutstyr", "Hansker") == [90, 90]
    # Occupancy: (82+82)/(104+104) = 79 %; (97+82+82)/(3×104) = 84 %.
    assert _series(picture, "belegg") == [79, 84]
    assert _series(picture, "belegg", "Sykehjem") == [80, 85]  # 160/200; 255/300
    assert _series(picture, "personell") == [0, 1]  # parties at challenging or critical
    assert _series(picture, "overbelastning") == [0, 0]  # parties answering yes


def test_levels_and_completeness_per_period(people: Any) -> None:
    data = build(people)
    picture = _picture(data.crisis, data.p2)
    expected = len(services.parties_of(data.crisis))
    first, second = trends.of(picture).levels
    assert (first.period_start, first.counts, first.submitted) == (
        data.p1,
        {1: 1, 2: 1, 3: 0, 4: 0},
        2,
    )
    assert (second.counts, second.submitted, second.expected) == (
        {1: 0, 2: 1, 3: 2, 4: 0},
        3,
        expected,
    )
    assert second.share == round(Decimal(300) / expected)


def test_trend_per_region_for_the_chosen_indicator(people: Any) -> None:
    data = build(people)
    region_trend = trends.of(_picture(data.crisis, data.p2), indicator="smittetall").regions
    assert region_trend is not None
    series = {s.name: s.values for s in region_trend.series}
    assert series["Innherred"] == [4, 12]
    assert series["Midtre Namdal"] == [10, 10]
    assert [v for name, v in series.items() if name not in ("Innherred", "Midtre Namdal")][-1] == [
        None,
        20,
    ]  # the hospital, outside the regions

    occupancy = trends.of(_picture(data.crisis, data.p2), indicator="belegg")
    assert occupancy.chosen is not None and occupancy.chosen.indicator.code == "belegg"
    assert occupancy.regions is not None
    series = {s.name: s.values for s in occupancy.regions.series}
    assert series["Innherred"] == [79, 93]


def test_special_challenges_and_needs_are_listed_per_party(people: Any) -> None:
    data = build(people)
    picture = _picture(data.crisis, data.p2)
    texts = {t.organisation.pk: t.entries for t in dashboard.texts(picture)}
    assert texts == {
        levanger().pk: [("Særlige utfordringer", "Mangler smittefrakker")],
        hf().pk: [("Behov for hjelp", "Sykepleiere")],
    }


def test_the_region_filter_keeps_the_regions_kommuner_and_the_hospital(people: Any) -> None:
    data = build(people)
    innherred = Region.objects.get(partnership=hnt(), name="Innherred")
    picture = _picture(data.crisis, data.p2, region_id=innherred.pk)
    shown = {row.organisation.pk for row in picture.parties}
    assert {levanger().pk, verdal().pk, hf().pk} <= shown
    assert namsos().pk not in shown and frosta().pk not in shown
    assert all(
        row.region_id == innherred.pk
        for row in picture.parties
        if row.organisation.kind == Organisation.Kind.KOMMUNE
    )
    assert _series(picture, "smittetall") == [4, 32]  # Levanger and the hospital
    assert picture.submitted == 2 and picture.expected == len(shown)
    # The partnership level still counts every party; the region's beside it.
    assert picture.computed_level == 3 and picture.region_level == 3


# --- The page ---------------------------------------------------------------------------


def _url(crisis: Crisis, suffix: str = "situasjon/") -> str:
    return f"/hnt/intern/krise/{crisis.pk}/{suffix}"


def test_the_page_shows_the_reporting_period_by_default(people: Any, as_person: Any) -> None:
    data = build(people)
    response = as_person("lena").get(_url(data.crisis))
    assert response.status_code == 200
    picture = response.context["picture"]
    assert picture.start == data.p2
    assert _row(picture, levanger()).own and not _row(picture, namsos()).own
    group = _row(picture, levanger()).group_key
    assert f'id="group-{group}"'.encode() in response.content
    parties = _group_page(as_person("lena"), data.crisis, group, data.p2)
    assert f'id="party-{levanger().pk}" data-status="submitted"'.encode() in parties.content
    chosen = as_person("lena").get(_url(data.crisis) + f"?period={data.p1.isoformat()}")
    assert chosen.context["picture"].start == data.p1
    # Any day of a period chooses it; nonsense falls back to the reporting period.
    midweek = data.p1 + datetime.timedelta(days=3)
    assert (
        as_person("lena")
        .get(_url(data.crisis) + f"?period={midweek.isoformat()}")
        .context["picture"]
        .start
        == data.p1
    )
    for bad in ("2001-01-01", "tull", "2999-01-01"):
        page = as_person("lena").get(_url(data.crisis) + f"?period={bad}&region=x")
        assert page.status_code == 200 and page.context["picture"].start == data.p2


def _group_page(client: Any, crisis: Crisis, key: int, start: datetime.date) -> Any:
    """A group's parties as htmx loads them into the picture."""
    response = client.get(
        _url(crisis, f"situasjon/gruppe/{key}/") + f"?period={start.isoformat()}",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    return response


def test_every_chart_has_a_table_with_the_same_numbers(people: Any, as_person: Any) -> None:
    data = build(people)
    client = as_person("sara")
    response = client.get(_url(data.crisis))
    html = response.content.decode()
    charts = [
        response.context["completeness_chart"],
        response.context["level_chart"],
        response.context["region_chart"],
        *response.context["trend_charts"],
    ]
    assert len(charts) == 3 + 6
    for chart in charts:
        assert f'id="{chart["id"]}-title"' in html
        # The table is not in the page until asked for; then htmx fetches it.
        assert f'id="{chart["id"]}-table"' not in html
        url = _url(data.crisis, f"situasjon/tabell/{chart['key']}/")
        assert f'hx-get="{url}?period=' in html
        table = client.get(
            url + f"?period={data.p2.isoformat()}&indicator=smittetall",
            headers={"HX-Request": "true"},
        ).content.decode()
        assert f'id="{chart["id"]}-table"' in table and "<html" not in table
        assert table.count("<tr>") == 1 + 2  # the header and two periods
        assert len(chart["rows"]) == 2
    # Without JavaScript the same address is a page of its own.
    page = client.get(_url(data.crisis, "situasjon/tabell/smittetall/"))
    assert page.status_code == 200 and b"<html" in page.content
    assert b'id="chart-smittetall-table"' in page.content
    assert client.get(_url(data.crisis, "situasjon/tabell/nothing/")).status_code == 404
    smittetall = next(c for c in charts if c["id"] == "chart-smittetall")
    assert [row["values"][0] for row in smittetall["rows"]] == [14, 42]
    assert [d["value"] for d in smittetall["lines"][0]["dots"]] == [14, 42]


def test_a_submit_shows_at_once(people: Any, as_person: Any) -> None:
    data = build(people)
    client = as_person("sara")
    before = client.get(_url(data.crisis)).context["picture"]
    assert _row(before, verdal()).report is None
    services.save_report(
        data.crisis, verdal(), data.p2, kommune_values(smittetall="77"), by=people.sara, submit=True
    )
    response = client.get(_url(data.crisis))
    after = response.context["picture"]
    assert after.submitted == before.submitted + 1
    assert _series(after, "smittetall")[-1] == 42 + 77
    group = _group_page(client, data.crisis, _row(after, verdal()).group_key, data.p2)
    assert _cell(group.context["picture"], verdal(), "smittetall").number == 77
    assert f'id="party-{verdal().pk}" data-status="submitted"'.encode() in group.content


def test_a_draft_does_not_show(people: Any, as_person: Any) -> None:
    data = build(people)
    picture = _picture(data.crisis, data.p2)
    assert _row(picture, frosta()).report is None
    columns = dashboard.columns(picture)
    assert all(cell.number is None for cell in dashboard.cells(_row(picture, frosta()), columns))
    client = as_person("sara")
    response = _group_page(client, data.crisis, _row(picture, frosta()).group_key, data.p2)
    html = response.content.decode()
    row = html[html.index(f'id="party-{frosta().pk}"') :]
    assert "999" not in row[: row.index("</tr>")]


def test_the_region_filter_on_the_page(people: Any, as_person: Any) -> None:
    data = build(people)
    innherred = Region.objects.get(partnership=hnt(), name="Innherred")
    response = as_person("stine").get(_url(data.crisis) + f"?region={innherred.pk}")
    shown = {row.organisation.pk for row in response.context["picture"].parties}
    assert levanger().pk in shown and namsos().pk not in shown


def test_observers_read_without_forms_and_may_not_declare(people: Any, as_person: Any) -> None:
    data = build(people)
    client = as_person("stine")
    response = client.get(_url(data.crisis))
    assert response.status_code == 200
    assert response.context["declare_form"] is None
    assert b"situasjon/niva/" not in response.content and b'name="reason"' not in response.content
    posted = client.post(
        _url(data.crisis, "situasjon/niva/"),
        {"period": data.p2.isoformat(), "level": "4", "reason": "x"},
    )
    assert posted.status_code == 403
    assert not PartnershipLevel.objects.filter(crisis=data.crisis).exists()
    cards = client.get(_url(data.crisis, "tiltakskort/"))
    assert cards.status_code == 200 and b'name="level"' not in cards.content


def test_the_secretariat_declares_and_takes_back_the_partnership_level(
    people: Any, as_person: Any
) -> None:
    data = build(people)
    client = as_person("sara")
    response = client.post(
        _url(data.crisis, "situasjon/niva/"),
        {"period": data.p1.isoformat(), "level": "4", "reason": "Sykehuset er fullt"},
    )
    assert response.status_code == 302
    assert response["Location"] == _url(data.crisis) + f"?period={data.p1.isoformat()}"
    declared = PartnershipLevel.objects.get(crisis=data.crisis, period_start=data.p1)
    assert (declared.level, declared.reason, declared.by) == (4, "Sykehuset er fullt", people.sara)
    page = client.get(response["Location"])
    assert page.context["picture"].level == 4
    assert page.context["declare_form"].initial["level"] == "4"
    assert b'id="action-card"' in page.content and b"Kritisk" in page.content

    taken_back = client.post(
        _url(data.crisis, "situasjon/niva/"),
        {"period": data.p1.isoformat(), "level": "", "reason": ""},
    )
    assert taken_back.status_code == 302
    assert not PartnershipLevel.objects.filter(crisis=data.crisis).exists()


def test_a_declared_level_needs_a_reason_and_keeps_the_input(people: Any, as_person: Any) -> None:
    data = build(people)
    response = as_person("sara").post(
        _url(data.crisis, "situasjon/niva/"),
        {"period": data.p1.isoformat(), "level": "3", "reason": "  "},
    )
    assert response.status_code == 400
    form = response.context["declare_form"]
    assert "reason" in form.errors and form.data["level"] == "3"
    assert response.context["picture"].start == data.p1
    assert not PartnershipLevel.objects.filter(crisis=data.crisis).exists()
    guarded = as_person("sara").post(
        _url(data.crisis, "situasjon/niva/"),
        {"period": data.p1.isoformat(), "level": "3", "reason": "Pasient 30108299920"},
    )
    assert guarded.status_code == 400 and "reason" in guarded.context["declare_form"].errors


def test_the_secretariat_edits_an_action_card(people: Any, as_person: Any) -> None:
    data = build(people)
    client = as_person("sara")
    page = client.get(_url(data.crisis, "tiltakskort/"))
    assert [e["card"].title for e in page.context["entries"]] == [
        "Normal drift",
        "Moderat press",
        "Alvorlig press",
        "Kritisk",
    ]
    response = client.post(
        _url(data.crisis, "tiltakskort/"),
        {"level": "2", "level2-title": "Gult nivå", "level2-actions": "Meld behov tidlig."},
    )
    assert response.status_code == 302
    card = ActionCard.objects.get(partnership=hnt(), level=2)
    assert (card.title, card.actions) == ("Gult nivå", "Meld behov tidlig.")

    refused = client.post(
        _url(data.crisis, "tiltakskort/"),
        {"level": "3", "level3-title": "", "level3-actions": "Dette beholdes"},
    )
    assert refused.status_code == 400
    form = refused.context["entries"][2]["form"]
    assert "title" in form.errors and form["actions"].value() == "Dette beholdes"
    assert b"Dette beholdes" in refused.content
    assert ActionCard.objects.get(partnership=hnt(), level=3).title == "Alvorlig press"

    guarded = client.post(
        _url(data.crisis, "tiltakskort/"),
        {"level": "1", "level1-title": "Normal", "level1-actions": "Ring 30108299920"},
    )
    assert guarded.status_code == 400
    assert client.post(_url(data.crisis, "tiltakskort/"), {"level": "9"}).status_code == 400


# --- Who may do what ----------------------------------------------------------------------


def _expected(person: str, *, write: bool, ok: int) -> int:
    if person == "anon":
        return 302
    if person not in INSIDERS_HNT:
        return 404
    if write and person not in MANAGERS:
        return 403
    return ok


CASES = [
    ("GET", "situasjon/", {}, False, 200),
    ("GET", "situasjon/?period=2020-01-06&region=1", {}, False, 200),
    ("POST", "situasjon/niva/", {"level": "2", "reason": "Press"}, True, 302),
    ("GET", "situasjon/gruppe/0/", {}, False, 200),
    ("GET", "situasjon/behov/", {}, False, 200),
    ("GET", "situasjon/tabell/levels/", {}, False, 200),
    ("GET", "situasjon/pdf/", {}, False, 200),
    ("GET", "tiltakskort/", {}, False, 200),
    ("POST", "tiltakskort/", {"level": "1", "level1-title": "T", "level1-actions": "A"}, True, 302),
]


@pytest.mark.parametrize(("method", "suffix", "data", "write", "ok"), CASES)
@pytest.mark.parametrize("person", PEOPLE)
def test_permission_matrix(
    people: Any,
    as_person: Any,
    method: str,
    suffix: str,
    data: dict[str, str],
    write: bool,
    ok: int,
    person: str,
) -> None:
    crisis = make_crisis(people.sara, weeks_ago=1)
    payload = {"period": period(crisis).isoformat(), **data}
    client = as_person(None if person == "anon" else person)
    url = _url(crisis, suffix)
    response = client.get(url) if method == "GET" else client.post(url, payload)
    assert response.status_code == _expected(person, write=write, ok=ok), (person, method, url)


@pytest.mark.parametrize("person", ["sara", "lena", "stine", "siri", "tor", "petter"])
def test_a_crisis_is_not_found_under_another_partnership(
    people: Any, as_person: Any, person: str
) -> None:
    crisis = make_crisis(people.sara, weeks_ago=1)
    for suffix in (
        "situasjon/",
        "tiltakskort/",
        "situasjon/gruppe/0/",
        "situasjon/behov/",
        "situasjon/tabell/levels/",
        "situasjon/pdf/",
    ):
        url = f"/stolav/intern/krise/{crisis.pk}/{suffix}"
        assert as_person(person).get(url).status_code == 404


def test_get_only_on_the_picture_and_post_only_on_the_declaration(
    people: Any, as_person: Any
) -> None:
    crisis = make_crisis(people.sara, weeks_ago=1)
    client = as_person("sara")
    assert client.post(_url(crisis), {}).status_code == 405
    assert client.get(_url(crisis, "situasjon/niva/")).status_code == 405


# --- What a person reads first -------------------------------------------------------


def test_the_parties_under_most_pressure_come_first(people: Any) -> None:
    data = build(people)
    rows = _picture(data.crisis, data.p2).parties
    levels = [row.level or 0 for row in rows]
    assert levels == sorted(levels, reverse=True)
    assert levels[0] == 3
    same_level = [row.organisation.name for row in rows if (row.level or 0) == 0]
    assert same_level == sorted(same_level)


def test_the_level_chart_draws_each_level_in_its_badges_colour(people: Any, as_person: Any) -> None:
    data = build(people)
    chart = as_person("sara").get(_url(data.crisis)).context["level_chart"]
    colours = [line["colour"] for line in chart["lines"]]
    assert colours == [levels.CHART_COLOURS[n] for n in (1, 2, 3, 4)]
    # Green, amber, red as the badges: success, warning, danger.
    assert colours[0] == "#2e6b30" and colours[2] == "#b3261e"


def test_the_action_card_names_its_level_once(people: Any, as_person: Any) -> None:
    data = build(people)
    page = as_person("sara").get(_url(data.crisis)).content.decode()
    card = page[page.index('id="action-card"') :]
    heading = card[: card.index("</h3>")]
    assert heading.count("Alvorlig press") + heading.count("alvorlig press") <= 1


def test_a_stood_down_crisis_takes_no_declared_level(people: Any, as_person: Any) -> None:
    data = build(people)
    Crisis.objects.filter(pk=data.crisis.pk).update(status=Crisis.Status.STOOD_DOWN)
    data.crisis.refresh_from_db()
    client = as_person("sara")
    page = client.get(_url(data.crisis))
    assert page.context["declare_form"] is None
    assert b'id="declare-heading"' not in page.content
    response = client.post(
        _url(data.crisis, "situasjon/niva/"),
        {"period": data.p2.isoformat(), "level": "4", "reason": "For sent"},
    )
    assert response.status_code == 302
    assert not PartnershipLevel.objects.filter(crisis=data.crisis).exists()
    with pytest.raises(ValidationError):
        services.declare_partnership_level(data.crisis, data.p2, level=2, reason="x", by=None)


# --- National scale: what needs attention first, the rest when asked for ----------------


def test_the_page_leads_with_what_needs_attention(people: Any, as_person: Any) -> None:
    data = build(people)
    response = as_person("sara").get(_url(data.crisis))
    shown = response.context["picture"]
    html = response.content.decode()
    # The partnership went from level 2 to 3; Levanger from 1 to 3.
    assert (shown.earlier_level, shown.level, shown.level_change) == (2, 3, "up")
    assert [p.organisation.pk for p in shown.changed] == [levanger().pk]
    assert {p.organisation.pk for p in shown.worst} == {levanger().pk, hf().pk}
    attention = html[html.index('id="summary-heading"') : html.index('id="changes-heading"')]
    assert "Level 3" in attention or "Nivå 3" in attention
    assert f'data-party="{levanger().pk}"' in attention  # among the worst
    changes = html[html.index('id="changes-heading"') : html.index('id="regions-heading"')]
    assert 'id="totals"' in changes and f'data-party="{levanger().pk}"' in changes
    # No party table and no values until a region is opened.
    assert 'id="party-' not in html and "Mangler smittefrakker" not in html
    # Every group is a row that opens to its parties.
    for group in shown.groups:
        assert f'id="group-{group.key}"' in html
        assert f'data-controls="group-{group.key}-parties"' in html
    levanger_group = _row(shown, levanger()).group_key
    region = next(g for g in shown.groups if g.key == levanger_group)
    # Innherred: Levanger (1 → 3) reported, Verdal has not.
    assert (region.level, region.earlier_level, region.submitted, region.worse) == (3, 1, 1, 1)


def test_a_group_shows_its_parties_only_and_an_unknown_group_is_404(
    people: Any, as_person: Any
) -> None:
    data = build(people)
    client = as_person("stine")
    shown = _picture(data.crisis, data.p2)
    key = _row(shown, namsos()).group_key
    response = _group_page(client, data.crisis, key, data.p2)
    parties = {p.organisation.pk for p in response.context["picture"].parties}
    assert namsos().pk in parties and levanger().pk not in parties and hf().pk not in parties
    assert b"<html" not in response.content
    page = client.get(_url(data.crisis, f"situasjon/gruppe/{key}/"))
    assert page.status_code == 200 and b"<html" in page.content
    # The same address answers htmx and a browser: caches keep them apart.
    assert "HX-Request" in response["Vary"] and "HX-Request" in page["Vary"]
    assert f'id="party-{namsos().pk}"'.encode() in page.content
    assert client.get(_url(data.crisis, "situasjon/gruppe/999999/")).status_code == 404


def test_the_needs_are_loaded_when_asked_for(people: Any, as_person: Any) -> None:
    data = build(people)
    client = as_person("sara")
    html = client.get(_url(data.crisis)).content.decode()
    assert "Sykepleiere" not in html and "situasjon/behov/" in html
    part = client.get(_url(data.crisis, "situasjon/behov/"), headers={"HX-Request": "true"})
    assert b"Sykepleiere" in part.content and b"Mangler smittefrakker" in part.content


def test_the_period_as_a_tagged_pdf_with_the_same_numbers(people: Any, as_person: Any) -> None:
    import io

    from pypdf import PdfReader

    data = build(people)
    response = as_person("sara").get(_url(data.crisis, "situasjon/pdf/"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    root: Any = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root.get("/Lang")
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert levanger().name in text and "Sykepleiere" in text
    # The smittetall trend as a table: 14 and 42 for the two periods.
    assert "14" in text and "42" in text
