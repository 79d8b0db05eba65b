"""Which version binds a party on a given day, and the § 6-2 coverage."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from agreements import binding
from agreements.models import (
    Agreement,
    AgreementLevel,
    AgreementVersion,
    Clause,
    ClauseCoverage,
    Ratification,
    Termination,
)
from partnerships.models import Organisation

D = datetime.date
Status = AgreementVersion.Status
Outcome = Ratification.Outcome


@pytest.fixture
def setting(hnt: Any) -> Any:
    level = AgreementLevel.objects.create(partnership=hnt, name="Test: samarbeidsavtale")
    agreement = Agreement.objects.create(
        partnership=hnt, level=level, number="T1", title="Testavtale", slug="testavtale"
    )
    levanger = Organisation.objects.get(municipality_number="5037")
    verdal = Organisation.objects.get(municipality_number="5038")
    return agreement, levanger, verdal


def _version(
    agreement: Agreement, label: str, start: datetime.date | None, status: str = Status.IN_FORCE
) -> AgreementVersion:
    return AgreementVersion.objects.create(
        agreement=agreement, label=label, status=status, in_force_from=start
    )


def _ratify(
    version: AgreementVersion,
    party: Organisation,
    outcome: str,
    effective: datetime.date | None = None,
    changes: str = "",
) -> Ratification:
    return Ratification.objects.create(
        agreement_version=version, organisation=party, outcome=outcome, effective_from=effective,
        changes=changes,
    )  # fmt: skip


def _binds(agreement: Agreement, party: Organisation, day: datetime.date) -> str | None:
    (loaded,) = [a for a in binding.load(agreement.partnership) if a.pk == agreement.pk]
    found = binding.binding(loaded, party, day)
    return found.version.label if found else None


def test_the_latest_adopted_version_binds_once_in_force(setting: Any) -> None:
    agreement, levanger, _verdal = setting
    v2021 = _version(agreement, "2021", D(2021, 6, 1), Status.REPLACED)
    v2026 = _version(agreement, "2026", D(2026, 9, 1))
    _ratify(v2021, levanger, Outcome.ADOPTED)
    _ratify(v2026, levanger, Outcome.ADOPTED)
    assert _binds(agreement, levanger, D(2021, 5, 31)) is None
    assert _binds(agreement, levanger, D(2021, 6, 1)) == "2021"
    assert _binds(agreement, levanger, D(2026, 8, 31)) == "2021"
    assert _binds(agreement, levanger, D(2026, 9, 1)) == "2026"


def test_a_party_that_has_not_adopted_the_new_version_stays_on_the_old(setting: Any) -> None:
    agreement, levanger, verdal = setting
    v2021 = _version(agreement, "2021", D(2021, 6, 1), Status.REPLACED)
    v2026 = _version(agreement, "2026", D(2026, 9, 1))
    for party in (levanger, verdal):
        _ratify(v2021, party, Outcome.ADOPTED)
    _ratify(v2026, levanger, Outcome.ADOPTED)
    _ratify(v2026, verdal, Outcome.PENDING)
    assert _binds(agreement, verdal, D(2027, 1, 1)) == "2021"  # gjelder inntil videre
    assert _binds(agreement, levanger, D(2027, 1, 1)) == "2026"


@pytest.mark.parametrize("outcome", [Outcome.REJECTED, Outcome.DISPUTE, Outcome.PENDING])
def test_a_version_not_adopted_by_the_party_never_binds_it(setting: Any, outcome: str) -> None:
    agreement, levanger, _verdal = setting
    v2026 = _version(agreement, "2026", D(2026, 9, 1))
    _ratify(v2026, levanger, outcome)
    assert _binds(agreement, levanger, D(2030, 1, 1)) is None


def test_adopted_with_changes_binds_with_the_changes(setting: Any) -> None:
    agreement, levanger, _verdal = setting
    v2026 = _version(agreement, "2026", D(2026, 9, 1))
    _ratify(v2026, levanger, Outcome.ADOPTED_WITH_CHANGES, changes="Punkt 4.2 gjelder ikke.")
    (loaded,) = [a for a in binding.load(agreement.partnership) if a.pk == agreement.pk]
    found = binding.binding(loaded, levanger, D(2026, 10, 1))
    assert found is not None and found.with_changes == "Punkt 4.2 gjelder ikke."


def test_with_changes_must_say_what_changed(setting: Any) -> None:
    agreement, levanger, _verdal = setting
    v2026 = _version(agreement, "2026", D(2026, 9, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        _ratify(v2026, levanger, Outcome.ADOPTED_WITH_CHANGES)


def test_a_party_adopting_late_is_bound_from_its_own_date(setting: Any) -> None:
    agreement, levanger, _verdal = setting
    v2026 = _version(agreement, "2026", D(2026, 9, 1))
    _ratify(v2026, levanger, Outcome.ADOPTED, effective=D(2026, 12, 15))
    assert _binds(agreement, levanger, D(2026, 12, 14)) is None
    assert _binds(agreement, levanger, D(2026, 12, 15)) == "2026"


def test_a_version_not_yet_adopted_by_the_council_binds_nobody(setting: Any) -> None:
    agreement, levanger, _verdal = setting
    draft = _version(agreement, "utkast", D(2026, 9, 1), Status.CONSULTATION)
    _ratify(draft, levanger, Outcome.ADOPTED)
    assert _binds(agreement, levanger, D(2027, 1, 1)) is None


def test_an_ended_version_and_a_terminated_party_are_bound_no_longer(setting: Any) -> None:
    agreement, levanger, verdal = setting
    v = _version(agreement, "2021", D(2021, 6, 1))
    v.in_force_to = D(2030, 12, 31)
    v.save()
    for party in (levanger, verdal):
        _ratify(v, party, Outcome.ADOPTED)
    Termination.objects.create(
        agreement=agreement, organisation=verdal, notice_given_on=D(2026, 1, 1),
        ends_on=D(2026, 12, 31),
    )  # fmt: skip
    assert _binds(agreement, verdal, D(2026, 12, 31)) == "2021"
    assert _binds(agreement, verdal, D(2027, 1, 1)) is None
    assert _binds(agreement, levanger, D(2030, 12, 31)) == "2021"
    assert _binds(agreement, levanger, D(2031, 1, 1)) is None


def test_a_special_agreement_binds_only_its_parties(setting: Any) -> None:
    agreement, levanger, verdal = setting
    agreement.all_parties = False
    agreement.save()
    agreement.parties.add(levanger)
    v = _version(agreement, "2024", D(2024, 1, 1))
    for party in (levanger, verdal):
        _ratify(v, party, Outcome.ADOPTED)
    assert _binds(agreement, levanger, D(2025, 1, 1)) == "2024"
    assert _binds(agreement, verdal, D(2025, 1, 1)) is None


def test_a_level_the_parties_do_not_ratify_applies_the_version_in_force(setting: Any) -> None:
    agreement, levanger, _verdal = setting
    agreement.level.ratified = False
    agreement.level.save()
    _version(agreement, "2021", D(2021, 6, 1), Status.REPLACED)
    _version(agreement, "2025", D(2025, 1, 1))
    _version(agreement, "2027", D(2027, 1, 1), Status.DRAFT)
    assert _binds(agreement, levanger, D(2024, 12, 31)) == "2021"
    assert _binds(agreement, levanger, D(2026, 6, 1)) == "2025"


def test_the_whole_register_is_loaded_in_a_fixed_number_of_queries(
    setting: Any, django_assert_num_queries: Any
) -> None:
    agreement, levanger, _verdal = setting
    parties = list(Organisation.objects.filter(municipality_number__startswith="50"))
    for n in range(4):
        v = _version(agreement, f"v{n}", D(2020 + n, 1, 1))
        for party in parties:
            _ratify(v, party, Outcome.ADOPTED)
    with django_assert_num_queries(5):
        loaded = binding.load(agreement.partnership)
        table = {
            (a.pk, p.pk): binding.binding(a, p, D(2026, 1, 1)) for a in loaded for p in parties
        }
    assert table[(agreement.pk, levanger.pk)].version.label == "v3"  # type: ignore[union-attr]


def test_coverage_shows_each_point_and_the_gaps(setting: Any) -> None:
    agreement, _levanger, _verdal = setting
    old = _version(agreement, "2021", D(2021, 6, 1), Status.REPLACED)
    current = _version(agreement, "2026", D(2026, 1, 1))
    old_clause = Clause.objects.create(
        agreement_version=old, number="3", heading="Jordmor", key="c3"
    )
    ClauseCoverage.objects.create(clause=old_clause, point=8)
    clause = Clause.objects.create(
        agreement_version=current, number="1", heading="Ansvar", key="c1"
    )
    for point in (1, 2, 5):
        ClauseCoverage.objects.create(clause=clause, point=point)
    points = binding.coverage(agreement.partnership, D(2026, 6, 1))
    covered = {c.point for c in points if not c.is_gap}
    assert {1, 2, 5} <= covered
    # Only what is in force counts: the midwifery clause of 2021 was replaced.
    point8 = next(c for c in points if c.point == 8)
    assert old_clause not in point8.clauses
    assert len(points) == 13


def test_coverage_points_are_1_to_13(setting: Any) -> None:
    agreement, _levanger, _verdal = setting
    clause = Clause.objects.create(
        agreement_version=_version(agreement, "2026", D(2026, 1, 1)), heading="X", key="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ClauseCoverage.objects.create(clause=clause, point=14)


def test_coverage_takes_three_queries(setting: Any, django_assert_num_queries: Any) -> None:
    agreement, _levanger, _verdal = setting
    _version(agreement, "2026", D(2026, 1, 1))
    with django_assert_num_queries(3):
        binding.coverage(agreement.partnership, D(2026, 1, 1))
