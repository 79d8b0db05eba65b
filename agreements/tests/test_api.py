"""The agreements API: open to all, read-only, published versions only."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.test import Client

from agreements.models import AgreementVersion, Ratification
from agreements.tests.published import CHANGES, SECRET, TODAY, build
from partnerships.models import Organisation, Partnership

URL = "/api/agreements/hnt"


@pytest.fixture
def published(hnt: Partnership) -> Iterator[SimpleNamespace]:
    with time_machine.travel(TODAY, tick=False):
        yield build(hnt)


def _get(url: str, client: Client | None = None) -> Any:
    response = (client or Client()).get(url)
    assert response.status_code == 200, (url, response.content)
    return response.json()


def test_the_schema_lists_the_endpoints(db: Any) -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    for path in [
        "/api/agreements/{partnership}",
        "/api/agreements/{partnership}/coverage",
        "/api/agreements/{partnership}/versions/{version_id}",
        "/api/agreements/{partnership}/agreement/{agreement}",
        "/api/agreements/{partnership}/agreement/{agreement}/ratifications",
        "/api/agreements/{partnership}/agreement/{agreement}/binding",
    ]:
        assert path in paths
        assert "404" in paths[path]["get"]["responses"]
        assert "security" not in paths[path]["get"]


def test_the_list_has_level_and_version_in_force(published: SimpleNamespace) -> None:
    rows = {row["slug"]: row for row in _get(URL)}
    main = rows["test-samarbeidsavtale"]
    assert main["title"] == published.main.title
    assert main["level"] == {
        "name": "Test: Overordnet samarbeidsavtale",
        "position": 90,
        "ratified": True,
    }
    assert main["in_force"]["label"] == "2026"
    assert main["in_force"]["in_force_from"] == "2026-01-01"
    assert main["in_force"]["in_force_to"] is None
    assert main["in_force"]["previous_id"] == published.v2021.pk
    assert main["upcoming"]["label"] == "2027"
    assert main["all_parties"] is True
    local = rows["test-saeravtale"]
    assert [p["name"] for p in local["parties"]] == ["Levanger kommune", "Verdal kommune"]
    assert "test-utkast" not in rows  # only a draft


def test_one_agreement_lists_its_public_versions(published: SimpleNamespace) -> None:
    body = _get(f"{URL}/agreement/test-samarbeidsavtale")
    assert [v["label"] for v in body["versions"]] == ["2021", "2026", "2027"]
    assert [v["status"] for v in body["versions"]] == ["replaced", "in_force", "ratification"]
    assert body["yields_to"] is None
    local = _get(f"{URL}/agreement/test-saeravtale")
    assert local["yields_to"] == "test-samarbeidsavtale"


def test_a_version_has_its_clauses_with_points_and_joint_measures(
    published: SimpleNamespace,
) -> None:
    body = _get(f"{URL}/versions/{published.v2026.pk}")
    assert body["agreement"] == "test-samarbeidsavtale"
    clauses = {c["key"]: c for c in body["clauses"]}
    assert list(clauses) == ["purpose", "admission", "digital"]
    assert clauses["admission"]["points"] == [2, 3, 5]
    assert clauses["admission"]["text"].startswith("<p>Kommunen varsler")
    assert clauses["admission"]["joint_measures"][0]["employer"].startswith("Helse Nord")


@pytest.mark.parametrize("which", ["draft", "hidden_draft"])
def test_drafts_are_404(published: SimpleNamespace, which: str) -> None:
    version = getattr(published, which)
    assert Client().get(f"{URL}/versions/{version.pk}").status_code == 404
    assert Client().get(f"{URL}/agreement/test-utkast").status_code == 404
    assert Client().get(f"/api/agreements/stolav/versions/{published.v2026.pk}").status_code == 404
    assert Client().get("/api/agreements/nope").status_code == 404


def test_a_version_based_on_a_draft_does_not_name_it(published: SimpleNamespace) -> None:
    AgreementVersion.objects.filter(pk=published.v2027.pk).update(previous=published.draft)
    assert _get(f"{URL}/versions/{published.v2027.pk}")["previous_id"] is None
    versions = _get(f"{URL}/agreement/test-samarbeidsavtale")["versions"]
    assert versions[-1]["previous_id"] is None
    assert SECRET not in Client().get(f"{URL}/versions/{published.v2027.pk}").content.decode()


def test_the_coverage_per_point(published: SimpleNamespace) -> None:
    body = _get(f"{URL}/coverage?date=2026-06-15")
    assert body["date"] == "2026-06-15"
    points = {p["point"]: p for p in body["points"]}
    assert list(points) == list(range(1, 14))
    assert {c["key"] for c in points[9]["clauses"]} >= {"digital"}
    assert points[9]["covered"] is True
    assert "midwife" not in {c["key"] for c in points[8]["clauses"]}
    # In 2022 the 2021 version was in force, with its midwifery clause.
    earlier = {p["point"]: p for p in _get(f"{URL}/coverage?date=2022-01-01")["points"]}
    assert "midwife" in {c["key"] for c in earlier[8]["clauses"]}
    assert "digital" not in {c["key"] for c in earlier[9]["clauses"]}


def test_ratifications_per_party_and_version(published: SimpleNamespace) -> None:
    body = _get(f"{URL}/agreement/test-samarbeidsavtale/ratifications")
    assert [v["version"]["label"] for v in body] == ["2021", "2026", "2027"]
    v2026 = {p["organisation"]["name"]: p for p in body[1]["parties"]}
    assert v2026["Levanger kommune"]["outcome"] == "adopted"
    assert v2026["Levanger kommune"]["case_number"] == "25/112"
    assert v2026["Verdal kommune"]["outcome"] == "adopted_with_changes"
    assert v2026["Verdal kommune"]["changes"] == CHANGES
    assert v2026["Namsos kommune"]["outcome"] == "rejected"
    assert v2026["Stjørdal kommune"]["outcome"] == "dispute"
    assert v2026["Frosta kommune"]["outcome"] == "not_recorded"
    assert _get(f"{URL}/agreement/test-retningslinje/ratifications") == []


@pytest.mark.parametrize(
    ("party", "day", "label", "reason"),
    [
        ("levanger", "2026-06-15", "2026", "adopted"),
        ("levanger", "2025-12-31", "2021", "adopted"),
        ("levanger", "2027-01-01", "2027", "adopted"),
        ("verdal", "2026-06-15", "2026", "adopted_with_changes"),
        ("namsos", "2026-06-15", "2021", "adopted"),  # rejected 2026
        ("stjordal", "2026-12-31", "2021", "adopted"),  # in dispute over 2026
        ("stjordal", "2027-01-01", None, "terminated"),
        ("frosta", "2026-06-15", None, "not_adopted"),
        ("levanger", "2021-05-31", None, "not_adopted"),
        ("trondheim", "2026-06-15", None, "not_a_party"),
    ],
)
def test_which_version_binds_a_party_on_a_day(
    published: SimpleNamespace, party: str, day: str, label: str | None, reason: str
) -> None:
    numbers = {"frosta": "5036", "trondheim": "5001"}
    organisation = getattr(published, party, None) or Organisation.objects.get(
        municipality_number=numbers[party]
    )
    body = _get(
        f"{URL}/agreement/test-samarbeidsavtale/binding?organisation={organisation.pk}&date={day}"
    )
    assert body["organisation"]["id"] == organisation.pk
    assert body["date"] == day
    assert (body["version"]["label"] if body["version"] else None) == label
    assert body["reason"] == reason
    if reason == "adopted_with_changes":
        assert body["changes"] == CHANGES


def test_binding_by_organisation_number_and_for_a_special_agreement(
    published: SimpleNamespace,
) -> None:
    Organisation.objects.filter(pk=published.namsos.pk).update(organisation_number="944482253")
    body = _get(f"{URL}/agreement/test-saeravtale/binding?organisation=944482253&date=2026-06-15")
    assert body["organisation"]["name"] == "Namsos kommune"
    assert body["version"] is None and body["reason"] == "not_bound"
    levanger = _get(
        f"{URL}/agreement/test-saeravtale/binding?organisation={published.levanger.pk}"
        "&date=2026-06-15"
    )
    assert levanger["version"]["label"] == "2024" and levanger["since"] == "2024-01-01"
    guideline = _get(
        f"{URL}/agreement/test-retningslinje/binding?organisation={published.namsos.pk}"
        "&date=2026-06-15"
    )
    assert guideline["version"]["label"] == "2025" and guideline["reason"] == "in_force"


def test_binding_defaults_to_today(published: SimpleNamespace) -> None:
    body = _get(
        f"{URL}/agreement/test-samarbeidsavtale/binding?organisation={published.levanger.pk}"
    )
    assert body["date"] == "2026-06-15" and body["version"]["label"] == "2026"


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("organisation=99999999", 404),  # no such organisation
        ("organisation=123456789", 404),  # no such organisation number
        ("organisation=abc", 422),
        ("organisation=1&date=1899-12-31", 422),
        ("organisation=1&date=3000-01-01", 422),
        ("organisation=1&date=2026-02-30", 422),
        ("", 422),
    ],
)
def test_binding_refuses_what_it_cannot_answer(
    published: SimpleNamespace, query: str, status: int
) -> None:
    url = f"{URL}/agreement/test-samarbeidsavtale/binding?{query}"
    assert Client().get(url).status_code == status


def test_a_version_never_binds_before_the_council_has_adopted_it(
    published: SimpleNamespace,
) -> None:
    Ratification.objects.create(
        agreement_version=published.draft, organisation=Organisation.objects.get(
            municipality_number="5036"
        ), outcome="adopted"
    )  # fmt: skip
    AgreementVersion.objects.filter(pk=published.draft.pk).update(in_force_from="2026-02-01")
    body = _get(
        f"{URL}/agreement/test-samarbeidsavtale/binding?organisation="
        f"{Organisation.objects.get(municipality_number='5036').pk}&date=2026-06-15"
    )
    assert body["version"] is None


def test_the_api_takes_a_fixed_number_of_queries(
    published: SimpleNamespace, django_assert_max_num_queries: Any
) -> None:
    from agreements.tests.test_public_pages import _grow

    urls = [
        URL,
        f"{URL}/coverage",
        f"{URL}/versions/{published.v2026.pk}",
        f"{URL}/agreement/test-samarbeidsavtale",
        f"{URL}/agreement/test-samarbeidsavtale/ratifications",
        f"{URL}/agreement/test-samarbeidsavtale/binding?organisation={published.levanger.pk}",
    ]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                _get(url)
            found.append(len(queries))
        return found

    before = counts()
    _grow(published)
    assert counts() == before
    # Per endpoint, as their docstrings say (the agreement gives way to none here).
    assert before == [7, 5, 5, 7, 7, 8]
