"""Samhandlingsavvik: deviation reports between two parties of a partnership.

A ``Deviation`` is reported by one party (``reporting_organisation``) to
another (``receiving_organisation``) and is seen by exactly those two parties
and the secretariat. It holds no patient identity: ``external_reference``
points to the case in the reporting party's own system, where the patient can
be identified. Categories and guidelines are configured per partnership; the
points of helse- og omsorgstjenesteloven § 6-2 are fixed by law.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.models import VersionedModel
from partnerships.models import Organisation, Partnership

DEFAULT_RESPONSE_DAYS = 21
DEFAULT_REMINDER_DAYS = 5

# Helse- og omsorgstjenesteloven § 6-2: what the cooperation agreement must cover.
SECTION_6_2_POINTS: list[tuple[int, str | Promise]] = [
    (1, _("1 Division of tasks and responsibility")),
    (2, _("2 Admission, discharge, habilitation, rehabilitation, learning and coping")),
    (3, _("3 Admission to hospital")),
    (4, _("4 Municipal 24-hour emergency care")),
    (5, _("5 Patients ready for discharge")),
    (6, _("6 Knowledge transfer, information exchange, networks, secondment")),
    (7, _("7 Research, education, practice and apprenticeship")),
    (8, _("8 Midwifery services")),
    (9, _("9 Local ICT solutions")),
    (10, _("10 Prevention")),
    (11, _("11 Emergency preparedness and the acute medical chain")),
    (12, _("12 Joint planning and development of services")),
    (13, _("13 Children and young people with complex needs")),
]


class DeviationConfig(models.Model):
    """A partnership's settings for deviations."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="deviation_config"
    )
    response_days = models.PositiveSmallIntegerField(
        _("days to answer"),
        default=DEFAULT_RESPONSE_DAYS,
        help_text=_("The receiving party answers within this many days of the report."),
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("reminder days before the deadline"), default=DEFAULT_REMINDER_DAYS
    )
    public_statistics = models.BooleanField(
        _("publish statistics"),
        default=False,
        help_text=_("Counts only, with counts of 1–4 suppressed."),
    )

    class Meta:
        verbose_name = _("deviation settings")
        verbose_name_plural = _("deviation settings")

    def __str__(self) -> str:
        return str(self.partnership)


