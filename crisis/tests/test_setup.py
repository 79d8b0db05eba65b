"""The crisis settings' services (:mod:`crisis.setup`) called directly, as a
command or the API would: adding twice adds once, what is in use is not
deleted and the refusal says why, lines stay numbered 0, 1, 2 …, an edit
made on values someone else changed meanwhile is refused, and two requests
at the same moment (on PostgreSQL) do not add twice or move twice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from crisis import services, setup
from crisis.models import (
    CrossRule,
    FormIndicator,
    Indicator,
    LevelRule,
    Report,
    ReportForm,
    Value,
)
from crisis.tests.conftest import hnt, kommune_values, levanger, make_crisis, period
from tests.test_concurrency import _race

only_on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="locking behaviour needs PostgreSQL"
)


def _indicator(code: str, **values: Any) -> Indicator:
    values.setdefault("name", code.capitalize())
    return Indicator.objects.create(
        partnership=hnt(), code=code, value_type=Indicator.ValueType.INTEGER, **values
    )


def _form(code: str = "eget", name: str = "Eget skjema") -> ReportForm:
    return ReportForm.objects.create(partnership=hnt(), code=code, name=name)


def _lines(report_form: ReportForm) -> list[tuple[str, int]]:
    return [
        (line.indicator.code, line.position)
        for line in FormIndicator.objects.filter(form=report_form)
        .select_related("indicator")
        .order_by("position", "pk")
    ]


def _order(report_form: ReportForm) -> int:
    return setup.order_fingerprint([line.pk for line in setup.ordered_lines(report_form)])


def _new_oxygen(**values: Any) -> Indicator:
    """An indicator as the add form builds it, not saved yet."""
    fields: dict[str, Any] = {
        "partnership": hnt(),
        "code": "oksygen",
        "name": "Oksygen på lager",
        "unit": "dager",
        "value_type": Indicator.ValueType.INTEGER,
        "level2_at": Decimal(14),
        "level3_at": Decimal(7),
        "lower_is_worse": True,
        **values,
    }
    return Indicator(**fields)


def _report(people: Any) -> Report:
    crisis = make_crisis(people.sara)
    return services.save_report(
        crisis, levanger(), period(crisis), kommune_values(), by=people.lena, submit=True
    )


# --- Adding once ------------------------------------------------------------------------------


def test_adding_an_indicator_twice_with_the_same_code_makes_one(people: Any) -> None:
    first, created = setup.add_indicator(_new_oxygen(), by=people.sara)
    versions = LevelRule.objects.filter(partnership=hnt()).count()
    # The second click: the same values, 7 written as 7.000.
    again, created_again = setup.add_indicator(
        _new_oxygen(level3_at=Decimal("7.000")), by=people.sara
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Indicator.objects.filter(partnership=hnt(), code="oksygen").count() == 1
    # Its thresholds made one new level rule version, by the person who added it.
    rule = setup.latest_rule(hnt())
    assert rule is not None and rule.created_by == people.sara
    assert rule.thresholds["oksygen"]["level2_at"] == "14"
    assert LevelRule.objects.filter(partnership=hnt()).count() == versions


def test_the_same_code_with_other_values_is_refused(people: Any) -> None:
    setup.add_indicator(_new_oxygen(), by=people.sara)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        setup.add_indicator(_new_oxygen(name="Noe annet"), by=people.sara)
    assert refused.value.messages == ["Another indicator has this code."]
    assert Indicator.objects.get(partnership=hnt(), code="oksygen").name == "Oksygen på lager"


def test_report_forms_lines_and_rules_are_added_once(people: Any) -> None:
    def new_form() -> ReportForm:
        return ReportForm(partnership=hnt(), code="oksygen-dogn", name="Oksygen døgnrapport")

    report_form, created = setup.add_report_form(new_form())
    assert created and setup.add_report_form(new_form()) == (report_form, False)
    capacity, occupied = _indicator("plasser"), _indicator("i-bruk")

    def line(indicator: Indicator) -> FormIndicator:
        return FormIndicator(indicator=indicator, section="Kapasitet")

    first, created = setup.add_line(report_form, line(capacity))
    assert created and setup.add_line(report_form, line(capacity)) == (first, False)
    setup.add_line(report_form, line(occupied))
    assert _lines(report_form) == [("plasser", 0), ("i-bruk", 1)]  # each at the end
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        setup.add_line(report_form, FormIndicator(indicator=capacity, section="Annen"))
    assert refused.value.messages == ["This indicator is already on the form."]

    def rule() -> CrossRule:
        return CrossRule(left=occupied, operator="le", right=capacity, message="I bruk ≤ plasser")

    saved, created = setup.add_rule(report_form, rule())
    assert created and setup.add_rule(report_form, rule()) == (saved, False)
    assert report_form.rules.count() == 1


# --- Deleting what is in use -------------------------------------------------------------------


def test_deleting_an_indicator_in_use_is_refused_naming_why(people: Any) -> None:
    base = _indicator("grunnlag", name="Grunnlag")
    _indicator("andel", name="Andel", relative_to=base)
    for code, name in (("eget", "Eget skjema"), ("annet", "Annet skjema")):
        FormIndicator.objects.create(form=_form(code, name), indicator=base)
    Value.objects.create(report=_report(people), indicator=base, number=Decimal(1))
    versions = LevelRule.objects.filter(partnership=hnt()).count()

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        setup.delete_indicator(base, by=people.sara)
    assert refused.value.messages == [
        "Reports hold values of it.",
        "It is on the report forms Annet skjema, Eget skjema.",
        "The thresholds of Andel are a share of it.",
        "Take it out of use instead.",
    ]
    assert Indicator.objects.filter(pk=base.pk).exists()
    assert LevelRule.objects.filter(partnership=hnt()).count() == versions


def test_a_use_that_comes_in_between_still_refuses_the_delete(
    people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report saved after the check and before the delete: the database
    refuses, and the person is told the same."""
    used = _indicator("brukt")
    Value.objects.create(report=_report(people), indicator=used, number=Decimal(1))
    monkeypatch.setattr(setup, "delete_blockers", lambda indicator: [])
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        setup.delete_indicator(used, by=people.sara)
    assert refused.value.messages == ["Reports hold values of it. Take it out of use instead."]
    assert Indicator.objects.filter(pk=used.pk).exists()


