"""Two submissions at once on one report, on PostgreSQL: a double submit
makes one report, and two editors do not overwrite each other."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection

from core.services import EditConflict
from crisis import services
from crisis.models import Report, ReportRevision
from crisis.tests.conftest import kommune_values, levanger, make_crisis, period
from samspill.demo import build_all
from tests.test_concurrency import _race

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="locking behaviour needs PostgreSQL"
    ),
]


def test_a_double_submit_at_the_same_moment_makes_one_report(transactional_db: Any) -> None:
    people = build_all()
    crisis = make_crisis(people["sara"])
    key = uuid.uuid4()

    def submit() -> Any:
        return services.save_report(
            crisis,
            levanger(),
            period(crisis),
            kommune_values(),
            by=people["lena"],
            submit=True,
            client_key=key,
            expected_version=0,
        )

    results = _race(submit, submit, submit)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.pk for r in results}) == 1
    # One request saved it; the others are told they repeated it.
    assert sorted(r.repeated for r in results) == [False, True, True]
    assert Report.objects.filter(crisis=crisis).count() == 1
    assert ReportRevision.objects.filter(report__crisis=crisis).count() == 1


def test_two_editors_from_the_same_version_lose_nothing(transactional_db: Any) -> None:
    people = build_all()
    crisis = make_crisis(people["sara"])
    draft = services.save_report(
        crisis, levanger(), period(crisis), {"smittetall": "1"}, by=people["lena"], submit=False
    )

    def edit(count: str) -> Any:
        def action() -> Any:
            return services.save_report(
                crisis,
                levanger(),
                period(crisis),
                kommune_values(smittetall=count),
                by=people["lena"],
                submit=True,
                client_key=uuid.uuid4(),
                expected_version=draft.version,
            )

        return action

    results = _race(edit("11"), edit("22"))
    refused = [r for r in results if isinstance(r, EditConflict)]
    assert len(refused) == 1, results
    stored = Report.objects.get(pk=draft.pk)
    winner = next(r for r in results if isinstance(r, Report))
    assert stored.version == winner.version
    number = stored.values.get(indicator__code="smittetall").number
    assert number is not None and str(number.normalize()) in {"11", "22"}
    assert ReportRevision.objects.filter(report=stored).count() == 1


def test_two_first_reports_at_once_make_one_row(transactional_db: Any) -> None:
    people = build_all()
    crisis = make_crisis(people["sara"])

    def first(count: str) -> Any:
        def action() -> Any:
            return services.save_report(
                crisis,
                levanger(),
                period(crisis),
                kommune_values(smittetall=count),
                by=people["lena"],
                submit=True,
                client_key=uuid.uuid4(),
                expected_version=0,
            )

        return action

    results = _race(first("5"), first("6"))
    assert len([r for r in results if isinstance(r, EditConflict)]) == 1, results
    assert Report.objects.filter(crisis=crisis).count() == 1
