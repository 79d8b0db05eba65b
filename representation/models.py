"""Representation: gathering input before a meeting and reporting back after it.

A council member always represents more than themselves: the party or region
their seat (``councils.Appointment``) is *on behalf of*. Before a meeting they
open an ``InputRound`` to the people of that constituency, who each write one
``InputAnswer``; after the meeting they write a ``ReportBack`` summarising what
was decided and mark it as reported back, after which the constituency reads it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import VersionedModel
from councils.models import Appointment, Case, Meeting
from partnerships.models import Organisation


class InputRound(models.Model):
    """A request for input from a seat's constituency before one meeting, on
    one case of the agenda or (``case`` empty) on the whole agenda."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="input_rounds")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="input_rounds", verbose_name=_("seat")
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="input_rounds",
        verbose_name=_("case"),
        help_text=_("Empty for the whole agenda."),
    )
    deadline = models.DateField(_("deadline for input"))
    message = models.TextField(_("message or question"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The idempotency key of the form that opened it (a double submit finds it).
    client_key = models.UUIDField(null=True, blank=True, editable=False, unique=True)

    class Meta:
        verbose_name = _("input round")
        verbose_name_plural = _("input rounds")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "meeting", "case"],
                condition=Q(closed_at__isnull=True, case__isnull=False),
                name="uniq_open_input_round_case",
            ),
            models.UniqueConstraint(
                fields=["appointment", "meeting"],
                condition=Q(closed_at__isnull=True, case__isnull=True),
                name="uniq_open_input_round_agenda",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} – {self.case.number if self.case else _('whole agenda')}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def accepts_answers(self) -> bool:
        return self.is_open and timezone.localdate() <= self.deadline


class InputAnswer(VersionedModel):
    """One person's answer to one input round (editable until the deadline)."""

    round = models.ForeignKey(InputRound, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The author's organisation in the constituency when they answered.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("your input"))
    created = models.DateTimeField(_("written"), default=timezone.now)
    updated = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("input")
        verbose_name_plural = _("input")
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "author"], name="uniq_answer_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.author}"


class ReportBack(VersionedModel):
    """What a seat reports back to its constituency after a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="report_backs")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="report_backs", verbose_name=_("seat")
    )
    summary = models.TextField(_("summary"))
    created = models.DateTimeField(_("created"), default=timezone.now)
    reported_at = models.DateTimeField(_("reported back"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("report-back")
        verbose_name_plural = _("report-backs")
        ordering = ["-meeting__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "appointment"], name="uniq_report_back_per_seat"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} – {self.appointment.person}"

    @property
    def is_reported(self) -> bool:
        return self.reported_at is not None