def test_an_unused_indicator_is_deleted_with_who_did_it_logged(people: Any) -> None:
    lone = _indicator("ensom", level2_at=Decimal(3))
    pk = lone.pk
    with set_actor(people.sara):
        setup.delete_indicator(lone, by=people.sara)
    assert not Indicator.objects.filter(pk=pk).exists()
    entry = LogEntry.objects.get(object_pk=str(pk), action=LogEntry.Action.DELETE)
    assert entry.actor == people.sara
    rule = setup.latest_rule(hnt())
    assert rule is not None and "ensom" not in rule.thresholds  # a new version without it


def test_a_form_a_crisis_uses_is_not_deleted(people: Any) -> None:
    crisis = make_crisis(people.sara)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        setup.delete_report_form(crisis.form)
    assert refused.value.messages == ["A crisis uses this form, so it cannot be deleted."]
    unused = _form()
    FormIndicator.objects.create(form=unused, indicator=_indicator("linje"))
    setup.delete_report_form(unused)
    assert not ReportForm.objects.filter(pk=unused.pk).exists()


def test_removing_a_line_takes_the_rules_that_use_it(people: Any) -> None:
    report_form = _form()
    a, b, c = _indicator("a"), _indicator("b"), _indicator("c")
    lines = [
        FormIndicator.objects.create(form=report_form, indicator=i, position=n)
        for n, i in enumerate((a, b, c))
    ]
    CrossRule.objects.create(form=report_form, left=a, operator="le", right=b, message="a ≤ b")
    CrossRule.objects.create(form=report_form, left=c, operator="ge", right=a, message="c ≥ a")
    CrossRule.objects.create(form=report_form, left=b, operator="le", right=c, message="b ≤ c")
    line = FormIndicator.objects.select_related("form").get(pk=lines[0].pk)
    assert setup.remove_line(line) == 2
    assert list(report_form.rules.values_list("message", flat=True)) == ["b ≤ c"]
    assert _lines(report_form) == [("b", 1), ("c", 2)]
    pk = report_form.rules.get().pk
    removed = setup.remove_rule(report_form, pk)
    assert removed is not None and removed.message == "b ≤ c"
    assert setup.remove_rule(report_form, pk) is None  # the second click
    assert not report_form.rules.exists()


# --- Moving lines ------------------------------------------------------------------------------


def test_moving_lines_keeps_a_gapless_order(people: Any) -> None:
    report_form = _form()
    # Gaps, as removing lines leaves them.
    for position, code in ((0, "a"), (4, "b"), (9, "c")):
        FormIndicator.objects.create(
            form=report_form, indicator=_indicator(code), position=position
        )
    c = FormIndicator.objects.get(form=report_form, indicator__code="c")

    seen = _order(report_form)
    assert setup.move_line(report_form, c.pk, "up", seen)
    assert _lines(report_form) == [("a", 0), ("c", 1), ("b", 2)]
    # The double click comes with the order seen before: nothing more moves.
    assert not setup.move_line(report_form, c.pk, "up", seen)
    assert _lines(report_form) == [("a", 0), ("c", 1), ("b", 2)]
    assert setup.move_line(report_form, c.pk, "up", _order(report_form))
    assert _lines(report_form) == [("c", 0), ("a", 1), ("b", 2)]
    # The first line up and the last down stay; a line not on the form is not moved.
    assert setup.move_line(report_form, c.pk, "up", _order(report_form))
    b = FormIndicator.objects.get(form=report_form, indicator__code="b")
    assert setup.move_line(report_form, b.pk, "down", _order(report_form))
    assert not setup.move_line(report_form, 999999, "down", _order(report_form))
    assert _lines(report_form) == [("c", 0), ("a", 1), ("b", 2)]


# --- Edits on values someone else changed -----------------------------------------------------


