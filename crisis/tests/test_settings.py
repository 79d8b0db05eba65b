"""The secretariat's crisis settings: indicators, report forms, lines and
rules as data. A new crisis indicator needs no code change (made here, it is
asked for on the parties' report page and validated like the others);
threshold changes version the level rule; what reports use stays fixed;
double submits add once, concurrent edits are refused; every URL × every
named person; pinned query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crisis import services
from crisis.catalogue import ensure_covid_form
from crisis.models import (
    Crisis,
    CrossRule,
    FormIndicator,
    Indicator,
    LevelRule,
    Report,
    ReportForm,
    Value,
)
from crisis.settings_forms import IndicatorForm, LineForm, ReportFormForm, items_text
from crisis.setup import fingerprint, order_fingerprint
from crisis.tests.conftest import hnt, kommune_values, levanger, make_crisis, period
from partnerships.models import Partnership
from tests.matrix import PEOPLE

INSIDERS = {"sara", "ada", "lena", "nils", "hanne", "stine", "siri", "kai"}
MANAGERS = {"sara", "ada"}
BASE = "/hnt/intern/krise/innstillinger/"
IDENTITY_NUMBER = "30108299920"


def _expect(ok: int, *, managers: set[str] = MANAGERS) -> dict[str, int]:
    """``ok`` for the secretariat and administrators, 403 for the other
    insiders, 404 for outsiders and St. Olavs, the log-in page for anonymous."""
    result = {p: ok if p in managers else 403 if p in INSIDERS else 404 for p in PEOPLE}
    result["anon"] = 302
    return result


# Wrong method: insiders are told so (405); outsiders still get 404.
WRONG_METHOD = _expect(405, managers=INSIDERS)


def _num(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def indicator_data(indicator: Indicator, **values: Any) -> dict[str, Any]:
    """The indicator's edit form as the page fills it, with ``values`` changed."""
    data: dict[str, Any] = {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "help_text": indicator.help_text,
        "value_type": indicator.value_type,
        "items": items_text(indicator.items),
        **{
            name: _num(getattr(indicator, name))
            for name in (
                "min_value",
                "max_value",
                "soft_min",
                "soft_max",
                "level2_at",
                "level3_at",
                "level4_at",
            )
        },
        "relative_to": indicator.relative_to_id or "",
        "loaded": fingerprint(indicator, IndicatorForm.tracked) if indicator.pk else "",
        "lower_is_worse": indicator.lower_is_worse,
        "active": indicator.active,
    }
    data.update(values)
    for name in ("lower_is_worse", "active"):
        if data.pop(name):
            data[name] = "on"
    return data


def new_indicator_data(code: str = "oksygen", **values: Any) -> dict[str, Any]:
    return indicator_data(
        Indicator(
            code=code,
            name="Oksygen på lager",
            unit="dager",
            value_type=Indicator.ValueType.INTEGER,
            min_value=Decimal(0),
            max_value=Decimal(500),
            soft_max=Decimal(200),
            level2_at=Decimal(14),
            level3_at=Decimal(7),
            lower_is_worse=True,
        ),
        **values,
    )


def form_data(report_form: ReportForm, **values: Any) -> dict[str, Any]:
    data = {
        name: getattr(report_form, name)
        for name in ReportFormForm.tracked
        if getattr(report_form, name) is not None
    }
    if report_form.pk:
        data["loaded"] = fingerprint(report_form, ReportFormForm.tracked)
    data.update(values)
    return data


NEW_FORM = {
    "code": "oksygen-dogn",
    "name": "Oksygen døgnrapport",
    "period_type": "daily",
    "deadline_hours_kommune": "12",
    "deadline_hours_hospital": "6",
    "reminder_hours_before": "3",
    "lock_after_days": "7",
}


def line_data(line: FormIndicator, **values: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "section": line.section,
        "applies_to": line.applies_to,
        "loaded": fingerprint(line, LineForm.tracked),
    }
    if line.required:
        data["required"] = "on"
    if line.key:
        data["key"] = "on"
    data.update(values)
    return data


def new_line_data(indicator: Indicator, **values: Any) -> dict[str, Any]:
    data = {
        "line-indicator": indicator.pk,
        "line-section": "Oksygen",
        "line-required": "on",
        "line-applies_to": "all",
    }
    data.update(values)
    return data


