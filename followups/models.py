"""Follow-ups (oppfølging): actions followed until they are done.

A ``FollowUp`` belongs to one partnership and has a responsible party and/or
person, a deadline, a status (changed only through the transition table in
:mod:`followups.services`), a progress figure and a dated log. It is created
from council decisions today and from deviations, action plans and the crisis
log later, so the link to its origin is generic: a content type and object id
(``source``), plus a readable label and a site-relative link kept with it, so
the overview never has to load the origin objects.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import VersionedModel
from partnerships.models import Organisation, Partnership


def validate_site_relative_url(value: str) -> None:
    """A link back to the origin must stay on this site: ``/hnt/…``, never
    ``https://…``, ``//host/…`` or ``javascript:…``."""
    if value and (not value.startswith("/") or value.startswith("//") or "\\" in value):
        raise ValidationError(
            _("The link must be a path on this site, starting with a single “/”."),
            code="site_relative_url",
        )


class FollowUp(VersionedModel):
    names_are_own_text = True  # core.services.history_for marks them

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Origin(models.TextChoices):
        DECISION = "decision", _("Decision")
        DEVIATION = "deviation", _("Deviation")
        PLAN = "plan", _("Action plan")
        CRISIS = "crisis", _("Crisis log")
        OTHER = "other", _("Other")

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)
    CLOSED_STATUSES = (Status.DONE, Status.CANCELLED)

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="followups")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("responsible party"),
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("responsible person"),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    review_date = models.DateField(
        _("review date"),
        null=True,
        blank=True,
        help_text=_("When the secretariat looks at it next."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    origin = models.CharField(
        _("origin"), max_length=20, choices=Origin.choices, default=Origin.OTHER
    )
    origin_group = models.CharField(
        _("origin group"),
        max_length=200,
        blank=True,
        help_text=_("For example the council whose decision this follows up."),
    )
    source_label = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.CharField(
        _("link to the source"),
        max_length=300,
        blank=True,
        validators=[validate_site_relative_url],
    )
    source_content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_object_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_content_type", "source_object_id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The idempotency key of the form that created it: a double submit of the
    # same form finds the first follow-up instead of creating a second.
    client_key = models.UUIDField(null=True, blank=True, editable=False)
    # The day the last reminder e-mail went out (reminders are sent once a day).
    last_reminded_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(
                fields=["partnership", "status", "deadline"], name="followup_status_deadline"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "client_key"], name="uniq_followup_client_key"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="followup_progress_max"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """Reads ``partnership``: select it with the follow-up."""
        return reverse("followups:detail", args=[self.partnership.slug, self.pk])

    @property
    def origin_text(self) -> str:
        """Group and label as one line, without saying the group twice when
        the label already starts with it ("PSU" + "PSU · møte …")."""
        group, label = self.origin_group, self.source_label
        if group and label and not label.startswith(group):
            return f"{group} · {label}"
        return label or group

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return (
            self.deadline is not None
            and self.deadline < timezone.localdate()
            and self.status not in self.CLOSED_STATUSES
        )


class FollowUpLogEntry(models.Model):
    """A dated remark on a follow-up, with the progress reported then.

    A status change is recorded as an entry too: ``status_from``/``status_to``
    are stored as values and shown in the reader's language, and ``text``
    holds the comment given with it (it may be empty).
    """

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="log_entries")
    date = models.DateField(_("date"), default=timezone.localdate)
    text = models.TextField(_("remark"), blank=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    status_from = models.CharField(
        _("status before"), max_length=20, choices=FollowUp.Status.choices, blank=True
    )
    status_to = models.CharField(
        _("status after"), max_length=20, choices=FollowUp.Status.choices, blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        ordering = ["-date", "-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__lte=100),
                name="followup_log_progress_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.followup}: {self.date}"

    @property
    def is_status_change(self) -> bool:
        return bool(self.status_to)
