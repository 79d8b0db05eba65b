"""Every object the OParl API gives validates against the OParl 1.1 JSON
schemas (``schema/``, see its NOTICE), embedded objects against their own,
with what the specification's text adds: ``created`` and ``modified`` on
every object, the Body's lists, every object at its own id."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from oparl.tests.crawl import crawl

pytestmark = pytest.mark.django_db
SCHEMAS = Path(__file__).parent / "schema"
TYPES = [
    "System",
    "Body",
    "Organization",
    "Person",
    "Membership",
    "Meeting",
    "AgendaItem",
    "Paper",
    "Consultation",
    "File",
]
# The objects OParl embeds in others (chapter 3), by property.
EMBEDDED = {
    "Body": {"legislativeTerm": "LegislativeTerm", "location": "Location"},
    "Organization": {"location": "Location"},
    "Person": {"membership": "Membership", "locationObject": "Location"},
    "Meeting": {
        "location": "Location",
        "invitation": "File",
        "resultsProtocol": "File",
        "verbatimProtocol": "File",
        "auxiliaryFile": "File",
        "agendaItem": "AgendaItem",
    },
    "AgendaItem": {"resolutionFile": "File", "auxiliaryFile": "File"},
    "Paper": {
        "mainFile": "File",
        "auxiliaryFile": "File",
        "location": "Location",
        "consultation": "Consultation",
    },
}
# Chapter 4.1 of the 1.1 specification: mandatory, though not in "required".
BODY_LISTS_1_1 = [
    "agendaItem",
    "consultation",
    "file",
    "locationList",
    "legislativeTermList",
    "membership",
]


@cache
def validator(kind: str) -> Draft7Validator:
    schema = json.loads((SCHEMAS / f"{kind}.json").read_text())
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def problems(kind: str, obj: dict[str, Any], where: str) -> list[str]:
    found = [f"{where}: {e.message}" for e in validator(kind).iter_errors(obj)]
    for name in ("created", "modified"):
        if name not in obj:
            found.append(f"{where}: no {name}")
    if kind == "Body":
        found += [f"{where}: no {name}" for name in BODY_LISTS_1_1 if name not in obj]
    for prop, inner in EMBEDDED.get(kind, {}).items():
        value = obj.get(prop)
        for at, item in enumerate(value if isinstance(value, list) else [value]):
            if item is not None:
                found += problems(inner, item, f"{where}.{prop}[{at}]")
    return found


def test_every_object_type_validates_against_the_oparl_1_1_schemas(people: Any) -> None:
    from django.test import Client

    found = crawl(Client())
    for kind in TYPES:
        assert found.get(kind), f"no {kind} in the demo"
        errors = [p for obj in found[kind] for p in problems(kind, obj, obj["id"])]
        assert not errors, "\n".join(errors[:20])


def test_the_check_fails_on_what_the_schemas_and_the_text_forbid() -> None:
    """The checks above can fail: a wrong type, a date that is not one, an
    embedded object without its id, a missing ``modified``."""
    meeting = {
        "id": "https://x.example/m/1",
        "type": "https://schema.oparl.org/1.1/Meeting",
        "start": "not a date",
        "created": "2026-01-01T10:00:00+01:00",
        "agendaItem": [{"type": "https://schema.oparl.org/1.1/AgendaItem", "order": 0}],
    }
    found = problems("Meeting", meeting, "m")
    assert any("not a 'date-time'" in p for p in found)
    assert any("m: no modified" in p for p in found)
    assert any("agendaItem[0]" in p and "'id' is a required property" in p for p in found)
    wrong = dict(meeting, type="https://schema.oparl.org/1.0/Meeting")
    assert any("was expected" in p for p in problems("Meeting", wrong, "w"))
