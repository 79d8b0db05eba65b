"""Ratifications and version changes at the same moment, on PostgreSQL: one
party's first record made twice at once is one record, two people moving a
version on from the same state do not both succeed, and a clause cannot be
changed while its version is being sent on."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from agreements import services
from agreements.models import Agreement, AgreementLevel, AgreementVersion, Ratification
from core.services import EditConflict
from partnerships.models import Organisation, Partnership
from samspill.demo import build_all
from tests.test_concurrency import _race

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="locking behaviour needs PostgreSQL"
    ),
]
Status = AgreementVersion.Status


def _version(people: dict[str, Any], status: str = Status.DRAFT) -> AgreementVersion:
    hnt = Partnership.objects.get(slug="hnt")
    level = AgreementLevel.objects.create(partnership=hnt, name="Samtidig: nivå")
    agreement = Agreement.objects.create(
        partnership=hnt, level=level, title="Samtidig", slug="samtidig-test"
    )
    version = services.new_version(agreement, "1", by=people["sara"])
    services.add_clause(version, number="1", heading="A", text="B", points=[1])
    if status != Status.DRAFT:
        services.move_on(version, 0, Status.ADOPTED)
    return AgreementVersion.objects.get(pk=version.pk)


def test_a_first_ratification_recorded_twice_at_once_is_one(transactional_db: Any) -> None:
    people = build_all()
    version = _version(people, Status.ADOPTED)
    levanger = Organisation.objects.get(municipality_number="5037")

    def record(outcome: str) -> Any:
        def action() -> Any:
            return services.record_ratification(
                version, levanger, None, by=people["lena"], outcome=outcome
            )

        return action

    results = _race(record("adopted"), record("rejected"))
    assert len([r for r in results if isinstance(r, Ratification)]) == 1, results
    assert len([r for r in results if isinstance(r, EditConflict)]) == 1, results
    assert Ratification.objects.filter(agreement_version=version).count() == 1


def test_two_people_moving_a_version_on_from_one_state(transactional_db: Any) -> None:
    people = build_all()
    version = _version(people)

    def move(to: str) -> Any:
        def action() -> Any:
            return services.move_on(version, 0, to, in_force_from=datetime.date(2027, 1, 1))

        return action

    results = _race(move(Status.CONSULTATION), move(Status.ADOPTED))
    won = [r for r in results if isinstance(r, AgreementVersion)]
    lost = [r for r in results if isinstance(r, (EditConflict, ValidationError))]
    assert len(won) == 1 and len(lost) == 1, results
    assert AgreementVersion.objects.get(pk=version.pk).status == won[0].status


def test_a_clause_edit_racing_the_send_off_never_changes_a_sent_text(
    transactional_db: Any,
) -> None:
    people = build_all()
    version = _version(people)
    clause = version.clauses.get()

    def edit() -> Any:
        return services.change_clause(
            clause, clause.version, number="1", heading="Endret", text="C", points=[1]
        )

    def send() -> Any:
        return services.move_on(version, 0, Status.CONSULTATION)

    results = _race(edit, send)
    clause.refresh_from_db()
    sent = AgreementVersion.objects.get(pk=version.pk).status == Status.CONSULTATION
    assert sent, results
    # Either the edit came first (and went out with the version) or it was refused.
    edited = not isinstance(results[0], Exception)
    assert clause.heading == ("Endret" if edited else "A")
    if not edited:
        assert isinstance(results[0], ValidationError)