def _form_url(report_form: ReportForm, rest: str = "") -> str:
    return f"{BASE}skjema/{report_form.pk}/{rest}"


@pytest.fixture
def setup(people: Any) -> dict[str, Any]:
    partnership = hnt()
    covid = ensure_covid_form(partnership)
    spare = Indicator.objects.create(
        partnership=partnership, code="ubrukt", name="Ubrukt", value_type="integer"
    )
    other = Indicator.objects.create(
        partnership=partnership, code="ubrukt-2", name="Ubrukt 2", value_type="integer"
    )
    own = ReportForm.objects.create(partnership=partnership, code="eget", name="Eget skjema")
    line = FormIndicator.objects.create(form=own, indicator=spare, position=0)
    FormIndicator.objects.create(form=own, indicator=other, position=1)
    rule = CrossRule.objects.create(
        form=own, left=spare, operator="le", right=other, message="Ubrukt ≤ ubrukt 2"
    )
    stolav = Partnership.objects.get(slug="stolav")
    return {
        "hnt": partnership,
        "covid": covid,
        "spare": spare,
        "other": other,
        "own": own,
        "line": line,
        "rule": rule,
        "stolav_indicator": Indicator.objects.create(
            partnership=stolav, code="x", name="X", value_type="integer"
        ),
        "stolav_form": ReportForm.objects.create(partnership=stolav, code="x", name="X"),
        "smittetall": Indicator.objects.get(partnership=partnership, code="smittetall"),
    }


# --- Who may come ------------------------------------------------------------------------


def _cases(s: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], dict[str, int]]]:
    spare, own, line, rule = s["spare"], s["own"], s["line"], s["rule"]
    line_url = _form_url(own, f"linjer/{line.pk}/")
    order = order_fingerprint(
        list(own.lines.order_by("position", "pk").values_list("pk", flat=True))
    )
    return [
        ("GET", BASE, {}, _expect(200)),
        ("POST", BASE, {}, WRONG_METHOD),
        ("POST", f"{BASE}covid-19/", {}, _expect(302)),
        ("GET", f"{BASE}covid-19/", {}, WRONG_METHOD),
        ("GET", f"{BASE}indikatorer/ny/", {}, _expect(200)),
        ("POST", f"{BASE}indikatorer/ny/", new_indicator_data(), _expect(302)),
        ("POST", f"{BASE}indikatorer/ny/", {"code": "x"}, _expect(400)),
        ("GET", f"{BASE}indikatorer/{spare.pk}/", {}, _expect(200)),
        (
            "POST",
            f"{BASE}indikatorer/{spare.pk}/",
            indicator_data(spare, name="Nytt navn"),
            _expect(302),
        ),
        ("POST", f"{BASE}indikatorer/{spare.pk}/", indicator_data(spare, name=""), _expect(400)),
        ("POST", f"{BASE}indikatorer/{s['smittetall'].pk}/slett/", {}, _expect(302)),
        ("GET", f"{BASE}indikatorer/{spare.pk}/slett/", {}, WRONG_METHOD),
        ("GET", f"{BASE}indikatorer/999999/", {}, _expect(404)),
        # St. Olavs' indicator and form asked for under /hnt/: not found.
        ("GET", f"{BASE}indikatorer/{s['stolav_indicator'].pk}/", {}, _expect(404)),
        ("POST", f"{BASE}indikatorer/{s['stolav_indicator'].pk}/slett/", {}, _expect(404)),
        ("GET", _form_url(s["stolav_form"]), {}, _expect(404)),
        ("GET", f"{BASE}skjema/ny/", {}, _expect(200)),
        ("POST", f"{BASE}skjema/ny/", NEW_FORM, _expect(302)),
        ("POST", f"{BASE}skjema/ny/", {"code": "?"}, _expect(400)),
        ("GET", _form_url(own), {}, _expect(200)),
        ("POST", _form_url(own), form_data(own, name="Nytt navn"), _expect(302)),
        ("POST", _form_url(own), form_data(own, lock_after_days="-1"), _expect(400)),
        ("POST", _form_url(own, "slett/"), {}, _expect(302)),
        ("POST", _form_url(own, "linjer/ny/"), new_line_data(s["smittetall"]), _expect(302)),
        ("POST", _form_url(own, "linjer/ny/"), {}, _expect(400)),
        ("GET", _form_url(own, "linjer/ny/"), {}, WRONG_METHOD),
        ("GET", line_url, {}, _expect(200)),
        ("POST", line_url, line_data(line, section="Ny"), _expect(302)),
        ("POST", line_url, line_data(line, applies_to="?"), _expect(400)),
        ("GET", _form_url(s["covid"], f"linjer/{line.pk}/"), {}, _expect(404)),
        ("POST", f"{line_url}flytt/", {"direction": "down", "order": order}, _expect(302)),
        ("POST", f"{line_url}fjern/", {}, _expect(302)),
        (
            "POST",
            _form_url(own, "regler/ny/"),
            {
                "rule-left": s["other"].pk,
                "rule-operator": "ge",
                "rule-right": spare.pk,
                "rule-severity": "warning",
                "rule-message": "Sjekk",
            },
            _expect(302),
        ),
        ("POST", _form_url(own, "regler/ny/"), {"rule-left": spare.pk}, _expect(400)),
        ("POST", _form_url(own, f"regler/{rule.pk}/fjern/"), {}, _expect(302)),
        ("GET", _form_url(own, f"regler/{rule.pk}/fjern/"), {}, WRONG_METHOD),
    ]


