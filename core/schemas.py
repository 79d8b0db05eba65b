"""Types for django-ninja schemas: free text in the API passes the same guard."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Field, Schema
from pydantic import AfterValidator, WithJsonSchema

from core.validators import validate_no_identity_number, validate_plausible_date


def _guard(value: str) -> str:
    try:
        validate_no_identity_number(value)
    except ValidationError as error:
        raise ValueError(" ".join(str(m) for m in error.messages)) from None
    return value


GuardedStr = Annotated[str, AfterValidator(_guard)]


def _plausible[T](value: T) -> T:
    try:
        validate_plausible_date(value)
    except ValidationError as error:
        raise ValueError(" ".join(str(m) for m in error.messages)) from None
    return value


# A date or moment from a client: year 1900–2999, a real time zone offset.
# The patterns say the same in the OpenAPI schema, so that a client (and
# schemathesis) knows which dates are accepted.
_YEAR = "(19|2[0-9])[0-9]{2}"
PlausibleDate = Annotated[
    datetime.date,
    AfterValidator(_plausible),
    WithJsonSchema(
        {"type": "string", "format": "date", "pattern": f"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}$"}
    ),
]
PlausibleDateTime = Annotated[
    datetime.datetime,
    AfterValidator(_plausible),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": f"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}[Tt ][0-9:.]+"
            "([Zz]|[+-](0[0-9]|1[0-4]):?[0-9]{2})?$",
        }
    ),
]


# Shapes every router answers with. One class each: two classes of one name in
# two routers would be one component in the OpenAPI schema, and one of them
# would describe the other's answers wrongly.


class ErrorOut(Schema):
    """Why a request was refused; ``fields`` names the fields at fault."""

    detail: str
    fields: dict[str, list[str]] = Field(default_factory=dict)


class PartyOut(Schema):
    """A party of the partnership (a kommune, the hospital trust …)."""

    id: int
    name: str
    organisation_number: str
    municipality_number: str


def party_out(organisation: Any) -> dict[str, Any]:
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "organisation_number": organisation.organisation_number,
        "municipality_number": organisation.municipality_number,
    }
