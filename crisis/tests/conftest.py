"""Helpers the crisis tests share: the Covid-19 form, a crisis, and values
that pass it for a kommune and for the hospital."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from crisis import periods
from crisis.catalogue import ensure_covid_form
from crisis.models import Crisis
from crisis.services import open_crisis
from partnerships.models import Organisation, Partnership


def hnt() -> Partnership:
    return Partnership.objects.get(slug="hnt")


def levanger() -> Organisation:
    return Organisation.objects.get(municipality_number="5037")


def namsos() -> Organisation:
    return Organisation.objects.get(municipality_number="5007")


def frosta() -> Organisation:
    return Organisation.objects.get(municipality_number="5036")


def hf() -> Organisation:
    return Organisation.objects.get(kind=Organisation.Kind.HELSEFORETAK, name__contains="Nord")


def make_crisis(by: Any = None, *, weeks_ago: int = 3, name: str = "Covid-19 test") -> Crisis:
    """A crisis on the Covid-19 form that started ``weeks_ago`` weeks back."""
    form = ensure_covid_form(hnt())
    start = timezone.localdate() - datetime.timedelta(weeks=weeks_ago)
    return open_crisis(hnt(), name=name, form=form, starts_on=start, by=by)


def period(crisis: Crisis) -> datetime.date:
    return periods.reporting_period(crisis)


def kommune_values(**overrides: Any) -> dict[str, Any]:
    """A calm week in a kommune: every required value, level 1."""
    values: dict[str, Any] = {
        "smittetall": "4",
        "smitte-institusjon": "0",
        "smittevernutstyr:hansker": "90",
        "smittevernutstyr:munnbind": "80",
        "smittevernutstyr:frakker": "70",
        "smittevernutstyr:oyebeskyttelse": "60",
        "smittevernutstyr:andedrettsvern": "50",
        "kapasitet:sykehjem": "100",
        "kapasitet:kad": "4",
        "kapasitet:senger": "0",
        "belegg:sykehjem": "80",
        "belegg:kad": "2",
        "belegg:senger": "0",
        "personell": "god",
        "overbelastning": "nei",
    }
    values.update(overrides)
    return values


def hospital_values(**overrides: Any) -> dict[str, Any]:
    values = kommune_values(**overrides)
    values.pop("smitte-institusjon", None)
    values.setdefault("innlagte", "3")
    values.update(overrides)
    return values
