"""Abstract building blocks shared by every domain app."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    """Who may see an item. Later modules store one of these on each item and
    ask :meth:`partnerships.access.PartnershipAccess.can_see`."""

    PUBLIC = "public", _("Public")
    PARTNERSHIP = "partnership", _("Internal to the partnership")
    COUNCIL = "council", _("Internal to the council")
    ORGANISATION = "organisation", _("Internal to the organisation")
    RESTRICTED = "restricted", _("Exempt from public access")


class VersionedModel(models.Model):
    """A row that two people may edit at once.

    ``version`` goes up by one on every save through
    :func:`core.services.save_versioned`; a save based on an older version is
    refused so nobody silently overwrites someone else's change.
    """

    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        abstract = True


class Modified(models.Model):
    """When a row last changed, kept on every save (a save of some fields
    too), for the open-data API's ``modified`` and its filters."""

    modified = models.DateTimeField(_("changed"), default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.modified = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "modified"}
        super().save(*args, **kwargs)


class Timestamped(Modified):
    """When a row was made and last changed."""

    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        abstract = True


class JobRun(models.Model):
    """One scheduled job in one period (a day, an hour, a week), claimed by
    the first server to start it (``core.jobs``)."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    job = models.CharField(_("job"), max_length=60)
    period = models.CharField(_("period"), max_length=20)
    host = models.CharField(_("server"), max_length=200)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING
    )
    output = models.TextField(_("output"), blank=True)

    class Meta:
        verbose_name = _("scheduled job run")
        verbose_name_plural = _("scheduled job runs")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="uniq_job_run_period"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.period}: {self.outcome}"