def test_permission_matrix(as_person: Any, setup: dict[str, Any]) -> None:
    """Each request runs in a savepoint rolled back after it, so every
    person meets the same state."""
    clients = {key: as_person(None if key == "anon" else key) for key in PEOPLE}
    failures = []
    for method, url, data, expected in _cases(setup):
        for key in PEOPLE:
            with transaction.atomic():
                client = clients[key]
                response = client.get(url) if method == "GET" else client.post(url, data)
                transaction.set_rollback(True)
            if response.status_code != expected[key]:
                failures.append(
                    f"{method} {url} {key}: expected {expected[key]}, got {response.status_code}"
                )
    assert not failures, "\n".join(failures)


def test_the_writes_in_the_matrix_really_happened(as_person: Any, setup: dict[str, Any]) -> None:
    """The 302s above are successes, not refusals in disguise (deleting a
    used indicator is refused: it stays, and so does its page)."""
    sara = as_person("sara")
    s = setup
    sara.post(f"{BASE}indikatorer/ny/", new_indicator_data())
    assert Indicator.objects.get(partnership=s["hnt"], code="oksygen").max_value == 500
    sara.post(f"{BASE}indikatorer/{s['spare'].pk}/", indicator_data(s["spare"], name="Nytt"))
    assert Indicator.objects.get(pk=s["spare"].pk).name == "Nytt"
    sara.post(f"{BASE}indikatorer/{s['smittetall'].pk}/slett/")
    assert Indicator.objects.filter(pk=s["smittetall"].pk).exists()
    sara.post(f"{BASE}skjema/ny/", NEW_FORM)
    assert ReportForm.objects.get(partnership=s["hnt"], code="oksygen-dogn").period_type == "daily"
    sara.post(_form_url(s["own"]), form_data(s["own"], name="Nytt"))
    assert ReportForm.objects.get(pk=s["own"].pk).name == "Nytt"
    sara.post(_form_url(s["own"], "linjer/ny/"), new_line_data(s["smittetall"]))
    assert FormIndicator.objects.filter(form=s["own"], indicator=s["smittetall"]).exists()
    line_url = _form_url(s["own"], f"linjer/{s['line'].pk}/")
    sara.post(line_url, line_data(s["line"], section="Ny"))
    assert FormIndicator.objects.get(pk=s["line"].pk).section == "Ny"
    sara.post(f"{line_url}fjern/")
    assert not FormIndicator.objects.filter(pk=s["line"].pk).exists()
    sara.post(_form_url(s["own"], f"regler/{s['rule'].pk}/fjern/"))
    assert not CrossRule.objects.filter(pk=s["rule"].pk).exists()
    sara.post(_form_url(s["own"], "slett/"))
    assert not ReportForm.objects.filter(pk=s["own"].pk).exists()


def test_the_index_links_here_for_those_who_manage(as_person: Any, setup: dict[str, Any]) -> None:
    url = reverse("crisis:settings", args=["hnt"])
    assert url == BASE
    assert url in as_person("sara").get("/hnt/intern/krise/").content.decode()
    assert url not in as_person("stine").get("/hnt/intern/krise/").content.decode()


