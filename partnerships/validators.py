from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ORG_NUMBER_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
# First path segments the site itself uses; a partnership cannot take them.
RESERVED_SLUGS = frozenset(
    {
        "api",
        "konto",
        "healthz",
        "i18n",
        "static",
        "media",
        "django-admin",
        "admin",
        "favicon.ico",
        "kalender",
        # The site-wide accessibility statement and privacy notice.
        "tilgjengelighet",
        "personvern",
        # The national comparison across partnerships.
        "nasjonalt",
        # The public record as open data (OParl).
        "oparl",
    }
)


def is_valid_organisation_number(value: str) -> bool:
    """Brønnøysund organisation numbers: 9 digits, the last a mod-11 check digit."""
    if not re.fullmatch(r"\d{9}", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:8], ORG_NUMBER_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(value[8])


def validate_organisation_number(value: str) -> None:
    if not is_valid_organisation_number(value):
        raise ValidationError(
            _("Enter a valid organisation number: nine digits with a correct check digit."),
            code="invalid_organisation_number",
        )


def validate_municipality_number(value: str) -> None:
    if not re.fullmatch(r"\d{4}", value or ""):
        raise ValidationError(
            _("A kommunenummer has exactly four digits."), code="invalid_municipality_number"
        )


def validate_partnership_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This short name is reserved."), code="reserved_slug")
