"""Crisis preparedness: indicators and report forms as data, crises with a
reporting schedule, each party's report per period with its values, the
escalation levels computed from versioned thresholds and declared over them,
the action card per level, the crisis log, and resource requests.

Values are stored as numbers (``Decimal``) whatever the indicator's type: a
level god/utfordrende/kritisk as 1/2/3, yes/no as 1/0; text in ``text``. A
breakdown (an item of protective equipment, a kind of bed) is the ``item``
code of a value; the empty code is the indicator's single value.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import VersionedModel
from crisis.levels import LEVELS
from partnerships.models import Organisation, Partnership, Region


class Indicator(models.Model):
    """One thing the parties report, defined as data: a new crisis
    indicator needs no code change."""

    class ValueType(models.TextChoices):
        INTEGER = "integer", _("Whole number")
        DECIMAL = "decimal", _("Decimal number")
        PERCENT = "percent", _("Percentage")
        LEVEL = "level", _("Level (good, challenging, critical)")
        BOOLEAN = "boolean", _("Yes/no")
        TEXT = "text", _("Text")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="crisis_indicators"
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    help_text = models.TextField(_("explanation"), blank=True)
    value_type = models.CharField(_("value type"), max_length=10, choices=ValueType.choices)
    # A breakdown: [{"code": "munnbind", "name": "Munnbind"}, …]; empty for one value.
    items = models.JSONField(_("breakdown"), default=list, blank=True)
    # Hard limits: a value outside is refused.
    min_value = models.DecimalField(
        _("lowest allowed"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("highest allowed"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    # Soft limits: a value outside is accepted with a comment.
    soft_min = models.DecimalField(
        _("warn below"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    soft_max = models.DecimalField(
        _("warn above"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    # Thresholds to escalation levels. Higher is worse unless ``lower_is_worse``:
    # then a value *below* the threshold reaches the level (days of equipment).
    level2_at = models.DecimalField(
        _("level 2 from"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    level3_at = models.DecimalField(
        _("level 3 from"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    level4_at = models.DecimalField(
        _("level 4 from"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    lower_is_worse = models.BooleanField(_("lower is worse"), default=False)
    # Thresholds on the share of another indicator (occupied of capacity), in %.
    relative_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thresholds as a share of"),
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "code"], name="crisis_indicator_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ReportForm(models.Model):
    """An ordered set of indicators the parties fill per period."""

    class PeriodType(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="crisis_forms"
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    period_type = models.CharField(
        _("period"), max_length=10, choices=PeriodType.choices, default=PeriodType.WEEKLY
    )
    # The deadline, counted from the end of the period, per kind of party.
    deadline_hours_kommune = models.PositiveIntegerField(
        _("deadline for kommuner (hours after the period)"), default=36
    )
    deadline_hours_hospital = models.PositiveIntegerField(
        _("deadline for hospitals (hours after the period)"), default=36
    )
    reminder_hours_before = models.PositiveIntegerField(
        _("reminder (hours before the deadline)"), default=12
    )
    lock_after_days = models.PositiveIntegerField(_("locked (days after the deadline)"), default=7)

    class Meta:
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="crisis_form_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class FormIndicator(models.Model):
    class For(models.TextChoices):
        ALL = "all", _("All parties")
        KOMMUNE = "kommune", _("Kommuner")
        HOSPITAL = "hospital", _("Hospitals")

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="lines")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    section = models.CharField(_("section"), max_length=100, blank=True)
    required = models.BooleanField(_("required"), default=True)
    key = models.BooleanField(_("on the dashboard"), default=False)
    applies_to = models.CharField(
        _("filled by"), max_length=10, choices=For.choices, default=For.ALL
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["form", "indicator"], name="crisis_form_indicator_once")
        ]

    def __str__(self) -> str:
        return f"{self.form}: {self.indicator}"


class CrossRule(models.Model):
    """A rule across two indicators of a form, per item where both have the
    same breakdown (occupied ≤ capacity). An error refuses the report; a
    warning needs a comment."""

    class Operator(models.TextChoices):
        LE = "le", "≤"
        LT = "lt", "<"
        GE = "ge", "≥"
        GT = "gt", ">"
        EQ = "eq", "="

    class Severity(models.TextChoices):
        ERROR = "error", _("Error")
        WARNING = "warning", _("Warning")

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="rules")
    left = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    operator = models.CharField(max_length=2, choices=Operator.choices)
    right = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.ERROR)
    message = models.CharField(_("message"), max_length=300)

    def __str__(self) -> str:
        return self.message


class LevelRule(models.Model):
    """One version of the partnership's thresholds. A computed level names
    the version it was computed with; changing a threshold makes a new one."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    # {indicator code: {"level2_at": "…", "level3_at": …, "lower_is_worse": bool,
    #  "relative_to": code or null}}
    thresholds = models.JSONField(default=dict)
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "version"], name="crisis_level_rule_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class ActionCard(models.Model):
    """What the parties do at an escalation level."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), choices=LEVELS)
    title = models.CharField(_("title"), max_length=200)
    actions = models.TextField(_("actions"))

    class Meta:
        ordering = ["level"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "level"], name="crisis_one_card_per_level"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Crisis(models.Model):
    """A crisis the partnership reports on, opened and stood down by the
    secretariat, for the whole partnership or some regions."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        STOOD_DOWN = "stood_down", _("Stood down")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="crises")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    form = models.ForeignKey(
        ReportForm, on_delete=models.PROTECT, related_name="crises", verbose_name=_("report form")
    )
    # The first period; periods follow the form's period type from here.
    starts_on = models.DateField(_("first reporting period"))
    regions = models.ManyToManyField(
        Region, blank=True, related_name="+", verbose_name=_("regions (none: all)")
    )
    council = models.ForeignKey(
        "councils.Council",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coordination group"),
    )
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    stood_down_at = models.DateTimeField(null=True, blank=True)
    stood_down_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("crisis")
        verbose_name_plural = _("crises")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.name