# --- A new crisis indicator needs no code change -------------------------------------------


def test_a_new_indicator_made_here_is_reported_and_validated(
    as_person: Any, setup: dict[str, Any], people: Any
) -> None:
    sara = as_person("sara")
    crisis = make_crisis(people.sara)
    response = sara.post(f"{BASE}indikatorer/ny/", new_indicator_data())
    assert response.status_code == 302
    oksygen = Indicator.objects.get(partnership=setup["hnt"], code="oksygen")
    assert LogEntry.objects.get_for_object(oksygen).get().actor == people.sara
    response = sara.post(_form_url(crisis.form, "linjer/ny/"), new_line_data(oksygen))
    assert response.status_code == 302
    line = FormIndicator.objects.get(form=crisis.form, indicator=oksygen)
    assert line.position == crisis.form.lines.count() - 1  # at the end

    # Levanger's coordinator finds it on the report page …
    start = period(crisis)
    page = reverse("crisis:report", args=["hnt", crisis.pk, levanger().pk, start.isoformat()])
    response = as_person("lena").get(page)
    assert response.status_code == 200
    assert "value.oksygen" in response.context["form"].fields
    assert 'name="value.oksygen"' in response.content.decode()

    # … its hard limit refuses a value there and in the shared check …
    refused = services.check(crisis.form, levanger(), {"oksygen": "900"}, {}, complete=False).errors
    assert list(refused) == ["oksygen"]
    response = as_person("lena").post(
        page,
        {
            **{f"value.{k}": v for k, v in kommune_values(oksygen="900").items()},
            "version": 0,
            "action": "submit",
        },
    )
    assert response.status_code == 400
    assert "value.oksygen" in response.context["form"].errors

    # … and a right value is stored with the report and sets its level.
    report = services.save_report(
        crisis,
        levanger(),
        start,
        kommune_values(oksygen="10"),
        by=people.lena,
        submit=True,
    )
    assert Value.objects.get(report=report, indicator=oksygen).number == 10
    assert report.computed_level == 2  # below 14 days, not below 7


def test_a_threshold_change_makes_a_new_rule_version_for_the_next_submit(
    as_person: Any, setup: dict[str, Any], people: Any
) -> None:
    crisis = make_crisis(people.sara)
    smittetall = setup["smittetall"]
    before = services.current_rule(setup["hnt"]).version
    url = f"{BASE}indikatorer/{smittetall.pk}/"
    response = as_person("sara").post(url, indicator_data(smittetall, level2_at="100"))
    assert response.status_code == 302
    rule = LevelRule.objects.filter(partnership=setup["hnt"]).latest("version")
    assert rule.version == before + 1
    assert rule.created_by == people.sara
    assert rule.thresholds["smittetall"]["level2_at"] == "100"
    # A save that changes no threshold makes no version.
    smittetall.refresh_from_db()
    as_person("sara").post(url, indicator_data(smittetall, name="Nye smittede"))
    assert LevelRule.objects.filter(partnership=setup["hnt"]).latest("version") == rule

    report = services.save_report(
        crisis,
        levanger(),
        period(crisis),
        kommune_values(smittetall="150"),
        by=people.lena,
        submit=True,
    )
    assert report.rule_version == rule.version
    assert report.computed_level == 2
    page = as_person("sara").get(BASE)
    assert page.context["rule"].version == rule.version


# --- What reports use stays fixed -----------------------------------------------------------


def _report_with_values(people: Any) -> Report:
    crisis = make_crisis(people.sara)
    return services.save_report(
        crisis, levanger(), period(crisis), kommune_values(), by=people.lena, submit=True
    )


def test_code_and_type_can_change_until_a_report_holds_a_value(
    as_person: Any, setup: dict[str, Any], people: Any
) -> None:
    sara = as_person("sara")
    spare = setup["spare"]
    url = f"{BASE}indikatorer/{spare.pk}/"
    response = sara.post(url, indicator_data(spare, code="nytt", value_type="decimal"))
    assert response.status_code == 302
    spare.refresh_from_db()
    assert (spare.code, spare.value_type) == ("nytt", "decimal")

    _report_with_values(people)
    smittetall = setup["smittetall"]
    url = f"{BASE}indikatorer/{smittetall.pk}/"
    form = sara.get(url).context["form"]
    assert form.fields["code"].disabled and form.fields["value_type"].disabled
    response = sara.post(
        url, indicator_data(smittetall, code="smitte", value_type="text", name="Smitte")
    )
    assert response.status_code == 302
    smittetall.refresh_from_db()
    assert (smittetall.code, smittetall.value_type, smittetall.name) == (
        "smittetall",
        "integer",
        "Smitte",
    )


