"""Every coordination URL × every named person → the expected status.

Everyone who reads the crisis (coordinators, leaders, the observer
Statsforvalteren, the secretariat) reads the coordination meetings, the log
and the resource requests. Only the secretariat generates agendas and keeps
the log; the parties' coordinators and leaders (and the secretariat on their
behalf) make and answer requests. Outsiders and the other partnership get
404, insiders without the right 403.
"""

from __future__ import annotations

from typing import Any

import pytest

from crisis import log as crisis_log
from crisis import resources
from crisis.models import ResourceRequest
from crisis.tests.conftest import levanger
from crisis.tests.test_coordination import make_crisis
from tests.matrix import PEOPLE

OUTSIDE = {"tor": 404, "petter": 404, "otto": 404, "anon": 302}
VIEWERS = ("sara", "ada", "lena", "nils", "hanne", "stine", "siri", "kai")


def _expect(**by_person: int) -> dict[str, int]:
    result = dict(OUTSIDE)
    result.update(by_person)
    # Kai reports for Frosta only (a plain member of Verdal): answered as
    # Nils, a third party's coordinator, unless a case says otherwise.
    result.setdefault("kai", result.get("nils", 404))
    assert set(result) == set(PEOPLE), set(PEOPLE) - set(result)
    return result


READ = _expect(**dict.fromkeys(VIEWERS, 200))
# An empty form from the secretariat comes back with its errors.
MANAGE_POST = _expect(sara=400, ada=400, lena=403, nils=403, hanne=403, stine=403, siri=403)
MANAGE_GET = _expect(sara=200, ada=200, lena=403, nils=403, hanne=403, stine=403, siri=403)
REQUEST_GET = _expect(sara=200, ada=200, lena=200, nils=200, hanne=200, stine=403, siri=200)
REQUEST_POST = _expect(sara=400, ada=400, lena=400, nils=400, hanne=400, stine=403, siri=400)
# A step: those who may act get a redirect back (the service decides and
# explains); the observer 403.
STEP = _expect(sara=302, ada=302, lena=302, nils=302, hanne=302, stine=403, siri=302)
# Statsforvalteren and Siri are insiders in St. Olav's too, but the crisis is not there.
OTHER_PARTNERSHIP = _expect(**dict.fromkeys(VIEWERS, 404))

CASES: list[tuple[str, str, dict[str, int]]] = [
    ("GET", "/hnt/intern/krise/{crisis}/koordinering/", READ),
    ("POST", "/hnt/intern/krise/{crisis}/koordinering/", MANAGE_POST),
    ("GET", "/hnt/intern/krise/{crisis}/logg/", READ),
    ("POST", "/hnt/intern/krise/{crisis}/logg/", MANAGE_POST),
    ("GET", "/hnt/intern/krise/{crisis}/logg/{entry}/oppfolging/", MANAGE_GET),
    ("POST", "/hnt/intern/krise/{crisis}/logg/{entry}/oppfolging/", MANAGE_POST),
    ("GET", "/hnt/intern/krise/{crisis}/ressurser/", READ),
    ("GET", "/hnt/intern/krise/{crisis}/ressurser/?status=all&mine=on", READ),
    ("GET", "/hnt/intern/krise/{crisis}/ressurser/ny/", REQUEST_GET),
    ("POST", "/hnt/intern/krise/{crisis}/ressurser/ny/", REQUEST_POST),
    ("GET", "/hnt/intern/krise/{crisis}/ressurser/{request}/", READ),
    ("POST", "/hnt/intern/krise/{crisis}/ressurser/{request}/steg/", STEP),
    (
        "GET",
        "/hnt/intern/krise/{crisis}/ressurser/{request}/steg/",
        _expect(sara=405, ada=405, lena=405, nils=405, hanne=405, stine=405, siri=405),
    ),
    ("GET", "/hnt/intern/krise/{crisis}/ressurser/999999/", _expect(**dict.fromkeys(VIEWERS, 404))),
    ("GET", "/stolav/intern/krise/{crisis}/logg/", OTHER_PARTNERSHIP),
    ("GET", "/stolav/intern/krise/{crisis}/ressurser/{request}/", OTHER_PARTNERSHIP),
    ("GET", "/stolav/intern/krise/{crisis}/koordinering/", OTHER_PARTNERSHIP),
]


@pytest.mark.parametrize(
    ("method", "url", "expected"), CASES, ids=[f"{m} {u}" for m, u, _ in CASES]
)
def test_coordination_permission_matrix(
    as_person: Any, people: Any, method: str, url: str, expected: dict[str, int]
) -> None:
    crisis = make_crisis(people.sara)
    entry = crisis_log.add_log_entry(crisis, text="Nasjonale tiltak innført", by=people.sara)
    request = resources.request_resources(
        crisis,
        organisation=levanger(),
        kind=ResourceRequest.Kind.BEDS,
        description="To KAD-senger",
        by=people.lena,
    )
    target = url.format(crisis=crisis.pk, entry=entry.pk, request=request.pk)
    failures = []
    for key in PEOPLE:
        client = as_person(None if key == "anon" else key)
        response = client.get(target) if method == "GET" else client.post(target, {})
        if response.status_code != expected[key]:
            failures.append(f"{key}: expected {expected[key]}, got {response.status_code}")
    assert not failures, f"{method} {url}:\n" + "\n".join(failures)


def test_a_party_asks_only_for_itself_and_the_secretariat_for_anyone(
    as_person: Any, people: Any
) -> None:
    crisis = make_crisis(people.sara)
    url = f"/hnt/intern/krise/{crisis.pk}/ressurser/ny/"
    lena = as_person("lena").get(url).context["form"]
    sara = as_person("sara").get(url).context["form"]
    assert [o.pk for o in lena.fields["organisation"].queryset] == [levanger().pk]
    assert sara.fields["organisation"].queryset.count() == 20


def test_a_regional_crisis_only_lets_its_parties_ask(as_person: Any, people: Any) -> None:
    from partnerships.models import Region

    crisis = make_crisis(
        people.sara,
        name="Lokalt utbrudd Frosta",
        regions=[Region.objects.get(partnership__slug="hnt", name="Værnesregionen")],
    )
    url = f"/hnt/intern/krise/{crisis.pk}/ressurser/ny/"
    assert as_person("lena").get(url).status_code == 403  # Levanger is not in it
    assert as_person("siri").get(url).status_code == 200  # Stjørdal is
