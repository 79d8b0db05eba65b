"""Councils, their seats, meetings, cases and the agenda.

A ``Council`` (PSU, ASU, fagråd …) belongs to one partnership. People sit in
it through time-bound ``Appointment`` rows, always *on behalf of* a party or a
region. A ``Case`` is numbered ``yy/nnn`` per partnership and can be treated
in several meetings (``Treatment``: one handling of one case in one meeting);
standing items (approval of the notice, of the minutes, orientations, any
other business) are treatments without a case.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import richtext
from core.models import Modified, Timestamped, VersionedModel, Visibility
from partnerships.models import CurrentQuerySet, Organisation, Partnership, Region

# Paths under a partnership's council pages that a council cannot take as its slug.
RESERVED_COUNCIL_SLUGS = frozenset({"saker", "moter", "saksliste", "oppnevninger", "vedlegg"})


def validate_council_slug(value: str) -> None:
    from django.core.exceptions import ValidationError

    if value in RESERVED_COUNCIL_SLUGS:
        raise ValidationError(_("This address name is reserved."), code="reserved_slug")


class Council(Timestamped):
    names_are_own_text = True  # core.services.history_for marks them

    class Kind(models.TextChoices):
        PSU = "psu", _("Political council (PSU)")
        ASU = "asu", _("Administrative council (ASU)")
        FAGRAD = "fagrad", _("Professional council (fagråd)")
        NETWORK = "network", _("Professional network (fagnettverk)")
        COORDINATION = "coordination", _("Coordination group")
        WORKING = "working", _("Working committee")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="councils")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40)
    slug = models.SlugField(_("address name"), max_length=40, validators=[validate_council_slug])
    mandate = models.TextField(_("mandate"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("reports to"),
    )
    meetings_per_year = models.PositiveSmallIntegerField(_("planned meetings per year"), default=4)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        ordering = ["partnership", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="uniq_council_slug")
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class Appointment(Timestamped):
    """A seat in a council for a period, on behalf of a party or a region."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        DEPUTY = "deputy", _("Deputy")
        OBSERVER = "observer", _("Observer")
        SECRETARY = "secretary", _("Secretary")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="appointments")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    position_title = models.CharField(
        _("position"),
        max_length=200,
        blank=True,
        help_text=_("For example ordfører or klinikksjef."),
    )
    has_vote = models.BooleanField(_("right to vote"), default=True)
    on_behalf_of_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of (party)"),
    )
    on_behalf_of_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of (region)"),
    )
    deputy_for = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deputies",
        verbose_name=_("deputy for"),
    )
    valid_from = models.DateField(_("from"), default=timezone.localdate)
    valid_to = models.DateField(_("ended"), null=True, blank=True)

    objects = CurrentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["council", "role", "person__full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(on_behalf_of_organisation__isnull=True)
                | Q(on_behalf_of_region__isnull=True),
                name="appointment_one_constituency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()} ({self.council})"

    @property
    def constituency(self) -> str:
        if self.on_behalf_of_region_id:
            return str(self.on_behalf_of_region)
        if self.on_behalf_of_organisation_id:
            return str(self.on_behalf_of_organisation)
        return ""


class Meeting(Timestamped, VersionedModel):
    names_are_own_text = True  # core.services.history_for marks them

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        NOTICE_PUBLISHED = "notice_published", _("Notice published")
        HELD = "held", _("Held")
        MINUTES_DRAFTED = "minutes_drafted", _("Minutes drafted")
        MINUTES_APPROVED = "minutes_approved", _("Minutes approved")
        PUBLISHED = "published", _("Minutes published")
        CANCELLED = "cancelled", _("Cancelled")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="meetings")
    joint_with = models.ManyToManyField(
        Council, blank=True, related_name="joint_meetings", verbose_name=_("joint meeting with")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    location = models.CharField(_("place"), max_length=300, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    papers_deadline = models.DateField(_("deadline for case papers"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["council", "starts_at"])]

    def __str__(self) -> str:
        return self.title or f"{self.council} {timezone.localtime(self.starts_at):%d.%m.%Y}"

    @property
    def agenda_is_public(self) -> bool:
        return self.status not in (self.Status.PLANNED, self.Status.CANCELLED)


class CaseCounter(models.Model):
    """The last case number used per partnership and year (locked when used)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "year"], name="uniq_case_counter")
        ]

    def __str__(self) -> str:
        return f"{self.partnership} {self.year}: {self.last}"


class Case(Modified, VersionedModel):
    """A case with its case paper (saksframlegg).

    The paper's three parts are rich text (:mod:`core.richtext`). HTML is
    sanitised here, whatever wrote it; the case form stores the editor's HTML
    (plain text typed there becomes paragraphs), and the papers from before
    the editor were turned into paragraphs by migration 0004. Plain text that
    other apps write (the crisis and deviation reports) is kept as it is and
    shown as paragraphs: every reader goes through ``richtext`` (the
    ``case_paper`` filters, ``text_of``). Their text is kept beside them in
    ``paper_text`` for search and for the identity-number guard (which reads
    every free-text field, so a number hidden in markup is refused there too).
    """

    names_are_own_text = True  # core.services.history_for marks them

    RICH_TEXT_FIELDS = ("background", "assessment", "proposed_decision")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="cases")
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence number"))
    title = models.CharField(_("title"), max_length=300)
    public_title = models.CharField(
        _("public title"),
        max_length=300,
        blank=True,
        help_text=_("Shown to the public instead of the title when the case is exempt."),
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=20,
        choices=[
            (Visibility.PUBLIC, Visibility.PUBLIC.label),
            (Visibility.PARTNERSHIP, Visibility.PARTNERSHIP.label),
            (Visibility.COUNCIL, Visibility.COUNCIL.label),
            (Visibility.RESTRICTED, Visibility.RESTRICTED.label),
        ],
        default=Visibility.PUBLIC,
    )
    legal_basis = models.CharField(
        _("legal basis for exemption"),
        max_length=200,
        blank=True,
        help_text=_("For example: offentleglova § 14 (internal document)."),
    )
    council = models.ForeignKey(
        Council,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("prepared for"),
    )
    background = models.TextField(_("background"), blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    proposed_decision = models.TextField(_("proposed decision"), blank=True)
    paper_text = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    client_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "year", "sequence"], name="uniq_case_number"
            ),
            models.UniqueConstraint(fields=["partnership", "client_key"], name="uniq_case_key"),
            models.CheckConstraint(
                condition=~Q(visibility="restricted") | ~Q(legal_basis=""),
                name="restricted_case_has_legal_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, **kwargs: Any) -> None:
        for name in self.RICH_TEXT_FIELDS:
            value = getattr(self, name)
            if richtext.is_html(value):
                setattr(self, name, richtext.to_html(value))
        self.paper_text = "\n\n".join(
            text
            for name in self.RICH_TEXT_FIELDS
            if (text := richtext.text_of(getattr(self, name)))
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not set(update_fields).isdisjoint(self.RICH_TEXT_FIELDS):
            kwargs["update_fields"] = {*update_fields, "paper_text"}
        super().save(**kwargs)

    @property
    def number(self) -> str:
        return f"{self.year % 100:02d}/{self.sequence:03d}"

    @property
    def title_for_public(self) -> str:
        if self.visibility == Visibility.RESTRICTED:
            return self.public_title or str(_("Exempt from public access"))
        return self.title


class Treatment(Timestamped):
    """One item on a meeting's agenda: a handling of a case, or a standing item."""

    class Kind(models.TextChoices):
        STANDING = "standing", _("Standing item")
        INFORMATION = "information", _("For information")
        DISCUSSION = "discussion", _("For discussion")
        DECISION = "decision", _("For decision")

    class Standing(models.TextChoices):
        APPROVE_NOTICE = "approve_notice", _("Approval of the notice and agenda")
        APPROVE_MINUTES = "approve_minutes", _("Approval of the minutes of the last meeting")
        ORIENTATIONS = "orientations", _("Orientations")
        ANY_OTHER_BUSINESS = "any_other_business", _("Any other business")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="treatments")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="treatments"
    )
    kind = models.CharField(_("handling"), max_length=20, choices=Kind.choices)
    standing = models.CharField(max_length=30, choices=Standing.choices, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "case"],
                condition=Q(case__isnull=False),
                name="uniq_case_per_meeting",
            ),
            models.CheckConstraint(
                condition=(Q(kind="standing") & Q(case__isnull=True) & ~Q(standing=""))
                | (~Q(kind="standing") & Q(case__isnull=False)),
                name="treatment_is_case_or_standing",
            ),
        ]

    def __str__(self) -> str:
        return self.case.title if self.case else self.get_standing_display()