def test_the_code_is_unique_in_the_partnership(as_person: Any, setup: dict[str, Any]) -> None:
    spare = setup["spare"]
    response = as_person("sara").post(
        f"{BASE}indikatorer/{spare.pk}/", indicator_data(spare, code="ubrukt-2")
    )
    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    response = as_person("sara").post(f"{BASE}indikatorer/ny/", new_indicator_data("ubrukt-2"))
    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    assert response.context["form"].data["name"] == "Oksygen på lager"  # kept


def test_items_with_values_cannot_be_removed_but_renamed(
    as_person: Any, setup: dict[str, Any], people: Any
) -> None:
    _report_with_values(people)
    equipment = Indicator.objects.get(partnership=setup["hnt"], code="smittevernutstyr")
    url = f"{BASE}indikatorer/{equipment.pk}/"
    kept = [i for i in equipment.items if i["code"] != "munnbind"]
    response = as_person("sara").post(url, indicator_data(equipment, items=items_text(kept)))
    assert response.status_code == 400
    errors = response.context["form"].errors["items"]
    assert "munnbind" in errors[0] and "hansker" not in errors[0]
    renamed = [{**i, "name": i["name"].upper()} for i in equipment.items]
    added = [*renamed, {"code": "hetter", "name": "Hetter"}]
    response = as_person("sara").post(url, indicator_data(equipment, items=items_text(added)))
    assert response.status_code == 302
    equipment.refresh_from_db()
    assert equipment.items == added


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("", True),
        ("a;A\nb;B\n\n", True),
        ("a;A\na;B", False),  # the same code twice
        ("a", False),  # no name
        ("a;", False),
        ("æ ø;Navn", False),  # not a slug
    ],
)
def test_the_breakdown_is_one_item_per_line(setup: dict[str, Any], text: str, ok: bool) -> None:
    form = IndicatorForm(
        new_indicator_data(items=text),
        instance=Indicator(partnership=setup["hnt"]),
        partnership=setup["hnt"],
    )
    assert form.is_valid() is ok, form.errors


@pytest.mark.parametrize(
    ("values", "wrong"),
    [
        ({"level2_at": "14", "level3_at": "7", "level4_at": "2"}, None),
        ({"level2_at": "14", "level3_at": "", "level4_at": "2"}, None),
        ({"level2_at": "7", "level3_at": "14"}, "level3_at"),
        ({"level2_at": "7", "level3_at": "7"}, "level3_at"),
        ({"lower_is_worse": False, "level2_at": "7", "level3_at": "14"}, None),
        ({"lower_is_worse": False, "level2_at": "14", "level3_at": "7"}, "level3_at"),
        ({"lower_is_worse": False, "level3_at": "14", "level4_at": "7"}, "level4_at"),
        (
            {"value_type": "level", "lower_is_worse": False, "level2_at": "2", "level3_at": "3"},
            None,
        ),
        ({"value_type": "level", "lower_is_worse": False, "level2_at": "5"}, "level2_at"),
        (
            {"value_type": "boolean", "lower_is_worse": False, "level2_at": "", "level3_at": "1"},
            None,
        ),
        (
            {"value_type": "boolean", "lower_is_worse": False, "level2_at": "", "level3_at": "2"},
            "level3_at",
        ),
        ({"value_type": "text", "min_value": "", "max_value": "", "soft_max": ""}, "level2_at"),
        ({"min_value": "10", "max_value": "5"}, "max_value"),
        ({"soft_max": "600"}, "max_value"),  # above the highest allowed
        ({"soft_min": "-1"}, "soft_min"),  # below the lowest allowed
        ({"soft_min": "300", "soft_max": "200"}, "soft_max"),
    ],
)
def test_limits_and_thresholds_must_be_in_order(
    setup: dict[str, Any], values: dict[str, Any], wrong: str | None
) -> None:
    form = IndicatorForm(
        new_indicator_data(**values),
        instance=Indicator(partnership=setup["hnt"]),
        partnership=setup["hnt"],
    )
    assert form.is_valid() is (wrong is None), form.errors
    if wrong:
        assert wrong in form.errors, form.errors


