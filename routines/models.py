"""Samhandlingsrutiner: the practical procedures under a guideline.

A routine ("Utskrivning av pasienter med behov for kommunale tjenester")
belongs to an agreement, usually a guideline, and optionally to one of its
clauses (by the clause's stable ``key``, which every version of the agreement
keeps). It is owned by a council (a fagråd, ASU) or by one party — exactly
one of the two — and may name a person responsible for it. Its text comes in
versions: drafts are edited, one version at a time is in force, and a change
is a new version. Each routine is reviewed at an interval; the review date
is set when a version comes in force and moved on by a review that finds it
unchanged. The rules live in :mod:`routines.services`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import richtext
from core.models import VersionedModel
from partnerships.models import Organisation, Partnership


class Routine(VersionedModel):
    """One routine, its place under an agreement, its owner and review date."""

    names_are_own_text = True  # core.services.history_for marks them

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="routines")
    agreement = models.ForeignKey(
        "agreements.Agreement",
        on_delete=models.PROTECT,
        related_name="routines",
        verbose_name=_("agreement"),
    )
    # ``agreements.Clause.key``: the same clause in every version of the
    # agreement. Empty: the routine belongs to the agreement as a whole.
    clause_key = models.CharField(_("clause"), max_length=40, blank=True)
    number = models.CharField(_("number"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("address name"), max_length=60)
    owner_council = models.ForeignKey(
        "councils.Council",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="routines",
        verbose_name=_("owner (council)"),
    )
    owner_party = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="routines",
        verbose_name=_("owner (party)"),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="routines",
        verbose_name=_("responsible person"),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    next_review = models.DateField(_("next review"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    # Idempotency: the new-routine form sent twice makes one routine.
    client_key = models.UUIDField(null=True, blank=True, editable=False)
    # The review date the last reminders were about (one of each per period).
    reminded_soon_for = models.DateField(null=True, blank=True, editable=False)
    reminded_overdue_for = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("routine")
        verbose_name_plural = _("routines")
        ordering = ["partnership", "number", "title"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="uniq_routine_slug"),
            models.UniqueConstraint(
                fields=["partnership", "client_key"], name="uniq_routine_client_key"
            ),
            # Owned by a council or by a party: exactly one.
            models.CheckConstraint(
                condition=(Q(owner_council__isnull=False) & Q(owner_party__isnull=True))
                | (Q(owner_council__isnull=True) & Q(owner_party__isnull=False)),
                name="routine_has_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def owner(self) -> Any:
        """The council or the party that owns the routine."""
        return self.owner_council or self.owner_party

    @property
    def owner_name(self) -> str:
        owner = self.owner
        return owner.name if owner is not None else ""

    def is_overdue(self, today: datetime.date) -> bool:
        return self.next_review is not None and self.next_review < today


class RoutineVersion(VersionedModel):
    """One version of a routine's text and where it stands."""

    names_are_own_text = True  # core.services.history_for marks them

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_FORCE = "in_force", _("In force")
        REPLACED = "replaced", _("Replaced")

    # Not "version": that is the edit counter every VersionedModel has.
    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="versions")
    label = models.CharField(_("version"), max_length=60)
    text = models.TextField(_("text"), blank=True)
    summary = models.TextField(_("what changed"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    # The last day, set when the next version replaced it.
    in_force_to = models.DateField(_("in force until"), null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_versions",
        verbose_name=_("based on"),
    )
    # The learning loop: why the routine was revised.
    decision = models.ForeignKey(
        "councils.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="routine_versions",
        verbose_name=_("revised after decision"),
    )
    followup = models.ForeignKey(
        "followups.FollowUp",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="routine_versions",
        verbose_name=_("revised after follow-up"),
    )
    reason = models.TextField(_("reason for the revision"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    client_key = models.UUIDField(null=True, blank=True, editable=False)

    # Only a draft is edited; a version in force is never changed.
    EDITABLE = {Status.DRAFT}
    # What the public sees: the version in force and those it replaced.
    PUBLIC = {Status.IN_FORCE, Status.REPLACED}

    class Meta:
        verbose_name = _("routine version")
        verbose_name_plural = _("routine versions")
        ordering = ["routine", "created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["routine", "label"], name="uniq_routine_version_label"),
            models.UniqueConstraint(
                fields=["routine", "client_key"], name="uniq_routine_version_client_key"
            ),
            # The database's word on it too: one version in force per routine.
            models.UniqueConstraint(
                fields=["routine"],
                condition=Q(status="in_force"),
                name="one_routine_version_in_force",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(in_force_from__isnull=False),
                name="routine_version_in_force_has_date",
            ),
            models.CheckConstraint(
                condition=Q(in_force_to__isnull=True)
                | Q(in_force_from__isnull=True)
                | Q(in_force_to__gte=models.F("in_force_from")),
                name="routine_version_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.routine} ({self.label})"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    def save(self, **kwargs: Any) -> None:
        # Whatever way it came (the editor, the demo, the admin): stored as
        # sanitised HTML, plain text as paragraphs.
        self.text = richtext.to_html(self.text)
        super().save(**kwargs)


class RoutineReview(models.Model):
    """A recorded review: the routine still holds, or needs a revision."""

    class Outcome(models.TextChoices):
        UNCHANGED = "unchanged", _("Still right: unchanged")
        NEEDS_REVISION = "needs_revision", _("Needs a revision")

    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    # Where an unchanged routine's next review was set; empty for "needs a
    # revision" (the new version in force sets it).
    next_review = models.DateField(_("next review"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    client_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("routine review")
        verbose_name_plural = _("routine reviews")
        ordering = ["routine", "-reviewed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["routine", "client_key"], name="uniq_routine_review_client_key"
            ),
            models.CheckConstraint(
                condition=Q(next_review__isnull=True) | Q(next_review__gt=models.F("reviewed_on")),
                name="routine_review_next_after_review",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="unchanged") | Q(next_review__isnull=False),
                name="routine_review_unchanged_sets_next",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.routine} – {self.reviewed_on.isoformat()}"