class Report(VersionedModel):
    """A party's report for one period of a crisis. Complete when it is
    submitted with every required value (checked on submit)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="reports")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    no_change = models.BooleanField(_("no change since the last report"), default=False)
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    computed_level = models.PositiveSmallIntegerField(null=True, blank=True, choices=LEVELS)
    rule_version = models.PositiveIntegerField(null=True, blank=True)
    declared_level = models.PositiveSmallIntegerField(null=True, blank=True, choices=LEVELS)
    declared_reason = models.TextField(_("reason for the declared level"), blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    declared_at = models.DateTimeField(null=True, blank=True)
    # Open for changes after the lock until this moment (an unlock, logged).
    unlocked_until = models.DateTimeField(null=True, blank=True)
    client_key = models.UUIDField(null=True, blank=True, editable=False)
    # The group of parties its values were added to in the period's figures
    # (:mod:`crisis.figures`): the region of a kommune, 0 for every other party.
    figure_group = models.PositiveIntegerField(null=True, blank=True, editable=False)

    # Set (not stored) when a save returned the report a request with the
    # same client key already saved: the caller answers "repeat", not "new".
    repeated = False

    class Meta:
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")
        constraints = [
            models.UniqueConstraint(
                fields=["crisis", "organisation", "period_start"],
                name="crisis_one_report_per_party_and_period",
            )
        ]
        indexes = [models.Index(fields=["crisis", "period_start", "status"])]

    def __str__(self) -> str:
        return f"{self.organisation} {self.period_start}"

    @property
    def level(self) -> int | None:
        """The level that counts: declared where someone declared one."""
        return self.declared_level or self.computed_level


class Value(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    item = models.CharField(max_length=60, blank=True, default="")
    number = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    text = models.TextField(blank=True)
    # Why a value outside the soft limits is right.
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator", "item"], name="crisis_one_value_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.item}: {self.number if self.text == '' else self.text}"


class ReportRevision(models.Model):
    """The values as submitted, each time a report is submitted: changes
    after submission keep their history."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # {"code" or "code:item": {"number": "12", "text": "", "comment": ""}}
    values = models.JSONField(default=dict)
    computed_level = models.PositiveSmallIntegerField(null=True, blank=True)
    no_change = models.BooleanField(default=False)
    # The request that submitted it: a late retry of it changes nothing.
    client_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"], name="crisis_revision_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} #{self.number}"