def test_a_share_needs_another_number_with_the_same_breakdown(setup: dict[str, Any]) -> None:
    hnt_ = setup["hnt"]
    capacity = Indicator.objects.get(partnership=hnt_, code="kapasitet")
    occupied = Indicator.objects.get(partnership=hnt_, code="belegg")

    def form(indicator: Indicator, **values: Any) -> IndicatorForm:
        return IndicatorForm(
            indicator_data(indicator, **values), instance=indicator, partnership=hnt_
        )

    assert form(occupied).is_valid()
    assert "relative_to" in form(setup["spare"], relative_to=capacity.pk).errors
    assert "relative_to" in form(occupied, relative_to=occupied.pk).errors  # not itself
    # Capacity keeps the breakdown occupied beds are a share of.
    assert "items" in form(capacity, items="sykehjem;Sykehjem").errors


# --- Deleting, removing, moving -------------------------------------------------------------


def test_an_indicator_in_use_is_only_taken_out_of_use(
    as_person: Any, setup: dict[str, Any], people: Any
) -> None:
    sara = as_person("sara")
    smittetall = setup["smittetall"]
    response = sara.get(f"{BASE}indikatorer/{smittetall.pk}/")
    assert response.context["blockers"]
    sara.post(f"{BASE}indikatorer/{smittetall.pk}/slett/")
    assert Indicator.objects.filter(pk=smittetall.pk).exists()
    sara.post(f"{BASE}indikatorer/{smittetall.pk}/", indicator_data(smittetall, active=False))
    assert not Indicator.objects.get(pk=smittetall.pk).active
    crisis = make_crisis(people.sara)
    assert "smittetall" not in {line.indicator.code for line in services.form_lines(crisis.form)}

    lone = Indicator.objects.create(
        partnership=setup["hnt"], code="ny", name="Ny", value_type="text"
    )
    assert sara.get(f"{BASE}indikatorer/{lone.pk}/").context["blockers"] == []
    sara.post(f"{BASE}indikatorer/{lone.pk}/slett/")
    assert not Indicator.objects.filter(pk=lone.pk).exists()
    entry = LogEntry.objects.filter(object_pk=str(lone.pk), action=LogEntry.Action.DELETE).get()
    assert entry.actor == people.sara


def test_a_form_a_crisis_uses_keeps_its_period_and_is_not_deleted(
    as_person: Any, setup: dict[str, Any], people: Any
) -> None:
    crisis = make_crisis(people.sara)
    sara = as_person("sara")
    url = _form_url(crisis.form)
    fields = sara.get(url).context["form"].fields
    assert fields["period_type"].disabled and fields["code"].disabled
    sara.post(
        url, form_data(crisis.form, code="ny", period_type="daily", deadline_hours_kommune=48)
    )
    crisis.form.refresh_from_db()
    assert (crisis.form.code, crisis.form.period_type, crisis.form.deadline_hours_kommune) == (
        "covid-19-ukerapport",
        "weekly",
        48,
    )
    sara.post(_form_url(crisis.form, "slett/"))
    assert Crisis.objects.get(pk=crisis.pk).form_id == crisis.form.pk


def test_removing_a_line_keeps_the_reports_values(
    as_person: Any, setup: dict[str, Any], people: Any
) -> None:
    report = _report_with_values(people)
    form = report.crisis.form
    occupied = FormIndicator.objects.get(form=form, indicator__code="belegg")
    stored = Value.objects.filter(report=report, indicator=occupied.indicator).count()
    assert stored == 3 and form.rules.count() == 1
    response = as_person("sara").post(_form_url(form, f"linjer/{occupied.pk}/fjern/"))
    assert response.status_code == 302
    assert not FormIndicator.objects.filter(pk=occupied.pk).exists()
    assert Value.objects.filter(report=report, indicator=occupied.indicator).count() == stored
    assert form.rules.count() == 0  # its rule (occupied ≤ capacity) went with it
    # A second click finds it gone and changes nothing.
    response = as_person("sara").post(_form_url(form, f"linjer/{occupied.pk}/fjern/"))
    assert response.status_code == 302


