"""Task transfers changed at the same moment, on PostgreSQL: two people
recording different outcomes at once (one wins), the same proposal
submitted twice at once (one transfer), and a withdrawal racing the
council's case (never both)."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core.services import EditConflict
from councils.models import Case
from samspill.demo import build_all
from tests.test_concurrency import _race
from transfers import services
from transfers.models import TaskTransfer
from transfers.tests.factory import asu, decided, proposal, registered

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="locking behaviour needs PostgreSQL"
    ),
]
Status = TaskTransfer.Status


def _people() -> SimpleNamespace:
    return SimpleNamespace(**build_all())


def test_two_outcomes_recorded_at_once_one_wins(transactional_db: Any) -> None:
    people = _people()
    transfer = proposal(people)
    decision = decided(transfer, people)
    transfer.refresh_from_db()
    expected = transfer.version

    def record(outcome: str) -> Any:
        def action() -> Any:
            return services.record_outcome(
                TaskTransfer.objects.get(pk=transfer.pk),
                expected,
                outcome=outcome,
                decision=decision,
                by=people.sara,
            )

        return action

    results = _race(record(Status.AGREED), record(Status.REJECTED))
    won = [r for r in results if isinstance(r, TaskTransfer)]
    lost = [r for r in results if isinstance(r, (EditConflict, ValidationError))]
    assert len(won) == 1 and len(lost) == 1, results
    assert TaskTransfer.objects.get(pk=transfer.pk).status == won[0].status


def test_one_proposal_submitted_twice_at_once_is_one(transactional_db: Any) -> None:
    people = _people()
    key = uuid.uuid4()

    def submit() -> Any:
        return proposal(people, title="Samtidig forslag", client_key=key)

    results = _race(submit, submit)
    assert all(isinstance(r, TaskTransfer) for r in results), results
    assert results[0].pk == results[1].pk
    assert TaskTransfer.objects.filter(title="Samtidig forslag").count() == 1


def test_a_withdrawal_racing_the_case_never_both(transactional_db: Any) -> None:
    people = _people()
    transfer = registered(people, title="Samtidig uavtalt")

    def withdraw() -> Any:
        return services.withdraw(TaskTransfer.objects.get(pk=transfer.pk), 0, by=people.lena)

    def case() -> Any:
        return services.prepare_case(
            TaskTransfer.objects.get(pk=transfer.pk), council=asu(), by=people.sara
        )

    results = _race(withdraw, case)
    failed = [r for r in results if isinstance(r, (EditConflict, ValidationError))]
    assert len(failed) == 1, results
    final = TaskTransfer.objects.get(pk=transfer.pk)
    made = Case.objects.filter(task_transfers=final).exists()
    assert (final.status, made) in {(Status.WITHDRAWN, False), (Status.FOR_DECISION, True)}
