"""Årsrapport: the partnership's annual report for a year.

Samspill drafts it from what it holds (:mod:`annual.figures`); the
secretariat writes the narrative of each section. While it is a draft its
figures are the live figures for the year. It goes to a council as a case;
once adopted it is frozen: the public figures as they were that day are
kept with it, and the public page, PDF and DOCX show those.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import VersionedModel
from partnerships.models import Partnership

# The sections, in the report's order: (key, the narrative's field).
SECTIONS = [
    "meetings",
    "decisions",
    "agreements",
    "deviations",
    "plan",
    "indicators",
    "representation",
    "crisis",
]
TEXT_FIELDS = ["introduction", *(f"{key}_text" for key in SECTIONS)]


class AnnualReport(VersionedModel):
    names_are_own_text = True

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ADOPTED = "adopted", _("Adopted")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    introduction = models.TextField(_("introduction"), blank=True)
    meetings_text = models.TextField(_("councils and meetings"), blank=True)
    decisions_text = models.TextField(_("decisions and their follow-up"), blank=True)
    agreements_text = models.TextField(_("agreements"), blank=True)
    deviations_text = models.TextField(_("deviations and what was learned"), blank=True)
    plan_text = models.TextField(_("action plan and projects"), blank=True)
    indicators_text = models.TextField(_("key indicators"), blank=True)
    representation_text = models.TextField(_("representation"), blank=True)
    crisis_text = models.TextField(_("crisis preparedness"), blank=True)
    case = models.ForeignKey(
        "councils.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="annual_reports",
        verbose_name=_("council case"),
    )
    decision = models.ForeignKey(
        "councils.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="annual_reports",
        verbose_name=_("adopted by decision"),
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    # The public figures as they were when the report was adopted.
    figures = models.JSONField(_("figures as adopted"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["partnership", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "year"], name="uniq_annual_report_year")
        ]

    def __str__(self) -> str:
        return f"Årsrapport {self.year}"

    def text_of(self, section: str) -> str:
        return str(getattr(self, f"{section}_text"))