def test_lines_move_up_and_down_once_per_click(as_person: Any, setup: dict[str, Any]) -> None:
    own = setup["own"]
    first, second = list(own.lines.order_by("position", "pk"))
    order = order_fingerprint([first.pk, second.pk])
    url = _form_url(own, f"linjer/{first.pk}/flytt/")
    sara = as_person("sara")
    assert sara.post(url, {"direction": "down", "order": order}).status_code == 302
    assert list(own.lines.order_by("position", "pk")) == [second, first]
    # The double click comes with the old order: nothing more moves.
    assert sara.post(url, {"direction": "down", "order": order}).status_code == 302
    assert list(own.lines.order_by("position", "pk")) == [second, first]
    order = order_fingerprint([second.pk, first.pk])
    sara.post(url, {"direction": "up", "order": order})
    assert list(own.lines.order_by("position", "pk")) == [first, second]
    assert [line.position for line in own.lines.order_by("position")] == [0, 1]


def test_a_rule_compares_two_numbers_with_the_same_breakdown(
    as_person: Any, setup: dict[str, Any]
) -> None:
    covid = setup["covid"]
    url = _form_url(covid, "regler/ny/")
    ids = {i.code: i.pk for i in Indicator.objects.filter(partnership=setup["hnt"])}

    def post(left: str, right: str) -> Any:
        return as_person("sara").post(
            url,
            {
                "rule-left": ids[left],
                "rule-operator": "le",
                "rule-right": ids[right],
                "rule-severity": "error",
                "rule-message": "Regel",
            },
        )

    assert "right" in post("smittetall", "kapasitet").context["rule_form"].errors
    assert "right" in post("smittetall", "smittetall").context["rule_form"].errors
    assert "left" in post("utfordringer", "smittetall").context["rule_form"].errors  # text
    assert "left" in post("ubrukt", "smittetall").context["rule_form"].errors  # not on it
    assert post("smitte-institusjon", "smittetall").status_code == 302


def test_texts_pass_the_identity_number_guard(as_person: Any, setup: dict[str, Any]) -> None:
    sara = as_person("sara")
    response = sara.post(f"{BASE}indikatorer/ny/", new_indicator_data(help_text=IDENTITY_NUMBER))
    assert response.status_code == 400 and "help_text" in response.context["form"].errors
    response = sara.post(f"{BASE}indikatorer/ny/", new_indicator_data(items=f"a;{IDENTITY_NUMBER}"))
    assert response.status_code == 400 and "items" in response.context["form"].errors
    response = sara.post(
        _form_url(setup["own"], "regler/ny/"),
        {
            "rule-left": setup["spare"].pk,
            "rule-operator": "le",
            "rule-right": setup["other"].pk,
            "rule-severity": "error",
            "rule-message": IDENTITY_NUMBER,
        },
    )
    assert response.status_code == 400 and "message" in response.context["rule_form"].errors


# --- Double submits and concurrent edits ------------------------------------------------------


def test_a_double_submit_adds_once(as_person: Any, setup: dict[str, Any]) -> None:
    sara = as_person("sara")
    own = setup["own"]
    rule = {
        "rule-left": setup["other"].pk,
        "rule-operator": "ge",
        "rule-right": setup["spare"].pk,
        "rule-severity": "warning",
        "rule-message": "Sjekk",
    }
    for _click in range(2):
        assert sara.post(f"{BASE}indikatorer/ny/", new_indicator_data()).status_code == 302
        assert sara.post(f"{BASE}skjema/ny/", NEW_FORM).status_code == 302
        line = new_line_data(setup["smittetall"])
        assert sara.post(_form_url(own, "linjer/ny/"), line).status_code == 302
        assert sara.post(_form_url(own, "regler/ny/"), rule).status_code == 302
    assert Indicator.objects.filter(partnership=setup["hnt"], code="oksygen").count() == 1
    assert ReportForm.objects.filter(partnership=setup["hnt"], code="oksygen-dogn").count() == 1
    assert own.lines.filter(indicator=setup["smittetall"]).count() == 1
    assert own.rules.filter(message="Sjekk").count() == 1
    # The same code with other values is another indicator: refused.
    response = sara.post(f"{BASE}indikatorer/ny/", new_indicator_data(name="Annet"))
    assert response.status_code == 400 and "code" in response.context["form"].errors


