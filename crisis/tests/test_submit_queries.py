"""A party's report costs a fixed, small number of queries (issue 13, P1: a
submit at most 12, the figures kept on write included).

The same counts on SQLite and PostgreSQL, counted as the connection runs
them (``CaptureQueriesContext``), SAVEPOINTs included: the save has none,
its transaction being the request's own. Through the API, once the token's
use has been recorded for the day (the day's first request adds the UPDATE
that records it):

- the token, with its partnership and party (1);
- the crisis with its form and partnership, and the save's context: whether
  the party reports in the crisis, its report for the period, whether the
  client key saved that report or another one, the report's latest revision,
  the latest rule version (1);
- the form's lines with their indicators (1); the cross rules (1);
- a first save: INSERT the report as it ends up, its audit entry, INSERT the
  values (3), and when submitting INSERT the revision (1);
- a later save: UPDATE the report at the version read, its audit entry
  (when a field the trail keeps changed), DELETE and INSERT the values (4),
  and when submitting the revision (1);
- a repeat (the same client key): none of that after the context, but the
  values for the answer (1). A save's answer shows the values it stored.

The web form's save (``services.save_report`` with the crisis its page
loaded) is the same without the token.

Before (the same API calls): a first submit 35, a changed re-submit 30.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.utils import timezone

from crisis import services
from crisis.models import Crisis, Report, ReportRevision, Value
from crisis.tests.conftest import kommune_values, levanger, make_crisis, period
from crisis.tests.test_api import make_token
from deviations.models import OrganisationToken

pytestmark = pytest.mark.django_db

READ = 4  # token, crisis with the context, lines, cross rules
# The period's figures of the party's group (crisis.figures): the lock
# (PostgreSQL only), delete, insert.
FIGURES = 2 + (connection.vendor == "postgresql")
FIRST_SUBMIT = READ + 4 + FIGURES  # report, audit entry, values, revision
RESUBMIT = READ + 5 + FIGURES  # report, audit entry, old values, values, revision
# When the party's level changed (crisis.alerts): the lock per crisis
# (PostgreSQL only), the other parties' levels, the people to tell, and the
# notifications in their savepoint (the unsent ones that match, the insert).
LEVEL_CHANGED = 6 + (connection.vendor == "postgresql")
REPEAT = 2 + 1  # token, crisis with the context; the values for the answer
FIRST_DRAFT = READ + 3
# The report's row changes only in what the audit trail leaves out (version,
# client key): no audit entry.
DRAFT_AGAIN = READ + 3
FIRST_USE_OF_THE_DAY = 1
WEB_FIRST_SUBMIT = FIRST_SUBMIT - 1  # no token
WEB_RESUBMIT = RESUBMIT - 1


@pytest.fixture
def api(people: Any) -> dict[str, Any]:
    """A Covid-19 crisis, Levanger's token used already today, and the
    content type of a report known to the process (as in any process that
    has saved one: the audit entry names it)."""
    crisis = make_crisis(people.sara)
    token = make_token(people, levanger())
    OrganisationToken.objects.update(last_used_on=timezone.localdate())
    ContentType.objects.get_for_model(Report)
    return {"crisis": crisis, "token": token, "client": Client()}


def _post(api: dict[str, Any], values: dict[str, Any], **extra: Any) -> Any:
    crisis: Crisis = api["crisis"]
    return api["client"].post(
        f"/api/crisis/{crisis.pk}/reports",
        {
            "period": period(crisis).isoformat(),
            "client_key": str(uuid.uuid4()),
            "values": values,
            **extra,
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {api['token']}"},
    )


def _report(api: dict[str, Any]) -> Report:
    return Report.objects.get(crisis=api["crisis"], organisation=levanger())


def test_a_first_submit_costs_a_fixed_few_queries(
    api: dict[str, Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(FIRST_SUBMIT):
        response = _post(api, kommune_values())
    assert response.status_code == 201, response.json()
    report = _report(api)
    assert (report.status, report.version, report.computed_level) == ("submitted", 1, 1)
    assert ReportRevision.objects.filter(report=report).count() == 1
    # The answer shows the values as stored, without reading them back.
    assert response.json()["values"] == services.values_by_key(report)[0]
    assert response.json()["values"]["personell"] == "god"


def test_a_changed_resubmit_costs_a_fixed_few(
    api: dict[str, Any], django_assert_num_queries: Any
) -> None:
    assert _post(api, kommune_values()).status_code == 201
    with django_assert_num_queries(RESUBMIT):
        response = _post(api, kommune_values(smittetall="7"))
    assert response.status_code == 201, response.json()
    # Its level moved from 1 to 3: the coordination group is told.
    with django_assert_num_queries(RESUBMIT + LEVEL_CHANGED):
        response = _post(api, kommune_values(smittetall="7", personell="kritisk"))
    assert response.status_code == 201, response.json()
    report = _report(api)
    assert (report.version, report.computed_level) == (3, 3)
    assert [r.number for r in report.revisions.all()] == [1, 2, 3]
    assert Value.objects.get(report=report, indicator__code="smittetall").number == 7
    assert response.json()["values"] == services.values_by_key(report)[0]


def test_a_repeat_costs_three_and_changes_nothing(
    api: dict[str, Any], django_assert_num_queries: Any
) -> None:
    key = str(uuid.uuid4())
    first = _post(api, kommune_values(), client_key=key)
    with django_assert_num_queries(REPEAT):
        again = _post(api, kommune_values(smittetall="9"), client_key=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert ReportRevision.objects.filter(report=_report(api)).count() == 1


def test_a_draft_costs_seven_and_saving_it_again_seven(
    api: dict[str, Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(FIRST_DRAFT):
        assert _post(api, {"smittetall": "3"}, submit=False).status_code == 201
    with django_assert_num_queries(DRAFT_AGAIN):
        assert _post(api, {"smittetall": "4"}, submit=False, version=1).status_code == 201
    report = _report(api)
    assert (report.status, report.version) == ("draft", 2)
    assert not report.revisions.exists()


def test_the_first_request_of_the_day_records_the_token_use(
    api: dict[str, Any], django_assert_num_queries: Any
) -> None:
    OrganisationToken.objects.update(last_used_on=None)
    with django_assert_num_queries(FIRST_USE_OF_THE_DAY + FIRST_SUBMIT):
        assert _post(api, kommune_values()).status_code == 201


def test_the_web_forms_save_costs_the_same_without_the_token(
    api: dict[str, Any], people: Any, django_assert_num_queries: Any
) -> None:
    # As the report form has it: the crisis with its form and partnership.
    crisis = Crisis.objects.select_related("form", "partnership").get(pk=api["crisis"].pk)
    party = levanger()

    def save(version: int, **values: str) -> Report:
        return services.save_report(
            crisis,
            party,
            period(crisis),
            kommune_values(**values),
            by=people.lena,
            submit=True,
            client_key=uuid.uuid4(),
            expected_version=version,
        )

    with django_assert_num_queries(WEB_FIRST_SUBMIT):
        first = save(0)
    with django_assert_num_queries(WEB_RESUBMIT):
        second = save(first.version, smittetall="8")
    assert (first.version, second.version) == (1, 2)
    assert _report(api).submitted_by == people.lena


def test_the_audit_trail_has_the_creation_and_each_change(api: dict[str, Any]) -> None:
    assert _post(api, kommune_values()).status_code == 201
    assert _post(api, kommune_values(personell="kritisk")).status_code == 201
    entries = list(LogEntry.objects.get_for_object(_report(api)).order_by("timestamp", "pk"))
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    created, changed = (e.changes_dict for e in entries)
    assert created["status"] == ["None", "submitted"]
    assert created["computed_level"] == ["None", "1"]
    # The change, as save() would log it: the fields that changed, not the
    # version nor the client key.
    assert changed["computed_level"] == ["1", "3"]
    assert "submitted_at" in changed
    assert not {"version", "client_key", "status"} & set(changed)