class DeviationCategory(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="deviation_categories"
    )
    code = models.CharField(_("code"), max_length=5)
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("deviation category")
        verbose_name_plural = _("deviation categories")
        ordering = ["partnership", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="uniq_deviation_category")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Guideline(models.Model):
    """A guideline (retningslinje) as deviation reports name it: a number and
    a name the reporters know, referring to the agreement (the guideline's
    own agreement in ``agreements``) whose text, clauses and routines it
    stands for. Migration 0004 linked the guidelines that existed before to
    the agreement with the same number or title."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="guidelines"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("in use"), default=True)
    agreement = models.ForeignKey(
        "agreements.Agreement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deviation_guidelines",
        verbose_name=_("agreement"),
        help_text=_("The guideline or agreement in the agreement register this refers to."),
    )

    class Meta:
        verbose_name = _("guideline")
        verbose_name_plural = _("guidelines")
        ordering = ["partnership", "number"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "number"], name="uniq_guideline")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class DeviationCounter(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "year"], name="uniq_deviation_counter")
        ]

    def __str__(self) -> str:
        return f"{self.partnership} {self.year}: {self.last}"


class Deviation(VersionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("Under handling")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    class Consequence(models.TextChoices):
        NONE = "none", _("None")
        MINOR = "minor", _("Minor")
        MODERATE = "moderate", _("Moderate")
        SERIOUS = "serious", _("Serious")

    OPEN_STATUSES = (Status.SUBMITTED, Status.RECEIVED, Status.IN_PROGRESS)

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="deviations"
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    reporting_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="deviations_reported",
        verbose_name=_("reporting party"),
    )
    receiving_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="deviations_received",
        verbose_name=_("receiving party"),
    )
    receiving_unit = models.CharField(
        _("unit or service at the receiving party"), max_length=200, blank=True
    )
    occurred_at = models.DateTimeField(_("when it happened"))
    category = models.ForeignKey(
        DeviationCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    guideline = models.ForeignKey(
        Guideline,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("guideline breached"),
    )
    # The clause of the guideline's agreement and the routine concerned, when
    # the reporter knows them (the learning loop counts deviations by them).
    clause = models.ForeignKey(
        "agreements.Clause",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clause"),
    )
    routine = models.ForeignKey(
        "routines.Routine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deviations",
        verbose_name=_("routine"),
    )
    section_point = models.PositiveSmallIntegerField(
        _("§ 6-2 point"), choices=SECTION_6_2_POINTS, null=True, blank=True
    )
    description = models.TextField(_("what happened"))
    immediate_measures = models.TextField(_("immediate measures taken"), blank=True)
    suggested_improvement = models.TextField(_("suggested improvement"), blank=True)
    consequence = models.CharField(
        _("consequence for the patient"), max_length=10, choices=Consequence.choices
    )
    external_reference = models.CharField(
        _("reference in your own system"),
        max_length=100,
        blank=True,
        help_text=_(
            "The case or report number in your own deviation system (for example Synergi), "
            "where the patient can be identified. Never a personal identity number."
        ),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    first_answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    response_deadline = models.DateField(_("answer deadline"), null=True, blank=True)
    assigned_unit = models.CharField(_("handled by (unit)"), max_length=200, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by (person)"),
    )
    answer_cause = models.TextField(_("cause"), blank=True)
    answer_measures = models.TextField(_("measures"), blank=True)
    escalated_case = models.ForeignKey(
        "councils.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deviations",
        verbose_name=_("taken to a council as case"),
    )
    client_key = models.UUIDField(null=True, blank=True, editable=False)
    last_reminded_on = models.DateField(null=True, blank=True)

    # Set (not stored) when a report returned the one a request with the same
    # client key already made: the caller answers "repeat", not "new".
    repeated = False

    class Meta:
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")
        ordering = ["-submitted_at", "-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "year", "sequence"],
                condition=Q(sequence__isnull=False),
                name="uniq_deviation_number",
            ),
            models.UniqueConstraint(
                fields=["partnership", "client_key"],
                condition=Q(client_key__isnull=False),
                name="uniq_deviation_client_key",
            ),
            models.CheckConstraint(
                condition=~Q(reporting_organisation=models.F("receiving_organisation")),
                name="deviation_between_two_parties",
            ),
        ]
        indexes = [
            models.Index(fields=["partnership", "status"]),
            models.Index(fields=["partnership", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return self.number or str(_("Draft"))

    @property
    def number(self) -> str:
        if self.sequence is None or self.year is None:
            return ""
        return f"AV-{self.year % 100:02d}/{self.sequence:04d}"

    def is_overdue(self, today: object = None) -> bool:
        day = today or timezone.localdate()
        return (
            self.status in self.OPEN_STATUSES
            and self.response_deadline is not None
            and self.response_deadline < day  # type: ignore[operator]
        )


class DeviationMessage(models.Model):
    """The dialogue between the two parties about one deviation."""

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, related_name="+"
    )
    text = models.TextField(_("message"))
    created = models.DateTimeField(default=timezone.now)
    # The form's key: the same post twice (a double click, parallel requests)
    # is one message.
    client_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deviation", "client_key"], name="uniq_deviation_message_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deviation}: {self.created:%Y-%m-%d %H:%M}"


class OrganisationToken(models.Model):
    """An API token issued to a party, for its own deviation system."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    last_used_on = models.DateField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    identity_guard_exempt = ("token_hash",)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.name}"


class PartyReporting(models.Model):
    """Whether a party lets all its members report deviations, not only its
    coordinators and leaders. Set by the party's coordinators or the
    secretariat; off unless turned on."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    members_may_report = models.BooleanField(_("all members may report"), default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reporting rights of a party")
        verbose_name_plural = _("reporting rights of parties")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation"], name="one_reporting_setting_per_party"
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class TrendCase(models.Model):
    """A council case the secretariat opened from the deviation statistics
    of one guideline, clause or routine: what was counted, over which
    period, and which deviations (the learning loop, :mod:`deviations.loop`).
    A routine version revised after the case's decision is traced back to
    these deviations."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="trend_cases"
    )
    case = models.OneToOneField(
        "councils.Case", on_delete=models.CASCADE, related_name="deviation_trend"
    )
    guideline = models.ForeignKey(
        Guideline, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    clause_key = models.CharField(max_length=40, blank=True)
    routine = models.ForeignKey(
        "routines.Routine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trend_cases",
    )
    subject = models.CharField(_("what the deviations concern"), max_length=400)
    period_from = models.DateField(_("counted from"))
    period_to = models.DateField(_("counted until"))
    deviations = models.ManyToManyField(Deviation, related_name="trend_cases", blank=True)
    # The decision's follow-up "revise the routine", once made.
    followup = models.ForeignKey(
        "followups.FollowUp", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("deviation trend case")
        verbose_name_plural = _("deviation trend cases")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.subject