class Decision(VersionedModel):
    """What a meeting decided on one agenda item, kept apart from the
    recommendation it was asked to adopt."""

    names_are_own_text = True  # core.services.history_for marks them

    treatment = models.OneToOneField(Treatment, on_delete=models.CASCADE, related_name="decision")
    recommendation = models.TextField(_("recommendation"), blank=True)
    adopted_as_recommended = models.BooleanField(_("adopted as recommended"), default=True)
    adopted_text = models.TextField(_("decision"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.adopted_text[:80]


class Attendance(models.Model):
    """Who of a council's seats attended a meeting."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        DEPUTY = "deputy", _("Absent, deputy attended")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "appointment"], name="uniq_attendance_per_seat"
            )
        ]

    def __str__(self) -> str:
        return f"{self.appointment.person} – {self.get_status_display()}"


class MinutesApproval(models.Model):
    """How and when the minutes were approved."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="minutes_approval"
    )
    approved_on = models.DateField(_("approved on"))
    approved_by = models.CharField(
        _("approved by"),
        max_length=300,
        help_text=_("The meeting that approved them, or the names of those who signed."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("approval of minutes")
        verbose_name_plural = _("approvals of minutes")

    def __str__(self) -> str:
        return f"{self.meeting}: {self.approved_by}"


class Vote(models.Model):
    """How one seat voted on one decision (optional: most decisions are unanimous)."""

    class Choice(models.TextChoices):
        FOR = "for", _("For")
        AGAINST = "against", _("Against")
        ABSTAIN = "abstain", _("Abstained")

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="votes")
    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("vote"), max_length=10, choices=Choice.choices)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["decision", "appointment"], name="uniq_vote_per_seat")
        ]

    def __str__(self) -> str:
        return f"{self.appointment.person} – {self.get_choice_display()}"


def attachment_path(instance: CaseAttachment, filename: str) -> str:
    """A stored name that says nothing and cannot collide or climb out of the
    folder: the uploaded name is kept in ``original_name`` only."""
    import uuid

    from councils.attachments import extension_of

    return f"saksvedlegg/{timezone.now():%Y}/{uuid.uuid4().hex}{extension_of(filename)}"


class CaseAttachment(models.Model):
    """A document attached to a case paper."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["case", "uploaded_at", "pk"]
        constraints = [
            # The same file twice on one case is a double submit, not two attachments.
            models.UniqueConstraint(fields=["case", "sha256"], name="uniq_attachment_per_case")
        ]

    def __str__(self) -> str:
        return self.title
