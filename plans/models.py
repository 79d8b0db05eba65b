"""Handlingsplan for samhandling: the partnership's joint action plan.

A plan covers a period of years (2024–2027) and is adopted by a council in a
case, whose decision it names. It holds goals, each under one of the
national priority groups (or the partnership's common goals), and each goal
holds measures (tiltak); a measure may hold measures of its own. A measure
without measures under it carries its own progress (per cent), moved on by
dated progress entries; a measure with measures under it, a goal, a
priority group and the plan show the weighted mean of what is under them
(:mod:`plans.rollup`), each measure and goal weighing what the plan says
(``weight``, 1 by default). A stopped measure counts for nothing.
Only an adopted plan is public.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import VersionedModel
from partnerships.models import Organisation, Partnership


class PriorityGroup(models.TextChoices):
    """The national priority groups (prioriterte pasientgrupper), and the
    partnership's goals that serve them all."""

    CHILDREN = "children", _("Children and young people with great needs")
    MENTAL_HEALTH = (
        "mental_health",
        _("People with severe mental illness and substance use problems"),
    )
    CHRONIC = "chronic", _("People with several chronic conditions")
    FRAIL_ELDERLY = "frail_elderly", _("Frail elderly people")
    COMMON = "common", _("Common to all groups")


class ActionPlan(VersionedModel):
    names_are_own_text = True  # core.services.history_for marks them

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ADOPTED = "adopted", _("Adopted")
        REPLACED = "replaced", _("Replaced")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="action_plans"
    )
    title = models.CharField(_("title"), max_length=300)
    first_year = models.PositiveSmallIntegerField(
        _("first year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    last_year = models.PositiveSmallIntegerField(
        _("last year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    decision = models.ForeignKey(
        "councils.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_plans",
        verbose_name=_("adopted by decision"),
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    # How often the responsible parties report progress on a measure under
    # way; a measure with no entry for longer is overdue in the work queue.
    report_every_days = models.PositiveSmallIntegerField(
        _("progress reported every (days)"),
        default=91,
        validators=[MinValueValidator(7), MaxValueValidator(366)],
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    # The form's key: a second submit of the same form adds nothing.
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-first_year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_year__gte=models.F("first_year")),
                name="plans_plan_years_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period(self) -> str:
        return f"{self.first_year}–{self.last_year}"


class Goal(VersionedModel):
    names_are_own_text = True

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="goals")
    priority_group = models.CharField(
        _("priority group"), max_length=20, choices=PriorityGroup.choices
    )
    title = models.CharField(_("goal"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Measure(VersionedModel):
    """A tiltak: under a goal, and possibly under another measure."""

    names_are_own_text = True

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Under way")
        DELAYED = "delayed", _("Delayed")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    # A measure in these is not waiting for progress reports.
    FINISHED = {Status.COMPLETED, Status.STOPPED}

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="measures")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of measure"),
    )
    title = models.CharField(_("measure"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    responsible_parties = models.ManyToManyField(
        Organisation, related_name="plan_measures", verbose_name=_("responsible parties")
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_measures",
        verbose_name=_("responsible person"),
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (per cent)"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    last_reported_on = models.DateField(_("last progress report"), null=True, blank=True)
    # What the measure concerns: council cases and decisions, follow-ups,
    # agreements, and the indicators it is to move (shown beside it).
    cases = models.ManyToManyField(
        "councils.Case", blank=True, related_name="plan_measures", verbose_name=_("cases")
    )
    decisions = models.ManyToManyField(
        "councils.Decision", blank=True, related_name="plan_measures", verbose_name=_("decisions")
    )
    followups = models.ManyToManyField(
        "followups.FollowUp",
        blank=True,
        related_name="plan_measures",
        verbose_name=_("follow-ups"),
    )
    agreements = models.ManyToManyField(
        "agreements.Agreement",
        blank=True,
        related_name="plan_measures",
        verbose_name=_("agreements"),
    )
    indicators = models.ManyToManyField(
        "indicators.Indicator",
        blank=True,
        related_name="plan_measures",
        verbose_name=_("indicators it is to move"),
    )
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="plans_measure_progress_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ProgressEntry(models.Model):
    """One dated report on a measure: where it stands and what was done."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="entries")
    date = models.DateField(_("date"), default=timezone.localdate)
    progress = models.PositiveSmallIntegerField(
        _("progress (per cent)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    status = models.CharField(_("status"), max_length=20, choices=Measure.Status.choices)
    text = models.TextField(_("what was done"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="plan_progress_entries",
        verbose_name=_("reported by"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_progress_entries",
        verbose_name=_("for party"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    # The form's key: a second submit of the same form adds nothing.
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.date}: {self.progress} %"


class Project(VersionedModel):
    """A samhandlingsprosjekt: a joint project of some of the parties, with
    its owner, funding and status reports; public when the partnership says
    so (``public``), and linked to the plan's measure it serves."""

    names_are_own_text = True

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Under way")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="owned_projects",
        verbose_name=_("project owner"),
    )
    parties = models.ManyToManyField(
        Organisation, related_name="projects", blank=True, verbose_name=_("parties taking part")
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    funding = models.PositiveBigIntegerField(_("funding (NOK)"), null=True, blank=True)
    funding_source = models.CharField(_("source of funding"), max_length=300, blank=True)
    measure = models.ForeignKey(
        Measure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("the measure it serves"),
    )
    results = models.TextField(_("results"), blank=True)
    public = models.BooleanField(_("public"), default=False)
    created = models.DateTimeField(_("created"), default=timezone.now)
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-starts_on", "title", "pk"]

    def __str__(self) -> str:
        return self.title


class ProjectReport(models.Model):
    """A status report of a project for a period (a half-year, a year)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField(_("period"), max_length=40)
    date = models.DateField(_("date"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=20, choices=Project.Status.choices)
    text = models.TextField(_("status report"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="project_reports",
        verbose_name=_("reported by"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.period}"
