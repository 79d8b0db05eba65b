"""The national comparison: partnerships side by side, a year at a time.

Each of the 19 health partnerships may run its own installation. A
partnership that opts in (:class:`Sharing`) publishes a year's public
aggregates as a :class:`Snapshot`; the same document is the open file it
sends to others (:mod:`national.exchange`), and any installation imports
such files as snapshots of partnerships it does not hold. The national
page reads snapshots only, so what it shows is exactly what was published
or imported, never a live figure that moved since.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships.models import Partnership


class Sharing(models.Model):
    """Whether a partnership takes part in the national comparison."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="national_sharing"
    )
    opted_in = models.BooleanField(_("takes part in the national comparison"), default=False)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("national sharing")
        verbose_name_plural = _("national sharing")

    def __str__(self) -> str:
        return f"{self.partnership}: {self.opted_in}"


class Snapshot(models.Model):
    """One partnership's public aggregates for one year, as published here
    (``partnership`` set) or imported from a file (``imported_by`` set)."""

    class Origin(models.TextChoices):
        PUBLISHED = "published", _("Published on this installation")
        IMPORTED = "imported", _("Imported from a file")

    identifier = models.CharField(_("partnership identifier"), max_length=60)
    name = models.CharField(_("partnership"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="national_snapshots",
    )
    # The partnership on this installation whose secretariat imported the file.
    imported_for = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="imported_snapshots",
        verbose_name=_("imported by the secretariat of"),
    )
    data = models.JSONField(_("the document"))
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("stored"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stored by"),
    )

    class Meta:
        verbose_name = _("national snapshot")
        verbose_name_plural = _("national snapshots")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["identifier", "year"], name="uniq_snapshot_year"),
            models.CheckConstraint(
                condition=Q(origin="published", partnership__isnull=False)
                | Q(origin="imported", partnership__isnull=True, imported_for__isnull=False),
                name="snapshot_origin_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"
