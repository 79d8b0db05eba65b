"""Types for django-ninja schemas: free text in the API passes the same guard."""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import ValidationError
from pydantic import AfterValidator

from core.validators import validate_no_identity_number


def _guard(value: str) -> str:
    try:
        validate_no_identity_number(value)
    except ValidationError as error:
        raise ValueError(" ".join(str(m) for m in error.messages)) from None
    return value


GuardedStr = Annotated[str, AfterValidator(_guard)]
