"""Helpers the deviation tests share: the parties and a report between them."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.utils import timezone

from deviations import services
from deviations.models import Deviation, DeviationCategory
from partnerships.models import Organisation, Partnership


def hnt() -> Partnership:
    return Partnership.objects.get(slug="hnt")


def levanger() -> Organisation:
    return Organisation.objects.get(municipality_number="5037")


def namsos() -> Organisation:
    return Organisation.objects.get(municipality_number="5007")


def stjordal() -> Organisation:
    return Organisation.objects.get(municipality_number="5035")


def hf() -> Organisation:
    return Organisation.objects.get(kind=Organisation.Kind.HELSEFORETAK, name__contains="Nord")


def category(code: str = "C") -> DeviationCategory:
    services.ensure_categories(hnt())
    return DeviationCategory.objects.get(partnership=hnt(), code=code)


def report_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reporting_organisation": levanger(),
        "receiving_organisation": hf(),
        "receiving_unit": "Medisinsk avdeling",
        "occurred_at": timezone.now() - datetime.timedelta(days=2),
        "category": category("C"),
        "guideline": None,
        "section_point": 5,
        "description": "Pasienten ble skrevet ut uten epikrise og uten oppdatert legemiddelliste.",
        "immediate_measures": "Hjemmesykepleien ringte avdelingen og fikk listen muntlig.",
        "suggested_improvement": "Epikrise sendes før pasienten reiser.",
        "consequence": Deviation.Consequence.MINOR,
        "external_reference": "Avvik 2026-1234",
    }
    data.update(overrides)
    return data


def make_deviation(people: Any, **overrides: Any) -> Deviation:
    """A submitted deviation from Levanger (Lena) to the HF (Hanne)."""
    return services.report(
        hnt(),
        report_data(**overrides),
        by=people.lena,
        own=frozenset({levanger().pk}),
        client_key=uuid.uuid4(),
    )


def form_data(**overrides: Any) -> dict[str, Any]:
    """What the report form posts: Levanger to the HF, ready to submit."""
    data = {
        "reporting_organisation": levanger().pk,
        "receiving_organisation": hf().pk,
        "receiving_unit": "Kirurgisk avdeling",
        "occurred_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "occurred_time": "21:30",
        "category": category("C").pk,
        "section_point": "5",
        "description": "Pasienten kom hjem sent på kvelden uten at hjemmetjenesten var varslet.",
        "immediate_measures": "",
        "suggested_improvement": "",
        "consequence": "moderate",
        "external_reference": "Synergi 4711",
        "client_key": str(uuid.uuid4()),
        "action": "submit",
    }
    data.update(overrides)
    return data
