"""Two people at once on one deviation, on PostgreSQL."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from core.services import EditConflict
from deviations import services
from deviations.models import Deviation, DeviationMessage
from deviations.tests.conftest import hnt, levanger, report_data
from samspill.demo import build_all
from tests.test_concurrency import _race

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="locking behaviour needs PostgreSQL"
    ),
]


def test_two_people_answering_at_once_lose_nothing(transactional_db: Any) -> None:
    people = build_all()
    deviation = services.report(
        hnt(), report_data(), by=people["lena"], own=frozenset({levanger().pk})
    )

    def answer(text: str) -> Any:
        # Both opened the page before either sent the answer.
        mine = Deviation.objects.get(pk=deviation.pk)

        def action() -> Any:
            return services.answer(
                mine, cause=text, measures=text, side="receiver", expected_version=mine.version
            )

        return action

    results = _race(answer("Svar fra én"), answer("Svar fra en annen"))
    refused = [r for r in results if isinstance(r, EditConflict)]
    assert len(refused) == 1, results
    stored = Deviation.objects.get(pk=deviation.pk)
    assert stored.answer_cause in {"Svar fra én", "Svar fra en annen"}
    assert stored.answer_measures == stored.answer_cause  # one person's whole answer


def test_a_double_submit_at_the_same_moment_creates_one_report(transactional_db: Any) -> None:
    people = build_all()
    key = uuid.uuid4()

    def submit() -> Any:
        return services.report(
            hnt(), report_data(), by=people["lena"], own=frozenset({levanger().pk}), client_key=key
        )

    results = _race(submit, submit)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Deviation.objects.filter(client_key=key).count() == 1
    assert len({r.pk for r in results}) == 1


def test_numbers_are_unique_when_two_parties_report_at_once(transactional_db: Any) -> None:
    people = build_all()

    def submit() -> Any:
        return services.report(
            hnt(),
            report_data(),
            by=people["lena"],
            own=frozenset({levanger().pk}),
            client_key=uuid.uuid4(),
        )

    results = _race(submit, submit, submit)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.number for r in results}) == 3


def test_the_same_message_posted_at_once_is_one_message(transactional_db: Any) -> None:
    people = build_all()
    deviation = services.report(
        hnt(), report_data(), by=people["lena"], own=frozenset({levanger().pk})
    )
    key = uuid.uuid4()

    def post() -> Any:
        return services.add_message(
            deviation,
            by=people["lena"],
            side="reporter",
            text="Kan dere ringe oss?",
            client_key=key,
        )

    results = _race(*[post] * 5)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert DeviationMessage.objects.filter(deviation=deviation).count() == 1
    assert len({r.pk for r in results}) == 1


def test_twenty_api_requests_with_one_key_make_one_report_and_one_201(
    transactional_db: Any,
) -> None:
    from django.test import Client

    from deviations.tests.test_api import bearer, make_token, payload

    people = SimpleNamespace(**build_all())
    token = make_token(people, levanger())
    body = payload()

    def post() -> Any:
        return (
            Client()
            .post("/api/deviations", body, content_type="application/json", headers=bearer(token))
            .status_code
        )

    results = _race(*[post] * 20)
    assert sorted(results) == [200] * 19 + [201], results
    assert Deviation.objects.filter(client_key=body["client_key"]).count() == 1
