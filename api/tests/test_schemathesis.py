"""Schemathesis over the whole OpenAPI schema, with every check, valid and
invalid data, with and without a party's token: no server error, and every
answer as the schema says (status, content type, headers, body). Generated
strings include NUL bytes and other edge cases; the demo partnership is the
data behind it. The operations are run one by one in one test (schemathesis's
pytest fixture loader does not run on this pytest)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from core.tests.report import report_figure
from deviations.tests.test_api import levanger, make_token

EXAMPLES = 25


# Every check, as configured by default, but one: a schema-valid request may
# also be refused with 400 for a documented business rule (a receiving party
# that does not exist, a locked period). A 422 for schema-valid data stays a
# failure: it would mean the schema promises what the server refuses.
CHECKS = {
    "positive_data_acceptance": {
        "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
    }
}


@contextmanager
def _one_connection() -> Iterator[None]:
    """Keep the test's database connection open across the WSGI calls, as
    Django's test client does: the app closes it after each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _run(token: str | None) -> tuple[int, list[str]]:
    config: dict[str, Any] = {"checks": CHECKS}
    if token:
        # Given as the schema's bearer scheme, so that schemathesis knows it:
        # its invalid requests may then leave the token out or spoil it.
        config["auth"] = {"openapi": {"OrganisationTokenAuth": {"bearer": token}}}
    schema = schemathesis.openapi.from_wsgi(
        "/api/openapi.json", WSGIHandler(), config=SchemathesisConfig.from_dict(config)
    )
    calls = 0
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        for mode in GenerationMode:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case: Any) -> None:
                nonlocal calls
                calls += 1
                case.call_and_validate()

            try:
                check()
            except Unsatisfiable:
                continue  # nothing invalid to send: an operation without input
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - shown below
                failures.append(f"{operation.label} ({mode.value}): {error}")
    return calls, failures


@pytest.mark.parametrize("caller", ["anonymous", "party token"])
def test_the_api_answers_as_its_schema_says(people: Any, caller: str) -> None:
    token = make_token(people, levanger()) if caller == "party token" else None
    with _one_connection():
        calls, failures = _run(token)
    report_figure(f"schemathesis, {caller}: calls / failures", f"{calls} / {len(failures)}")
    assert calls > 100
    assert not failures, "\n\n".join(failures)
