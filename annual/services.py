"""Drafting, sending and adopting the annual report.

A report is a draft for one year until its council case is decided: the
secretariat writes the narrative (:func:`save_texts`, with a conflict if
someone saved meanwhile), sends it to a council as a case
(:func:`send_to_council`, once), and records the adoption once the council
has decided (:func:`adopt`): the public figures of that day are frozen into
the report, and from then on it is public.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from annual import figures
from annual.models import TEXT_FIELDS, AnnualReport
from core.services import save_versioned
from councils import services as council_services
from councils.models import Council, Decision
from partnerships.models import Partnership


def create_draft(partnership: Partnership, year: int, *, by: Any) -> tuple[AnnualReport, bool]:
    """The year's report, made if there is none (a second submit, or two
    people at once, get the one there is)."""
    existing = AnnualReport.objects.filter(partnership=partnership, year=year).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return AnnualReport.objects.create(
                partnership=partnership, year=year, created_by=by
            ), True
    except IntegrityError:
        return AnnualReport.objects.get(partnership=partnership, year=year), False


def save_texts(report: AnnualReport, data: dict[str, Any], expected_version: int) -> None:
    """The narrative; refused once the report is adopted."""
    if report.status == AnnualReport.Status.ADOPTED:
        raise ValidationError(_("An adopted report is not changed."))
    for name in TEXT_FIELDS:
        setattr(report, name, data.get(name, ""))
    save_versioned(report, expected_version, TEXT_FIELDS)


def figures_of(report: AnnualReport, *, public: bool) -> dict[str, Any]:
    """An adopted report's figures as adopted; a draft's, the live figures."""
    if report.status == AnnualReport.Status.ADOPTED and report.figures is not None:
        return report.figures
    return figures.year_figures(report.partnership, report.year, public=public)


def send_to_council(
    report: AnnualReport, council: Council, *, by: Any, client_key: uuid.UUID | None = None
) -> Any:
    """The report as a public case of ``council`` (once: a report that went
    already keeps its case)."""
    with transaction.atomic():
        locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if locked.case_id is not None:
            return locked.case
        year = locked.year
        case, _new = council_services.create_case(
            council=council,
            title=f"Årsrapport {year} for {locked.partnership.name}",
            by=by,
            background=(
                f"<p>Sekretariatet legger fram årsrapporten for {year}. Rapporten viser "
                "møtene og vedtakene i året og oppfølgingen av dem, avtalene, "
                "samhandlingsavvikene, framdriften i handlingsplanen og prosjektene, "
                "nøkkeltall mot landet, representasjon og beredskap.</p>"
            ),
            proposed_decision=f"<p>Årsrapporten for {year} vedtas og publiseres.</p>",
            client_key=client_key,
        )
        locked.case = case
        locked.save(update_fields=["case"])
        report.case = case
        return case


def decision_for(report: AnnualReport) -> Decision | None:
    if report.case_id is None:
        return None
    return (
        Decision.objects.filter(treatment__case_id=report.case_id)
        .select_related("treatment__meeting")
        .order_by("-pk")
        .first()
    )


def adopt(report: AnnualReport) -> AnnualReport:
    """Record the council's decision and freeze the public figures; a report
    adopted already stays as it was."""
    with transaction.atomic():
        locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if locked.status == AnnualReport.Status.ADOPTED:
            return locked
        decision = decision_for(locked)
        if decision is None:
            raise ValidationError(
                _("The council has not decided the report's case yet; adopt it when it has.")
            )
        locked.figures = figures.year_figures(locked.partnership, locked.year, public=True)
        locked.decision = decision
        locked.adopted_on = timezone.localtime(decision.treatment.meeting.starts_at).date()
        locked.status = AnnualReport.Status.ADOPTED
        locked.save(update_fields=["figures", "decision", "adopted_on", "status"])
        return locked
