"""The secretariat's deviation settings: who may come (every URL × every
named person), what saving does (audited, safe against double submits and
concurrent edits), and the rule that a category or guideline in use can
only be taken out of use, never deleted."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deviations import services
from deviations.models import Deviation, DeviationCategory, DeviationConfig, Guideline
from deviations.settings_views import CategoryForm, ConfigForm, GuidelineForm, fingerprint
from partnerships.models import Organisation, Partnership
from tests.matrix import PEOPLE

INSIDERS_HNT = {"sara", "ada", "lena", "nils", "hanne", "stine", "siri", "kai"}
INSIDERS_STOLAV = {"siri", "kai", "tor", "petter", "stine"}
BASE = "/hnt/intern/avvik/innstillinger/"
IDENTITY_NUMBER = "30108299920"


def _expect(
    ok: int,
    *,
    insiders: set[str] = INSIDERS_HNT,
    managers: frozenset[str] = frozenset({"sara", "ada"}),
    anon: int = 302,
) -> dict[str, int]:
    """``ok`` for the secretariat and administrators, 403 for the other
    insiders, 404 for everyone else, and the log-in page for anonymous."""
    result = {p: (ok if p in managers else 403 if p in insiders else 404) for p in PEOPLE}
    result["anon"] = anon
    return result


# Writes are POST only: insiders are told so; outsiders still get 404.
POST_ONLY = _expect(405, managers=frozenset(INSIDERS_HNT))


def _config_data(config: DeviationConfig, **values: Any) -> dict[str, Any]:
    data = {
        "config-response_days": config.response_days,
        "config-reminder_days_before": config.reminder_days_before,
        "config-loaded": fingerprint(config, ConfigForm.tracked),
        **{f"config-{k}": v for k, v in values.items()},
    }
    if data.pop("config-public_statistics", config.public_statistics):
        data["config-public_statistics"] = "on"
    return data


def _category_data(category: DeviationCategory, **values: Any) -> dict[str, Any]:
    data = {
        "code": category.code,
        "name": category.name,
        "position": category.position,
        "loaded": fingerprint(category, CategoryForm.tracked),
        **values,
    }
    if data.pop("active", category.active):
        data["active"] = "on"
    return data


def _guideline_data(guideline: Guideline, **values: Any) -> dict[str, Any]:
    data = {
        "number": guideline.number,
        "name": guideline.name,
        "loaded": fingerprint(guideline, GuidelineForm.tracked),
        **values,
    }
    if data.pop("active", guideline.active):
        data["active"] = "on"
    return data


@pytest.fixture
def setup(people: Any) -> dict[str, Any]:
    hnt = Partnership.objects.get(slug="hnt")
    stolav = Partnership.objects.get(slug="stolav")
    services.ensure_categories(stolav)
    config = services.config_for(hnt)
    category = DeviationCategory.objects.get(partnership=hnt, code="C")
    unused = DeviationCategory.objects.create(partnership=hnt, code="X", name="Ubrukt", position=9)
    guideline = Guideline.objects.get(partnership=hnt, number=1)
    unused_guideline = Guideline.objects.create(partnership=hnt, number=99, name="Ubrukt")
    return {
        "hnt": hnt,
        "config": config,
        "cat": category,
        "unused": unused,
        "gl": guideline,
        "unused_gl": unused_guideline,
        "stolav_cat": DeviationCategory.objects.get(partnership=stolav, code="A"),
    }


NEW_CATEGORY = {"category-code": "F", "category-name": "Ny"}


def _cases(s: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], dict[str, int]]]:
    cat, gl = s["cat"], s["gl"]
    return [
        ("GET", BASE, {}, _expect(200)),
        ("POST", BASE, _config_data(s["config"], response_days=14), _expect(302)),
        # An invalid form comes back with its errors (400) for those who may save.
        ("POST", BASE, {"config-response_days": "0"}, _expect(400)),
        ("POST", f"{BASE}kategorier/ny/", NEW_CATEGORY, _expect(302)),
        ("GET", f"{BASE}kategorier/ny/", {}, POST_ONLY),
        ("GET", f"{BASE}kategorier/{cat.pk}/", {}, _expect(200)),
        ("POST", f"{BASE}kategorier/{cat.pk}/", _category_data(cat, name="Nytt"), _expect(302)),
        ("POST", f"{BASE}kategorier/{s['unused'].pk}/slett/", {}, _expect(302)),
        ("GET", f"{BASE}kategorier/{s['unused'].pk}/slett/", {}, POST_ONLY),
        ("GET", f"{BASE}kategorier/999999/", {}, _expect(404)),
        (
            "POST",
            f"{BASE}retningslinjer/ny/",
            {"guideline-number": "7", "guideline-name": "Ny"},
            _expect(302),
        ),
        ("GET", f"{BASE}retningslinjer/{gl.pk}/", {}, _expect(200)),
        ("POST", f"{BASE}retningslinjer/{gl.pk}/", _guideline_data(gl, name="Nytt"), _expect(302)),
        ("POST", f"{BASE}retningslinjer/{s['unused_gl'].pk}/slett/", {}, _expect(302)),
        # St. Olavs' category asked for under /hnt/: 404 for those who may
        # manage here (the others are refused before anything is looked up).
        ("GET", f"{BASE}kategorier/{s['stolav_cat'].pk}/", {}, _expect(404)),
        ("POST", f"{BASE}kategorier/{s['stolav_cat'].pk}/slett/", {}, _expect(404)),
        # … while St. Olavs' own secretariat manages it there.
        (
            "GET",
            f"/stolav/intern/avvik/innstillinger/kategorier/{s['stolav_cat'].pk}/",
            {},
            _expect(200, insiders=INSIDERS_STOLAV, managers=frozenset({"petter"})),
        ),
        (
            "GET",
            "/stolav/intern/avvik/innstillinger/",
            {},
            _expect(200, insiders=INSIDERS_STOLAV, managers=frozenset({"petter"})),
        ),
    ]


def _reset(s: dict[str, Any]) -> None:
    """Undo a write so the next person meets the same state."""
    DeviationConfig.objects.filter(pk=s["config"].pk).update(
        response_days=s["config"].response_days
    )
    for item in (s["cat"], s["gl"]):
        type(item).objects.filter(pk=item.pk).update(name=item.name)
    DeviationCategory.objects.filter(partnership=s["hnt"], code="F").delete()
    Guideline.objects.filter(partnership=s["hnt"], number=7).delete()
    for item in (s["unused"], s["unused_gl"]):
        if not type(item).objects.filter(pk=item.pk).exists():
            item.save(force_insert=True)


def test_permission_matrix(as_person: Any, setup: dict[str, Any]) -> None:
    failures = []
    for method, url, data, expected in _cases(setup):
        for key in PEOPLE:
            client = as_person(None if key == "anon" else key)
            response = client.get(url) if method == "GET" else client.post(url, data)
            if response.status_code != expected[key]:
                failures.append(
                    f"{method} {url} {key}: expected {expected[key]}, got {response.status_code}"
                )
            if method == "POST" and response.status_code == 302 and key != "anon":
                _reset(setup)
    assert not failures, "\n".join(failures)


def test_the_writes_in_the_matrix_really_happened(as_person: Any, setup: dict[str, Any]) -> None:
    """The 302s above are successes, not refusals in disguise."""
    sara = as_person("sara")
    sara.post(BASE, _config_data(setup["config"], response_days=14))
    assert DeviationConfig.objects.get(pk=setup["config"].pk).response_days == 14
    sara.post(f"{BASE}kategorier/ny/", {"category-code": "f", "category-name": "Ny"})
    assert DeviationCategory.objects.get(partnership=setup["hnt"], code="F").name == "Ny"
    sara.post(f"{BASE}kategorier/{setup['cat'].pk}/", _category_data(setup["cat"], name="Nytt"))
    assert DeviationCategory.objects.get(pk=setup["cat"].pk).name == "Nytt"
    sara.post(f"{BASE}kategorier/{setup['unused'].pk}/slett/")
    assert not DeviationCategory.objects.filter(pk=setup["unused"].pk).exists()
    sara.post(f"{BASE}retningslinjer/ny/", {"guideline-number": "7", "guideline-name": "Ny"})
    assert Guideline.objects.filter(partnership=setup["hnt"], number=7, name="Ny").exists()
    sara.post(f"{BASE}retningslinjer/{setup['unused_gl'].pk}/slett/")
    assert not Guideline.objects.filter(pk=setup["unused_gl"].pk).exists()


def test_the_page_shows_settings_categories_guidelines_and_use(
    as_person: Any, setup: dict[str, Any]
) -> None:
    response = as_person("sara").get(BASE)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    for name in ("Ved utskrivning", "Pasientsamarbeid", "Digital samhandling", "Ubrukt"):
        assert name in body
    category, guideline = response.context["sections"]
    used = {item.code: item.used for item in category["items"]}
    assert used["C"] == Deviation.objects.filter(category=setup["cat"]).count() > 0
    assert used["X"] == 0
    assert {item.number: item.used for item in guideline["items"]}[99] == 0


def test_saving_the_settings_is_audited(as_person: Any, people: Any, setup: dict[str, Any]) -> None:
    config = setup["config"]
    response = as_person("ada").post(
        BASE,
        _config_data(config, response_days=14, reminder_days_before=3, public_statistics=True),
    )
    assert response.status_code == 302
    config.refresh_from_db()
    assert (config.response_days, config.reminder_days_before, config.public_statistics) == (
        14,
        3,
        True,
    )
    entry = LogEntry.objects.get_for_object(config).latest("timestamp")
    assert entry.actor == people.ada
    assert set(entry.changes_dict) == {"response_days", "reminder_days_before", "public_statistics"}


def test_the_reminder_must_come_before_the_deadline(as_person: Any, setup: dict[str, Any]) -> None:
    config = setup["config"]
    response = as_person("sara").post(
        BASE, _config_data(config, response_days=5, reminder_days_before=5)
    )
    assert response.status_code == 400
    form = response.context["config_form"]
    assert "reminder_days_before" in form.errors
    assert form["response_days"].value() == "5"  # what was typed is kept
    assert DeviationConfig.objects.get(pk=config.pk).response_days == config.response_days


def test_a_double_submit_saves_once_and_a_stale_form_is_refused(
    as_person: Any, setup: dict[str, Any]
) -> None:
    config = setup["config"]
    sara = as_person("sara")
    data = _config_data(config, response_days=10)
    assert sara.post(BASE, data).status_code == 302
    assert sara.post(BASE, data).status_code == 302  # the second click
    updates = LogEntry.objects.get_for_object(config).filter(action=LogEntry.Action.UPDATE)
    assert updates.count() == 1
    # Ada loaded the page before Sara's save and now saves something else.
    response = as_person("ada").post(BASE, {**data, "config-response_days": "30"})
    assert response.status_code == 409
    assert DeviationConfig.objects.get(pk=config.pk).response_days == 10
    form = response.context["config_form"]
    assert form["response_days"].value() == "30"
    # Saving again from the refreshed form is a choice made after seeing it.
    retry = {**data, "config-response_days": "30", "config-loaded": form["loaded"].value()}
    assert as_person("ada").post(BASE, retry).status_code == 302
    assert DeviationConfig.objects.get(pk=config.pk).response_days == 30


def test_adding_a_category_twice_adds_it_once(
    as_person: Any, people: Any, setup: dict[str, Any]
) -> None:
    sara = as_person("sara")
    data = {"category-code": "f", "category-name": "Ved overføring mellom kommuner"}
    assert sara.post(f"{BASE}kategorier/ny/", data).status_code == 302
    assert sara.post(f"{BASE}kategorier/ny/", data).status_code == 302
    (added,) = DeviationCategory.objects.filter(partnership=setup["hnt"], code="F")
    assert added.position == 10  # after the unused test category at 9
    assert LogEntry.objects.get_for_object(added).get().actor == people.sara
    response = sara.post(f"{BASE}kategorier/ny/", {**data, "category-name": "Noe annet"})
    assert response.status_code == 400
    assert "code" in response.context["sections"][0]["form"].errors


def test_an_identity_number_is_refused_and_the_text_kept(
    as_person: Any, setup: dict[str, Any]
) -> None:
    name = f"Pasient {IDENTITY_NUMBER}"
    response = as_person("sara").post(
        f"{BASE}retningslinjer/ny/", {"guideline-number": "8", "guideline-name": name}
    )
    assert response.status_code == 400
    form = response.context["sections"][1]["form"]
    assert form["name"].value() == name
    assert "name" in form.errors
    assert not Guideline.objects.filter(partnership=setup["hnt"], number=8).exists()
    category = setup["cat"]
    response = as_person("sara").post(
        f"{BASE}kategorier/{category.pk}/", _category_data(category, name=name)
    )
    assert response.status_code == 400
    assert DeviationCategory.objects.get(pk=category.pk).name == category.name


def test_a_category_in_use_is_deactivated_not_deleted(
    as_person: Any, people: Any, setup: dict[str, Any]
) -> None:
    sara = as_person("sara")
    category = setup["cat"]
    page = sara.get(f"{BASE}kategorier/{category.pk}/")
    assert page.context["used"] > 0
    assert f"kategorier/{category.pk}/slett/" not in page.content.decode()
    response = sara.post(f"{BASE}kategorier/{category.pk}/slett/")
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}kategorier/{category.pk}/"
    assert DeviationCategory.objects.filter(pk=category.pk).exists()
    response = sara.post(f"{BASE}kategorier/{category.pk}/", _category_data(category, active=False))
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.active is False
    assert LogEntry.objects.get_for_object(category).latest("timestamp").actor == people.sara
    # No longer offered to reporters; the deviations keep it.
    form = as_person("lena").get("/hnt/intern/avvik/ny/").context["form"]
    assert category not in form.fields["category"].queryset
    assert Deviation.objects.filter(category=category).exists()


def test_an_unused_guideline_is_deleted_and_the_deletion_audited(
    as_person: Any, people: Any, setup: dict[str, Any]
) -> None:
    guideline = setup["unused_gl"]
    response = as_person("sara").post(f"{BASE}retningslinjer/{guideline.pk}/slett/")
    assert response.status_code == 302
    assert not Guideline.objects.filter(pk=guideline.pk).exists()
    entry = LogEntry.objects.filter(
        object_pk=str(guideline.pk), action=LogEntry.Action.DELETE
    ).get()
    assert entry.actor == people.sara


def test_a_guideline_number_and_a_category_code_stay_unique(
    as_person: Any, setup: dict[str, Any]
) -> None:
    sara = as_person("sara")
    guideline = setup["unused_gl"]
    response = sara.post(
        f"{BASE}retningslinjer/{guideline.pk}/", _guideline_data(guideline, number=1)
    )
    assert response.status_code == 400
    assert "number" in response.context["form"].errors
    category = setup["unused"]
    response = sara.post(f"{BASE}kategorier/{category.pk}/", _category_data(category, code="c"))
    assert response.status_code == 400
    assert "code" in response.context["form"].errors


def test_a_stale_rename_is_refused(as_person: Any, setup: dict[str, Any]) -> None:
    category = setup["cat"]
    loaded = _category_data(category, name="Sara sitt navn")
    DeviationCategory.objects.filter(pk=category.pk).update(name="Adas navn")
    response = as_person("sara").post(f"{BASE}kategorier/{category.pk}/", loaded)
    assert response.status_code == 409
    assert DeviationCategory.objects.get(pk=category.pk).name == "Adas navn"
    assert response.context["form"]["name"].value() == "Sara sitt navn"


# Every page for a logged-in, two-factor-verified secretariat member costs 9
# queries (see followups/tests/test_queries.py).
BASE_QUERIES = 9
PINNED = {
    # + config, categories exist?, then per kind (category, guideline): the
    #   deviations using each (one aggregate) and the items
    BASE: BASE_QUERIES + 6,
    # + the category, how many deviations use it
    f"{BASE}kategorier/{{cat}}/": BASE_QUERIES + 2,
}


@pytest.mark.parametrize("url", list(PINNED))
def test_query_counts_do_not_grow_with_rows(
    as_person: Any, people: Any, setup: dict[str, Any], url: str
) -> None:
    target = url.format(cat=setup["cat"].pk)
    client = as_person("sara")
    client.get(target)  # warm up (session, caches)
    with CaptureQueriesContext(connection) as before:
        assert client.get(target).status_code == 200
    hnt = setup["hnt"]
    levanger = Organisation.objects.get(municipality_number="5037")
    trust = Organisation.objects.get(name="Helse Nord-Trøndelag HF")
    for i in range(10):
        category = DeviationCategory.objects.create(partnership=hnt, code=f"Z{i}", name=f"Z {i}")
        guideline = Guideline.objects.create(partnership=hnt, number=200 + i, name=f"R {i}")
        Deviation.objects.create(
            partnership=hnt,
            reporting_organisation=levanger,
            receiving_organisation=trust,
            occurred_at=timezone.now() - datetime.timedelta(days=1),
            category=category,
            guideline=guideline,
            description="Mangler epikrise",
            consequence="none",
        )
    with CaptureQueriesContext(connection) as after:
        assert client.get(target).status_code == 200
    assert len(after) == len(before) == PINNED[url], [q["sql"] for q in after.captured_queries]
