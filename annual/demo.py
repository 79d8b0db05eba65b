"""HNT's annual reports in the demo: last year's adopted by ASU (its case
on a meeting held in March), this year's a draft with an introduction."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from annual import services
from annual.models import AnnualReport
from councils import services as council_services
from councils.models import Council, Meeting, Treatment
from partnerships.models import Partnership


def build_annual_demo(people: dict[str, Any]) -> int:
    """Build the two reports; return how many (none once HNT has one)."""
    hnt = Partnership.objects.filter(slug="hnt").first()
    sara = people.get("sara")
    if hnt is None or AnnualReport.objects.filter(partnership=hnt).exists():
        return 0
    asu = Council.objects.filter(partnership=hnt, slug="asu").first()
    if asu is None:
        return 0
    today = timezone.localdate()
    with transaction.atomic():
        last, _new = services.create_draft(hnt, today.year - 1, by=sara)
        last.introduction = (
            "Demotekst. Helsefellesskapet har i året arbeidet videre med trygge overganger "
            "mellom sykehus og kommune, og med felles tall for utskrivningsklare pasienter."
        )
        last.deviations_text = (
            "Demotekst. Avvikene ved utskrivning gikk ned etter at den felles sjekklisten "
            "ble tatt i bruk. Svartiden er bedre enn året før."
        )
        last.save()
        case = services.send_to_council(last, asu, by=sara)
        # ASU adopted it in March: a meeting held then, the case decided.
        day = datetime.datetime(today.year, 3, 14, 10)
        if day.date() > today:
            day = datetime.datetime.combine(today, datetime.time(8))
        meeting = council_services.plan_meeting(asu, starts_at=timezone.make_aware(day))
        treatment = council_services.add_to_agenda(meeting, case, Treatment.Kind.DECISION)
        Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
        treatment = Treatment.objects.select_related("meeting", "case").get(pk=treatment.pk)
        council_services.record_decision(
            treatment, adopted_as_recommended=True, adopted_text="", by=sara
        )
        services.adopt(last)
        draft, _new = services.create_draft(hnt, today.year, by=sara)
        draft.introduction = "Demotekst. Utkast: teksten skrives av sekretariatet."
        draft.save()
    return 2
