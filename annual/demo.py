"""HNT's annual reports in the demo: the latest year's that ASU has adopted
(on 14 March the year after, on a meeting of its own), and this year's a
draft with an introduction."""

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

# Not the councils' demo location: their schedule is anchored on the first
# meeting held there (councils.demo._schedule_anchor), and this meeting
# lies before it.
ADOPTION_LOCATION = "Sykehuset Levanger, auditoriet"


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
    # ASU adopts a year's report on 14 March the year after: the latest such
    # day strictly before today, so the meeting is always in the past and
    # never today's (the councils' own demo meetings are around today).
    adopted_in = today.year if today > datetime.date(today.year, 3, 14) else today.year - 1
    with transaction.atomic():
        last, _new = services.create_draft(hnt, adopted_in - 1, by=sara)
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
        starts = timezone.make_aware(datetime.datetime(adopted_in, 3, 14, 9))
        meeting = council_services.plan_meeting(
            asu,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=5),
            location=ADOPTION_LOCATION,
            video_url="https://video.example/samspill-demo",
            papers_deadline=starts.date() - datetime.timedelta(days=10),
        )
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
