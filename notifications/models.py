"""E-mail notifications (varsler): links only, immediately or in a daily digest.

A ``Notification`` says that something needs a person's attention — a notice
published, papers changed, input requested, minutes for approval, a follow-up
due — with a short, non-confidential headline and a site-relative link. It is
e-mailed once (``sent_at``); the content itself never leaves the system.
Each person chooses immediate e-mails or a daily digest
(``NotificationPreference``, created the first time they change it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from followups.models import validate_site_relative_url
from partnerships.models import Partnership


class NotificationPreference(models.Model):
    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately: an e-mail as soon as something happens")
        DIGEST = "digest", _("Daily digest: one e-mail a day with everything new")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    delivery = models.CharField(
        _("e-mail notifications"),
        max_length=20,
        choices=Delivery.choices,
        default=Delivery.IMMEDIATE,
    )
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.delivery}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        NOTICE_PUBLISHED = "notice_published", _("Notice published")
        MEETING_CHANGED = "meeting_changed", _("Meeting changed")
        PAPERS_CHANGED = "papers_changed", _("Papers changed")
        INPUT_REQUESTED = "input_requested", _("Input requested")
        MINUTES_FOR_APPROVAL = "minutes_for_approval", _("Minutes for approval")
        FOLLOWUP_DUE = "followup_due", _("Follow-up due or overdue")
        DEVIATION_RECEIVED = "deviation_received", _("Deviation received")
        DEVIATION_MESSAGE = "deviation_message", _("New message on a deviation")
        DEVIATION_ANSWERED = "deviation_answered", _("Deviation answered")
        DEVIATION_DUE = "deviation_due", _("Deviation answer due or overdue")
        CRISIS_REPORT_DUE = "crisis_report_due", _("Situation report due or late")
        CRISIS_REQUEST = "crisis_request", _("Resource request in a crisis")
        CRISIS_LEVEL = "crisis_level", _("Escalation level changed in a crisis")
        AGREEMENT_TO_RATIFY = "agreement_to_ratify", _("Agreement version to ratify")
        AGREEMENT_CONSULTATION = "agreement_consultation", _("Consultation to answer")
        AGREEMENT_TERMINATED = "agreement_terminated", _("Notice given on an agreement")
        ROUTINE_REVIEW = "routine_review", _("Routine review due or overdue")
        TASK_TRANSFER = "task_transfer", _("Task transfer proposed or registered")

    HEADLINE_MAX_LENGTH = 300

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("partnership"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    headline = models.CharField(_("headline"), max_length=HEADLINE_MAX_LENGTH)
    path = models.CharField(_("link"), max_length=500, validators=[validate_site_relative_url])
    created = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created"], name="notification_user_created"),
        ]
        constraints = [
            # At most one unsent notification per person, kind and link: a
            # second one refreshes the first (see services.notify_many).
            models.UniqueConstraint(
                fields=["user", "kind", "path"],
                condition=Q(sent_at__isnull=True),
                name="uniq_unsent_notification",
            ),
        ]

    def __str__(self) -> str:
        return self.headline
