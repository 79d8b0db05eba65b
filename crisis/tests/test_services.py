"""The rules of a situation report: validation, levels against hand-computed
ones, submitting once, no change, locks and logged unlocks, completeness."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.services import EditConflict
from crisis import levels, periods, services
from crisis.models import Indicator, LevelRule, Report, ReportRevision, ReportUnlock
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

VALID_NUMBER = "30108299920"
pytestmark = pytest.mark.django_db


def _submit(crisis: Any, org: Any, values: dict[str, Any], by: Any, **kw: Any) -> Report:
    return services.save_report(
        crisis, org, period(crisis), values, kw.pop("comments", {}), by=by, submit=True, **kw
    )


def test_a_calm_week_is_level_1_and_complete(people: Any) -> None:
    crisis = make_crisis(people.sara)
    report = _submit(crisis, levanger(), kommune_values(), people.lena)
    assert report.status == Report.Status.SUBMITTED
    assert report.computed_level == 1 and report.level == 1
    assert report.rule_version == 1
    assert report.values.count() == len(kommune_values())
    assert ReportRevision.objects.filter(report=report).count() == 1


@pytest.mark.parametrize(
    ("overrides", "level"),
    [
        # Equipment below 42 days: level 2; below 21: 3; below 7: 4 (worst item counts).
        ({"smittevernutstyr:munnbind": "41"}, 2),
        ({"smittevernutstyr:munnbind": "42"}, 1),
        ({"smittevernutstyr:frakker": "20"}, 3),
        ({"smittevernutstyr:hansker": "6", "smittevernutstyr:frakker": "20"}, 4),
        # Occupancy in per cent of capacity: 85 % → 2, 95 % → 3, 100 % → 4.
        ({"belegg:sykehjem": "85"}, 2),
        ({"belegg:sykehjem": "84"}, 1),
        ({"belegg:kad": "4"}, 4),
        ({"belegg:sykehjem": "95"}, 3),
        # Staffing: challenging → 2, critical → 3.
        ({"personell": "utfordrende"}, 2),
        ({"personell": "kritisk"}, 3),
        # Risk of overload in three weeks: yes → 3.
        ({"overbelastning": "ja"}, 3),
        # Cases in institutions: 1 → 2, 5 → 3, 15 → 4.
        ({"smitte-institusjon": "1"}, 2),
        ({"smitte-institusjon": "15"}, 4),
    ],
)
def test_computed_levels_match_hand_computed_ones(
    people: Any, overrides: dict[str, str], level: int
) -> None:
    crisis = make_crisis(people.sara)
    report = _submit(crisis, levanger(), kommune_values(**overrides), people.lena)
    assert report.computed_level == level


def test_a_value_outside_its_range_is_refused_and_nothing_is_stored(people: Any) -> None:
    crisis = make_crisis(people.sara)
    with pytest.raises(ValidationError) as refused:
        _submit(crisis, levanger(), kommune_values(smittetall="-3"), people.lena)
    assert "smittetall" in refused.value.message_dict
    assert (
        "minst 0" in refused.value.message_dict["smittetall"][0]
        or "at least 0" in refused.value.message_dict["smittetall"][0]
    )
    assert not Report.objects.filter(crisis=crisis).exists()


def test_type_errors_and_cross_field_rules(people: Any) -> None:
    crisis = make_crisis(people.sara)
    with pytest.raises(ValidationError) as refused:
        _submit(
            crisis,
            levanger(),
            kommune_values(
                smittetall="fire",
                personell="ok",
                **{"belegg:sykehjem": "101", "smittevernutstyr:hansker": "2.5"},
            ),
            people.lena,
        )
    errors = refused.value.message_dict
    assert set(errors) == {"smittetall", "personell", "belegg:sykehjem", "smittevernutstyr:hansker"}
    assert errors["belegg:sykehjem"] == ["Belegget kan ikke være større enn kapasiteten."]


def test_a_soft_warning_needs_a_comment_when_submitting(people: Any) -> None:
    crisis = make_crisis(people.sara)
    values = kommune_values(smittetall="640")
    with pytest.raises(ValidationError) as refused:
        _submit(crisis, levanger(), values, people.lena)
    assert list(refused.value.message_dict) == ["smittetall"]
    # A draft keeps it without a comment; submitting with a comment passes.
    services.save_report(crisis, levanger(), period(crisis), values, by=people.lena, submit=False)
    report = _submit(
        crisis,
        levanger(),
        values,
        people.lena,
        comments={"smittetall": "Utbrudd på en arbeidsplass."},
    )
    assert report.values.get(indicator__code="smittetall").comment == "Utbrudd på en arbeidsplass."


def test_required_values_only_when_submitting(people: Any) -> None:
    crisis = make_crisis(people.sara)
    draft = services.save_report(
        crisis, levanger(), period(crisis), {"smittetall": "3"}, by=people.lena, submit=False
    )
    assert draft.status == Report.Status.DRAFT
    with pytest.raises(ValidationError) as refused:
        _submit(
            crisis, levanger(), {"smittetall": "3"}, people.lena, expected_version=draft.version
        )
    assert "personell" in refused.value.message_dict
    # Hospital-only and kommune-only lines.
    assert "innlagte" not in refused.value.message_dict
    with pytest.raises(ValidationError) as refused_hf:
        _submit(crisis, hf(), kommune_values(), people.hanne)
    assert "innlagte" in refused_hf.value.message_dict
    assert "smitte-institusjon" in refused_hf.value.message_dict  # not on the hospital's form


def test_identity_numbers_are_refused_in_text_and_comments(people: Any) -> None:
    crisis = make_crisis(people.sara)
    with pytest.raises(ValidationError) as refused:
        _submit(
            crisis,
            levanger(),
            kommune_values(utfordringer=f"Pasient {VALID_NUMBER} er smittet."),
            people.lena,
        )
    assert "fødselsnummer" in refused.value.message_dict["utfordringer"][0]
    with pytest.raises(ValidationError):
        _submit(
            crisis,
            levanger(),
            kommune_values(smittetall="900"),
            people.lena,
            comments={"smittetall": VALID_NUMBER},
        )
    assert not Report.objects.filter(crisis=crisis).exists()


def test_a_double_submit_makes_one_report_and_one_revision(people: Any) -> None:
    crisis = make_crisis(people.sara)
    key = uuid.uuid4()
    first = _submit(
        crisis, levanger(), kommune_values(), people.lena, client_key=key, expected_version=0
    )
    again = _submit(
        crisis, levanger(), kommune_values(), people.lena, client_key=key, expected_version=0
    )
    assert first.pk == again.pk
    assert (first.repeated, again.repeated) == (False, True)
    assert Report.objects.filter(crisis=crisis).count() == 1
    assert ReportRevision.objects.filter(report=first).count() == 1


def test_two_editors_do_not_overwrite_each_other(people: Any) -> None:
    crisis = make_crisis(people.sara)
    draft = services.save_report(
        crisis, levanger(), period(crisis), {"smittetall": "3"}, by=people.lena, submit=False
    )
    services.save_report(
        crisis,
        levanger(),
        period(crisis),
        {"smittetall": "5"},
        by=people.lena,
        submit=False,
        expected_version=draft.version,
    )
    with pytest.raises(EditConflict):
        services.save_report(
            crisis,
            levanger(),
            period(crisis),
            {"smittetall": "7"},
            by=people.lena,
            submit=False,
            expected_version=draft.version,
        )
    assert Report.objects.get(pk=draft.pk).values.get().number == Decimal(5)


def test_changes_after_submission_keep_their_history(people: Any) -> None:
    crisis = make_crisis(people.sara)
    first = _submit(crisis, levanger(), kommune_values(), people.lena)
    second = _submit(
        crisis,
        levanger(),
        kommune_values(smittetall="9"),
        people.lena,
        expected_version=first.version,
    )
    revisions = list(ReportRevision.objects.filter(report=second).order_by("number"))
    assert [r.values["smittetall"]["number"] for r in revisions] == ["4", "9"]
    with pytest.raises(ValidationError):
        services.save_report(
            crisis, levanger(), period(crisis), kommune_values(), by=people.lena, submit=False
        )


def test_no_change_repeats_the_last_report(people: Any) -> None:
    crisis = make_crisis(people.sara, weeks_ago=3)
    with pytest.raises(ValidationError):
        services.report_no_change(crisis, namsos(), period(crisis), by=people.nils)
    earlier = periods.previous(crisis.form, period(crisis))
    services.save_report(
        crisis, namsos(), earlier, kommune_values(smittetall="12"), by=people.nils, submit=True
    )
    report = services.report_no_change(crisis, namsos(), period(crisis), by=people.nils)
    assert report.no_change and report.status == Report.Status.SUBMITTED
    assert report.values.get(indicator__code="smittetall").number == 12


def test_prefill_comes_from_the_last_report(people: Any) -> None:
    crisis = make_crisis(people.sara)
    earlier = periods.previous(crisis.form, period(crisis))
    services.save_report(
        crisis,
        levanger(),
        earlier,
        kommune_values(personell="utfordrende"),
        by=people.lena,
        submit=True,
    )
    raw, _comments = services.prefill(crisis, levanger(), period(crisis))
    assert raw["personell"] == "utfordrende" and raw["smittevernutstyr:munnbind"] == "80"


def test_reports_lock_after_the_deadline_and_an_unlock_is_logged(people: Any) -> None:
    crisis = make_crisis(people.sara, weeks_ago=6)
    old = periods.align(crisis.form, crisis.starts_on)
    assert periods.lock_at(crisis.form, levanger(), old) < timezone.now()
    with pytest.raises(ValidationError) as refused:
        services.save_report(crisis, levanger(), old, kommune_values(), by=people.lena, submit=True)
    assert "låst" in str(refused.value) or "locked" in str(refused.value)
    report = Report.objects.create(crisis=crisis, organisation=levanger(), period_start=old)
    entry = services.unlock(report, by=people.sara, reason="Feil i smittetall rettes.")
    assert ReportUnlock.objects.filter(report=report, by=people.sara).count() == 1
    assert entry.until > timezone.now()
    saved = services.save_report(
        crisis, levanger(), old, kommune_values(), by=people.lena, submit=True
    )
    assert saved.status == Report.Status.SUBMITTED
    with pytest.raises(ValidationError):
        services.unlock(report, by=people.sara, reason="  ")


def test_a_threshold_change_makes_a_new_rule_version(people: Any) -> None:
    crisis = make_crisis(people.sara)
    before = _submit(
        crisis, levanger(), kommune_values(**{"smittevernutstyr:munnbind": "30"}), people.lena
    )
    assert (before.computed_level, before.rule_version) == (2, 1)
    Indicator.objects.filter(partnership=hnt(), code="smittevernutstyr").update(
        level3_at=Decimal(35)
    )
    after = _submit(
        crisis, namsos(), kommune_values(**{"smittevernutstyr:munnbind": "30"}), people.nils
    )
    assert (after.computed_level, after.rule_version) == (3, 2)
    before.refresh_from_db()
    assert (before.computed_level, before.rule_version) == (2, 1)
    assert LevelRule.objects.filter(partnership=hnt()).count() == 2


def test_declared_level_needs_a_reason_and_counts_over_the_computed(people: Any) -> None:
    crisis = make_crisis(people.sara)
    report = _submit(crisis, levanger(), kommune_values(), people.lena)
    with pytest.raises(ValidationError):
        services.declare_level(
            report, level=3, reason="", by=people.lena, expected_version=report.version
        )
    report = services.declare_level(
        report,
        level=3,
        reason="Sykefravær i hjemmetjenesten.",
        by=people.lena,
        expected_version=report.version,
    )
    assert (report.computed_level, report.declared_level, report.level) == (1, 3, 3)
    assert levels.partnership_level([1, report.level, None]) == 3


def test_completeness_and_late_reports(people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = period(crisis)
    _submit(crisis, levanger(), kommune_values(), people.lena)
    services.save_report(crisis, namsos(), start, {"smittetall": "1"}, by=people.nils, submit=False)
    done = services.completeness(crisis, start)
    assert levanger().pk in done.submitted and namsos() in done.missing
    assert len(done.expected) == len(services.parties_of(crisis))
    before_deadline = services.completeness(
        crisis,
        start,
        now=periods.deadline(crisis.form, namsos(), start) - datetime.timedelta(minutes=1),
    )
    after_deadline = services.completeness(
        crisis,
        start,
        now=periods.deadline(crisis.form, namsos(), start) + datetime.timedelta(minutes=1),
    )
    assert namsos() not in before_deadline.late and namsos() in after_deadline.late


def test_a_regional_crisis_has_its_regions_parties_and_the_hospital(people: Any) -> None:
    from partnerships.models import Region

    crisis = make_crisis(people.sara, name="Lokalt utbrudd Frosta")
    crisis.regions.set(Region.objects.filter(partnership=hnt(), name__contains="Værnes"))
    names = {o.name for o in services.parties_of(crisis)}
    assert frosta().name in names and hf().name in names and levanger().name not in names
    with pytest.raises(ValidationError):
        _submit(crisis, levanger(), kommune_values(), people.lena)


def test_a_stood_down_crisis_takes_no_reports(people: Any) -> None:
    crisis = make_crisis(people.sara)
    services.stand_down(crisis, by=people.sara)
    with pytest.raises(ValidationError):
        _submit(crisis, levanger(), kommune_values(), people.lena)


def test_the_hospital_reports_on_its_own_lines(people: Any) -> None:
    crisis = make_crisis(people.sara)
    report = _submit(crisis, hf(), hospital_values(innlagte="7"), people.hanne)
    assert report.status == Report.Status.SUBMITTED
    assert report.values.get(indicator__code="innlagte").number == 7
    assert not report.values.filter(indicator__code="smitte-institusjon").exists()


def test_a_late_retry_of_an_earlier_submit_changes_nothing(people: Any) -> None:
    crisis = make_crisis(people.sara)
    first_key = uuid.uuid4()
    first = _submit(crisis, levanger(), kommune_values(), people.lena, client_key=first_key)
    second = _submit(
        crisis, levanger(), kommune_values(smittetall="9"), people.lena, client_key=uuid.uuid4()
    )
    retried = _submit(crisis, levanger(), kommune_values(), people.lena, client_key=first_key)
    assert retried.pk == first.pk == second.pk
    assert retried.repeated and not second.repeated
    assert retried.values.get(indicator__code="smittetall").number == 9
    assert ReportRevision.objects.filter(report=first).count() == 2
    # Another party's key is not this party's report.
    other = _submit(crisis, namsos(), kommune_values(), people.nils, client_key=first_key)
    assert other.organisation == namsos()
