"""Recompute every crisis's period figures from its submitted reports, each
report counted in the region its party belongs to today (after a kommune
moved to another region, or to check the figures kept on write)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from crisis import figures
from crisis.models import Crisis, Report
from partnerships.models import Participation


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        for crisis in Crisis.objects.select_related("partnership"):
            with transaction.atomic():
                regions = dict(
                    Participation.objects.current()
                    .filter(partnership_id=crisis.partnership_id, role=Participation.Role.PARTY)
                    .values_list("organisation_id", "region_id")
                )
                moved = 0
                for report in Report.objects.filter(
                    crisis=crisis, status=Report.Status.SUBMITTED
                ).select_related("organisation"):
                    group = figures.group_of(
                        report.organisation, regions.get(report.organisation_id)
                    )
                    if report.figure_group != group:
                        Report.objects.filter(pk=report.pk).update(figure_group=group)
                        moved += 1
                figures.rebuild(crisis)
            self.stdout.write(f"{crisis}: figures rebuilt, {moved} reports moved to their region")