def test_a_concurrent_edit_is_refused_not_overwritten(
    as_person: Any, setup: dict[str, Any]
) -> None:
    spare = setup["spare"]
    url = f"{BASE}indikatorer/{spare.pk}/"
    loaded = indicator_data(spare)
    # Someone else saves a new name meanwhile.
    assert as_person("ada").post(url, indicator_data(spare, name="Adas")).status_code == 302
    response = as_person("sara").post(url, {**loaded, "unit": "stk"})
    assert response.status_code == 409
    assert response.context["form"].conflicts
    assert response.context["form"].data["unit"] == "stk"  # kept
    assert Indicator.objects.get(pk=spare.pk).name == "Adas"
    assert Indicator.objects.get(pk=spare.pk).unit == ""
    # Saving again, having seen the change, is a choice: it goes through.
    again = {**loaded, "unit": "stk", "loaded": response.context["form"].data["loaded"]}
    assert as_person("sara").post(url, again).status_code == 302
    assert Indicator.objects.get(pk=spare.pk).unit == "stk"

    own = setup["own"]
    loaded_form = form_data(own)
    as_person("ada").post(_form_url(own), form_data(own, name="Adas skjema"))
    response = as_person("sara").post(_form_url(own), {**loaded_form, "lock_after_days": 3})
    assert response.status_code == 409
    assert ReportForm.objects.get(pk=own.pk).lock_after_days == 7

    line = setup["line"]
    loaded_line = line_data(line)
    as_person("ada").post(_form_url(own, f"linjer/{line.pk}/"), line_data(line, section="A"))
    response = as_person("sara").post(
        _form_url(own, f"linjer/{line.pk}/"), {**loaded_line, "section": "S"}
    )
    assert response.status_code == 409
    assert FormIndicator.objects.get(pk=line.pk).section == "A"


def test_the_second_click_of_an_edit_is_a_success(as_person: Any, setup: dict[str, Any]) -> None:
    spare = setup["spare"]
    url = f"{BASE}indikatorer/{spare.pk}/"
    data = indicator_data(spare, name="To klikk")
    assert as_person("sara").post(url, data).status_code == 302
    assert as_person("sara").post(url, data).status_code == 302
    assert LogEntry.objects.get_for_object(spare).filter(action=LogEntry.Action.UPDATE).count() == 1


# --- Query counts ---------------------------------------------------------------------------


def _count(client: Any, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


# Both pages begin with the access: the session, the user, the second-factor
# device, the partnership, the person's partnership roles and memberships (6),
# and end with the session saved (a savepoint, the update, its release: 3).
PINNED = {
    # + the indicators, the forms they are on, the report forms, the latest rule.
    "overview": 6 + 4 + 3,
    # + the form, whether a crisis uses it, the lines, the rules, the
    # indicators offered by the add-a-line list and the rule's two lists.
    "form": 6 + 7 + 3,
}


def test_the_lists_cost_the_same_however_many_indicators_and_lines(
    as_person: Any, setup: dict[str, Any]
) -> None:
    client = as_person("sara")
    own = setup["own"]
    form_url = _form_url(own)
    client.get(BASE)  # warm caches (content types and the like)
    before = _count(client, BASE)
    before_form = _count(client, form_url)
    for i in range(6):
        indicator = Indicator.objects.create(
            partnership=setup["hnt"],
            code=f"mange-{i}",
            name=f"Mange {i}",
            value_type="integer",
            items=[{"code": "a", "name": "A"}],
            level2_at=Decimal(1),
            relative_to=setup["spare"] if i % 2 else None,
        )
        FormIndicator.objects.create(form=own, indicator=indicator, position=10 + i)
        FormIndicator.objects.create(form=setup["covid"], indicator=indicator, position=20 + i)
        CrossRule.objects.create(
            form=own, left=indicator, operator="le", right=indicator, message=f"R{i}"
        )
        ReportForm.objects.create(partnership=setup["hnt"], code=f"skjema-{i}", name=f"S {i}")
    after = _count(client, BASE)
    after_form = _count(client, form_url)
    assert len(after) == len(before) == PINNED["overview"], after
    assert len(after_form) == len(before_form) == PINNED["form"], after_form
