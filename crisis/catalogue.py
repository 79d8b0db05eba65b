"""The ready "Covid-19 ukerapport": indicators, thresholds and rules as data,
installed into a partnership by :func:`ensure_covid_form`. Another crisis
form is made the same way (or in the settings pages), without code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from crisis.models import ActionCard, CrossRule, FormIndicator, Indicator, ReportForm
from partnerships.models import Partnership

I = Indicator.ValueType  # noqa: E741 - short alias for the table below
EQUIPMENT = [
    {"code": "hansker", "name": "Hansker"},
    {"code": "munnbind", "name": "Munnbind"},
    {"code": "frakker", "name": "Smittefrakker"},
    {"code": "oyebeskyttelse", "name": "Øyebeskyttelse"},
    {"code": "andedrettsvern", "name": "Åndedrettsvern"},
]
CAPACITY = [
    {"code": "sykehjem", "name": "Sykehjem"},
    {"code": "kad", "name": "KAD/ØHD"},
    {"code": "senger", "name": "Sykehussenger"},
]


def _d(value: float | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# code, name, unit, type, items, (min, max), (soft_min, soft_max),
# (level2, level3, level4, lower_is_worse), relative_to, help text
INDICATORS: list[dict[str, Any]] = [
    {
        "code": "smittetall",
        "name": "Nye smittede siste uke",
        "unit": "personer",
        "value_type": I.INTEGER,
        "min_value": 0,
        "max_value": 100000,
        "soft_max": 500,
        "help_text": "Antall nye bekreftede tilfeller i perioden.",
    },
    {
        "code": "innlagte",
        "name": "Innlagte med covid-19",
        "unit": "personer",
        "value_type": I.INTEGER,
        "min_value": 0,
        "max_value": 10000,
        "soft_max": 100,
    },
    {
        "code": "smitte-institusjon",
        "name": "Smittede i kommunale institusjoner",
        "unit": "personer",
        "value_type": I.INTEGER,
        "min_value": 0,
        "max_value": 10000,
        "level2_at": 1,
        "level3_at": 5,
        "level4_at": 15,
    },
    {
        "code": "smittevernutstyr",
        "name": "Smittevernutstyr på lager",
        "unit": "dager",
        "value_type": I.INTEGER,
        "items": EQUIPMENT,
        "min_value": 0,
        "max_value": 3650,
        "level2_at": 42,
        "level3_at": 21,
        "level4_at": 7,
        "lower_is_worse": True,
        "help_text": "Lager i antall dager med dagens forbruk. Under 21 dager er alarm.",
    },
    {
        "code": "kapasitet",
        "name": "Kapasitet",
        "unit": "plasser",
        "value_type": I.INTEGER,
        "items": CAPACITY,
        "min_value": 0,
        "max_value": 100000,
    },
    {
        "code": "belegg",
        "name": "Belegg (i bruk)",
        "unit": "plasser",
        "value_type": I.INTEGER,
        "items": CAPACITY,
        "min_value": 0,
        "max_value": 100000,
        "level2_at": 85,
        "level3_at": 95,
        "level4_at": 100,
        "relative_to": "kapasitet",
        "help_text": "Nivået regnes av belegget i prosent av kapasiteten.",
    },
    {
        "code": "personell",
        "name": "Personell og kritisk kompetanse",
        "value_type": I.LEVEL,
        "level2_at": 2,
        "level3_at": 3,
    },
    {
        "code": "overbelastning",
        "name": "Risiko for overbelastning neste 3 uker",
        "value_type": I.BOOLEAN,
        "level3_at": 1,
    },
    {
        "code": "vaksinasjon",
        "name": "Andel vaksinert med minst én dose",
        "unit": "%",
        "value_type": I.PERCENT,
        "min_value": 0,
        "max_value": 100,
    },
    {
        "code": "utfordringer",
        "name": "Særlige utfordringer",
        "value_type": I.TEXT,
    },
    {
        "code": "behov",
        "name": "Behov for hjelp",
        "value_type": I.TEXT,
    },
]

# indicator code, section, required, on the dashboard, filled by
LINES = [
    ("smittetall", "Smitte", True, True, FormIndicator.For.ALL),
    ("innlagte", "Smitte", True, True, FormIndicator.For.HOSPITAL),
    ("smitte-institusjon", "Smitte", True, False, FormIndicator.For.KOMMUNE),
    ("smittevernutstyr", "Smittevernutstyr", True, True, FormIndicator.For.ALL),
    ("kapasitet", "Kapasitet", True, False, FormIndicator.For.ALL),
    ("belegg", "Kapasitet", True, True, FormIndicator.For.ALL),
    ("personell", "Personell", True, True, FormIndicator.For.ALL),
    ("overbelastning", "Vurdering", True, True, FormIndicator.For.ALL),
    ("vaksinasjon", "Vaksinasjon", False, False, FormIndicator.For.KOMMUNE),
    ("utfordringer", "Vurdering", False, False, FormIndicator.For.ALL),
    ("behov", "Vurdering", False, False, FormIndicator.For.ALL),
]

ACTION_CARDS = [
    (
        1,
        "Normal drift",
        "Ukentlig rapportering. Følg med på smittetall og lager. Koordineringsmøte "
        "hver uke med status fra hver part.",
    ),
    (
        2,
        "Moderat press",
        "Partene vurderer omdisponering internt og melder behov tidlig. Lager under "
        "6 uker bestilles opp. Regionene avtaler gjensidig bistand.",
    ),
    (
        3,
        "Alvorlig press",
        "Daglig kontakt mellom kommuneoverlegene i regionen og sykehuset. Ressursforespørsler "
        "behandles i koordineringsgruppen innen ett døgn. Vurder regionalt møte.",
    ),
    (
        4,
        "Kritisk",
        "Koordineringsgruppen møtes daglig. Statsforvalteren varsles. Ikke-kritisk "
        "aktivitet nedprioriteres; personell og utstyr fordeles etter behov på tvers av parter.",
    ),
]


@transaction.atomic
def ensure_covid_form(partnership: Partnership) -> ReportForm:
    """Install the Covid-19 weekly report (idempotent: existing indicators and
    lines are left as the partnership has changed them)."""
    made: dict[str, Indicator] = {}
    for spec in INDICATORS:
        values = {k: v for k, v in spec.items() if k not in {"code", "relative_to"}}
        for name in (
            "min_value",
            "max_value",
            "soft_min",
            "soft_max",
            "level2_at",
            "level3_at",
            "level4_at",
        ):
            if name in values:
                values[name] = _d(values[name])
        indicator, _created = Indicator.objects.get_or_create(
            partnership=partnership, code=spec["code"], defaults=values
        )
        made[spec["code"]] = indicator
    for spec in INDICATORS:
        if spec.get("relative_to") and made[spec["code"]].relative_to_id is None:
            made[spec["code"]].relative_to = made[spec["relative_to"]]
            made[spec["code"]].save(update_fields=["relative_to"])
    form, created = ReportForm.objects.get_or_create(
        partnership=partnership,
        code="covid-19-ukerapport",
        defaults={
            "name": "Covid-19 ukerapport",
            "period_type": ReportForm.PeriodType.WEEKLY,
            # Kommuner by Tuesday 12:00, the hospital by Monday 24:00.
            "deadline_hours_kommune": 36,
            "deadline_hours_hospital": 24,
            "reminder_hours_before": 12,
            "lock_after_days": 14,
        },
    )
    if created:
        FormIndicator.objects.bulk_create(
            FormIndicator(
                form=form,
                indicator=made[code],
                position=position,
                section=section,
                required=required,
                key=key,
                applies_to=applies_to,
            )
            for position, (code, section, required, key, applies_to) in enumerate(LINES)
        )
        CrossRule.objects.create(
            form=form,
            left=made["belegg"],
            operator=CrossRule.Operator.LE,
            right=made["kapasitet"],
            severity=CrossRule.Severity.ERROR,
            message="Belegget kan ikke være større enn kapasiteten.",
        )
    for level, title, actions in ACTION_CARDS:
        ActionCard.objects.get_or_create(
            partnership=partnership, level=level, defaults={"title": title, "actions": actions}
        )
    return form