class ReportUnlock(models.Model):
    """A locked report opened again for changes: who, when, why, until."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="unlocks")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField()
    reason = models.CharField(_("reason"), max_length=500)

    def __str__(self) -> str:
        return f"{self.report}: {self.reason}"


class PartnershipLevel(models.Model):
    """The coordination group's declared level for the whole partnership in
    a period, over the computed one."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="declared_levels")
    period_start = models.DateField()
    level = models.PositiveSmallIntegerField(choices=LEVELS)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["crisis", "period_start"], name="crisis_one_declared_level_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.crisis} {self.period_start}: {self.level}"


class LogEntry(models.Model):
    """A significant event in the crisis, curated by the secretariat."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="log")
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    text = models.TextField(_("what happened"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("crisis log")
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ResourceRequest(VersionedModel):
    """A party asks the others for equipment, personnel or beds:
    requested → offered → agreed → delivered (or withdrawn)."""

    class Kind(models.TextChoices):
        EQUIPMENT = "equipment", _("Protective equipment")
        PERSONNEL = "personnel", _("Personnel")
        BEDS = "beds", _("Beds")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        OFFERED = "offered", _("Offered")
        AGREED = "agreed", _("Agreed")
        DELIVERED = "delivered", _("Delivered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="requests")
    requesting_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = models.TextField(_("what is needed"))
    quantity = models.CharField(_("how much"), max_length=100, blank=True)
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    offering_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offered by"),
    )
    offer = models.TextField(_("offer"), blank=True)
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed = models.DateTimeField(default=timezone.now)
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("resource request")
        verbose_name_plural = _("resource requests")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.description[:60]


class CoordinationMeeting(models.Model):
    """A meeting of the coordination group whose agenda was generated from
    a period's reports; with ``region`` a regional meeting."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="meetings")
    meeting = models.OneToOneField(
        "councils.Meeting", on_delete=models.CASCADE, related_name="crisis_link"
    )
    period_start = models.DateField()
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        # One generated meeting per crisis, period and region (or whole crisis),
        # on SQLite as well as PostgreSQL.
        constraints = [
            models.UniqueConstraint(
                fields=["crisis", "period_start", "region"],
                condition=models.Q(region__isnull=False),
                name="crisis_one_regional_meeting_per_period",
            ),
            models.UniqueConstraint(
                fields=["crisis", "period_start"],
                condition=models.Q(region__isnull=True),
                name="crisis_one_meeting_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.crisis} {self.period_start}"


class PeriodFigure(models.Model):
    """The submitted values of one period combined for a group of parties
    (a region's kommuner, or group 0: the hospitals and every other party),
    per indicator and item: kept up to date in the same transaction as each
    submit by :mod:`crisis.figures`, so the picture's totals and trends read
    a few hundred rows instead of every party's values."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    group_key = models.PositiveIntegerField()
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    item = models.CharField(max_length=60, blank=True, default="")
    # Over the group's submitted reports' numbers: their sum, the lowest, how
    # many, how many at 2 or more (challenging or worse), how many above 0 (yes).
    total = models.DecimalField(max_digits=20, decimal_places=3, null=True)
    lowest = models.DecimalField(max_digits=14, decimal_places=3, null=True)
    n = models.PositiveIntegerField(default=0)
    high = models.PositiveIntegerField(default=0)
    yes = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["crisis", "period_start", "group_key", "indicator", "item"],
                name="crisis_one_figure_per_group_and_item",
            )
        ]

    def __str__(self) -> str:
        where = f"{self.crisis_id} {self.period_start} {self.group_key}"
        return f"{where} {self.indicator_id}/{self.item}"
