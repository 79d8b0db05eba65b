"""Every crisis page of the parties and the secretariat × every named person
→ the expected status.

Every crisis viewer (coordinators, leaders, Statsforvalteren, the
secretariat) reads the crises and the submitted reports. A party's report
form is its own coordinators' and leaders' alone: another party's gives
404, people who do not report 403. Opening, standing down and unlocking are
the secretariat's; declaring a level the party's and the secretariat's.
Outsiders and the other partnership get 404, the anonymous the log-in page.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from crisis import services
from crisis.tests.conftest import kommune_values, levanger, make_crisis, namsos, period
from partnerships.models import Organisation
from tests.matrix import PEOPLE

OUTSIDE = {"tor": 404, "petter": 404, "otto": 404, "anon": 302}


def _expect(**by_person: int) -> dict[str, int]:
    result = dict(OUTSIDE)
    result.update(by_person)
    # Kai reports for Frosta and is a plain member of Verdal: for Levanger's
    # report a third party's coordinator, answered as Nils.
    result.setdefault("kai", result["nils"])
    assert set(result) == set(PEOPLE), set(PEOPLE) - set(result)
    return result


VIEWERS = _expect(sara=200, ada=200, lena=200, nils=200, hanne=200, stine=200, siri=200)
NOBODY = _expect(sara=404, ada=404, lena=404, nils=404, hanne=404, stine=404, siri=404)


def _secretariat(status: int) -> dict[str, int]:
    return _expect(sara=status, ada=status, lena=403, nils=403, hanne=403, stine=403, siri=403)


def _levanger_only(status: int) -> dict[str, int]:
    """Levanger's own report form: Lena's; other parties 404; no right 403."""
    return _expect(sara=403, ada=403, lena=status, nils=404, hanne=404, stine=403, siri=404)


# A form posted empty comes back with its errors (400); "no change" without
# an earlier report is explained on the form (302).
CASES: list[tuple[str, str, dict[str, int]]] = [
    ("GET", "", VIEWERS),
    ("GET", "ny/", _secretariat(200)),
    ("POST", "ny/", _secretariat(400)),
    ("GET", "{crisis}/", VIEWERS),
    ("GET", "{crisis}/avslutt/", _secretariat(200)),
    ("POST", "{crisis}/avslutt/", _secretariat(302)),
    ("GET", "{crisis}/rapport/{levanger}/{day}/", _levanger_only(200)),
    ("POST", "{crisis}/rapport/{levanger}/{day}/", _levanger_only(400)),
    ("POST", "{crisis}/rapport/{levanger}/{day}/ingen-endring/", _levanger_only(302)),
    # Not a period of the crisis, not a day, not a party: 404 even for Lena.
    ("GET", "{crisis}/rapport/{levanger}/{not_monday}/", _levanger_only(404)),
    ("GET", "{crisis}/rapport/{levanger}/uke-12/", _levanger_only(404)),
    # Levanger's submitted report: every viewer reads it.
    ("GET", "{crisis}/rapport/{levanger}/{day}/vis/", VIEWERS),
    # Namsos' draft: the period reads as not submitted to everyone but Namsos.
    ("GET", "{crisis}/rapport/{namsos}/{day}/vis/", VIEWERS),
    ("GET", "{crisis}/rapport/{observer}/{day}/vis/", NOBODY),
    (
        "POST",
        "{crisis}/rapport/{levanger}/{day}/niva/",
        _expect(sara=400, ada=400, lena=400, nils=403, hanne=403, stine=403, siri=403),
    ),
    # A draft cannot have a declared level; others do not see it.
    (
        "POST",
        "{crisis}/rapport/{namsos}/{day}/niva/",
        _expect(sara=404, ada=404, lena=404, nils=403, hanne=404, stine=404, siri=404, kai=404),
    ),
    ("GET", "{crisis}/rapport/{levanger}/{day}/lås-opp/", _secretariat(200)),
    ("POST", "{crisis}/rapport/{levanger}/{day}/lås-opp/", _secretariat(400)),
    ("GET", "999999/", NOBODY),
]


def _url(path: str, **ids: Any) -> str:
    return reverse("crisis:index", args=["hnt"]) + path.format(**ids)


@pytest.mark.parametrize(
    ("method", "path", "expected"), CASES, ids=[f"{m} {p or '/'}" for m, p, _ in CASES]
)
def test_crisis_permission_matrix(
    as_person: Any, people: Any, method: str, path: str, expected: dict[str, int]
) -> None:
    crisis = make_crisis(people.sara)
    start = period(crisis)
    services.save_report(crisis, levanger(), start, kommune_values(), by=people.lena, submit=True)
    services.save_report(crisis, namsos(), start, {"smittetall": "3"}, by=people.nils, submit=False)
    statsforvalteren = Organisation.objects.get(name__startswith="Statsforvalteren")
    target = _url(
        path,
        crisis=crisis.pk,
        levanger=levanger().pk,
        namsos=namsos().pk,
        observer=statsforvalteren.pk,
        day=start.isoformat(),
        not_monday=(start + datetime.timedelta(days=1)).isoformat(),
    )
    failures = []
    for key in PEOPLE:
        client = as_person(None if key == "anon" else key)
        response = client.get(target) if method == "GET" else client.post(target, {})
        if response.status_code != expected[key]:
            failures.append(f"{key}: expected {expected[key]}, got {response.status_code}")
    assert not failures, f"{method} {path}:\n" + "\n".join(failures)


@pytest.mark.parametrize("key", PEOPLE)
def test_the_other_partnership_sees_no_crisis_of_this_one(
    as_person: Any, people: Any, key: str
) -> None:
    crisis = make_crisis(people.sara)
    response = as_person(None if key == "anon" else key).get(
        reverse("crisis:crisis", args=["stolav", crisis.pk])
    )
    assert response.status_code == (302 if key == "anon" else 404)