def test_an_edit_on_changed_values_is_refused_not_saved(people: Any) -> None:
    spare = _indicator("ubrukt", name="Ubrukt")
    loaded = setup.fingerprint(spare, setup.INDICATOR_FIELDS)
    mine = Indicator.objects.get(pk=spare.pk)
    theirs = Indicator.objects.get(pk=spare.pk)
    theirs.name = "Adas"
    setup.save_indicator(theirs, loaded, by=people.ada)

    mine.unit = "stk"
    with pytest.raises(setup.Conflict) as refused:
        setup.save_indicator(mine, loaded, by=people.sara)
    conflict = refused.value
    assert conflict.stored.name == "Adas"  # type: ignore[attr-defined]
    stored = Indicator.objects.get(pk=spare.pk)
    assert (stored.name, stored.unit) == ("Adas", "")
    # Saving again, having seen their change, is a choice: it goes through.
    setup.save_indicator(mine, conflict.loaded, by=people.sara)
    stored = Indicator.objects.get(pk=spare.pk)
    assert (stored.name, stored.unit) == ("Ubrukt", "stk")


def test_the_second_click_of_an_edit_is_a_success(people: Any) -> None:
    spare = _indicator("ubrukt")
    loaded = setup.fingerprint(spare, setup.INDICATOR_FIELDS)
    for _click in range(2):
        mine = Indicator.objects.get(pk=spare.pk)
        mine.level2_at = Decimal(5)
        rule = setup.save_indicator(mine, loaded, by=people.sara)
    assert rule.thresholds["ubrukt"]["level2_at"] == "5"
    assert LogEntry.objects.get_for_object(spare).filter(action=LogEntry.Action.UPDATE).count() == 1


def test_report_forms_and_lines_refuse_edits_on_changed_values(people: Any) -> None:
    report_form = _form()
    loaded = setup.fingerprint(report_form, setup.REPORT_FORM_FIELDS)
    theirs = ReportForm.objects.get(pk=report_form.pk)
    theirs.name = "Adas skjema"
    setup.save_report_form(theirs, loaded)
    mine = ReportForm.objects.get(pk=report_form.pk)
    mine.name, mine.lock_after_days = "Eget skjema", 3
    with pytest.raises(setup.Conflict):
        setup.save_report_form(mine, loaded)
    assert ReportForm.objects.get(pk=report_form.pk).lock_after_days == 7

    line = FormIndicator.objects.create(form=report_form, indicator=_indicator("a"))
    loaded = setup.fingerprint(line, setup.LINE_FIELDS)
    theirs_line = FormIndicator.objects.get(pk=line.pk)
    theirs_line.section = "A"
    setup.save_line(theirs_line, loaded)
    line.section = "S"
    with pytest.raises(setup.Conflict):
        setup.save_line(line, loaded)
    assert FormIndicator.objects.get(pk=line.pk).section == "A"


def test_an_edit_of_a_row_deleted_meanwhile_finds_nothing(people: Any) -> None:
    report_form = _form()
    mine = ReportForm.objects.get(pk=report_form.pk)
    setup.delete_report_form(report_form)
    with pytest.raises(ReportForm.DoesNotExist):
        setup.save_report_form(mine, setup.fingerprint(mine, setup.REPORT_FORM_FIELDS))


def test_the_covid_form_is_installed_once(people: Any) -> None:
    form = setup.install_covid_form(hnt(), by=people.sara)
    forms = ReportForm.objects.count()
    versions = LevelRule.objects.filter(partnership=hnt()).count()
    assert setup.install_covid_form(hnt(), by=people.sara) == form
    assert ReportForm.objects.count() == forms
    assert LevelRule.objects.filter(partnership=hnt()).count() == versions


# --- Two requests at the same moment (PostgreSQL) ---------------------------------------------


@pytest.mark.postgres_only
@only_on_postgresql
def test_a_double_submit_at_the_same_moment_adds_once(transactional_db: Any) -> None:
    from samspill.demo import build_all

    people = build_all()
    report_form = _form()
    indicator = _indicator("a")

    def add_indicator() -> Any:
        return setup.add_indicator(_new_oxygen(), by=people["sara"])

    def add_line() -> Any:
        return setup.add_line(report_form, FormIndicator(indicator=indicator))

    results = _race(add_indicator, add_indicator, add_line, add_line)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(created for _row, created in results) == [False, False, True, True]
    assert Indicator.objects.filter(partnership=hnt(), code="oksygen").count() == 1
    assert _lines(report_form) == [("a", 0)]


@pytest.mark.postgres_only
@only_on_postgresql
def test_two_moves_at_the_same_moment_move_once(transactional_db: Any) -> None:
    from samspill.demo import build_all

    build_all()
    report_form = _form()
    for position, code in enumerate("abc"):
        FormIndicator.objects.create(
            form=report_form, indicator=_indicator(code), position=position
        )
    c = FormIndicator.objects.get(form=report_form, indicator__code="c")
    seen = _order(report_form)

    def move() -> bool:
        return setup.move_line(report_form, c.pk, "up", seen)

    results = _race(move, move)
    assert sorted(results) == [False, True], results  # the form's row lock: one after the other
    assert _lines(report_form) == [("a", 0), ("c", 1), ("b", 2)]
