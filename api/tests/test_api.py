from __future__ import annotations

from typing import Any

from django.test import Client


def test_the_openapi_schema_lists_the_endpoints(db: Any) -> None:
    schema = Client().get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Samspill API"
    paths = schema["paths"]
    for path in [
        "/api/partnerships",
        "/api/partnerships/{slug}",
        "/api/me",
        "/api/partnerships/{slug}/my-access",
    ]:
        assert path in paths


def test_anyone_can_read_the_public_structure(people: Any) -> None:
    body = Client().get("/api/partnerships/hnt").json()
    assert body["language"] == "nb"  # the language of its texts
    names = {o["name"] for o in body["organisations"]}
    assert "Levanger kommune" in names
    assert "Trondheim kommune" not in names
    levanger = next(o for o in body["organisations"] if o["name"] == "Levanger kommune")
    assert levanger == {
        "name": "Levanger kommune",
        "kind": "kommune",
        "organisation_number": levanger["organisation_number"],
        "municipality_number": "5037",
        "participation": "party",
        "region": "Innherred",
        "inhabitants": 20_560,
    }


def test_an_unknown_partnership_is_404(db: Any) -> None:
    assert Client().get("/api/partnerships/nope").status_code == 404


def test_me_requires_a_login(db: Any) -> None:
    assert Client().get("/api/me").status_code == 401


def test_me_lists_the_callers_memberships(as_person: Any) -> None:
    body = as_person("siri").get("/api/me").json()
    assert body["memberships"][0]["organisation"] == "Stjørdal kommune"
    assert {p["slug"] for p in body["partnerships"]} == {"hnt", "stolav"}


def test_my_access_reports_capabilities_and_hides_other_partnerships(as_person: Any) -> None:
    sara = as_person("sara")
    assert "manage_people" in sara.get("/api/partnerships/hnt/my-access").json()
    assert sara.get("/api/partnerships/stolav/my-access").status_code == 404
    lena = as_person("lena").get("/api/partnerships/hnt/my-access").json()
    assert "manage_people" not in lena
    assert "edit_own_contact" in lena
