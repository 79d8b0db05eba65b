"""People who log in, and the record of failed log-in attempts.

A user is identified by e-mail address. Nothing here assumes a password is the
only way in: a later single sign-on back end (OpenID Connect: HelseID,
ID-porten, Entra ID) maps a verified external identity to a ``User`` and then
goes through the same :func:`accounts.services.complete_login`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    title = models.CharField(_("job title"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Access to the Django admin only; nothing in Samspill itself looks at it.
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]
    # Hashes and machine values are not free text: the identity guard skips them.
    identity_guard_exempt = ("password",)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class LoginFailure(models.Model):
    """One failed attempt, kept just long enough to throttle the next ones."""

    class Kind(models.TextChoices):
        PASSWORD = "password", _("password")
        TOTP = "totp", _("two-factor code")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    email = models.CharField(max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    identity_guard_exempt = ("email",)

    class Meta:
        indexes = [models.Index(fields=["email", "created"])]

    def __str__(self) -> str:
        return f"{self.kind} failure at {self.created:%Y-%m-%d %H:%M}"
