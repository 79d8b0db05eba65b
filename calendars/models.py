"""Secret links to a person's own calendar feed.

A calendar program fetches the feed without logging in, so the link itself is
the key. Only a SHA-256 hash of the token is stored: the token is shown once,
when it is created, and cannot be read back from the database. A person has
at most one active link; making a new one revokes the old.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CalendarToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_tokens",
        verbose_name=_("person"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now)
    last_used_on = models.DateField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    # A hash, not free text: the identity guard must not look for numbers in it.
    identity_guard_exempt = ("token_hash",)

    class Meta:
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")
        ordering = ["-created"]
        constraints = [
            # A double submit (or two tabs at once) cannot leave two links working.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="uniq_active_calendar_token",
            ),
        ]

    def __str__(self) -> str:
        # Never the hash: this text ends up in the audit trail.
        return f"{self.user} – {self.created:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
