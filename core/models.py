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
