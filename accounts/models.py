"""People who log in, and the record of failed log-in attempts.

A user is identified by e-mail address. Nothing here assumes a password is the
only way in: a later single sign-on back end (OpenID Connect: HelseID,
ID-porten, Entra ID) maps a verified external identity to a ``User`` and then
goes through the same :func:`accounts.services.complete_login`.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


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


# django-stubs cannot follow the user foreign key that RecoveryCodeDevice inherits
# from django-otp's abstract Device.
class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
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
        # TOTP codes and recovery codes: the second factor, counted together.
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


class RecoveryCodeDevice(Device):
    """One-time recovery codes: the second factor for a person who lost the
    phone with their authenticator app.

    Ten codes are shown once, when the authenticator is set up, and stored
    only as salted SHA-256 digests. A code has about 50 random bits, so a fast
    digest is enough (nobody can guess through a dictionary of likely codes),
    and checking all ten stays cheap. Each code works once: using it is one
    conditional UPDATE, so two requests racing with the same code cannot both
    win. As a django-otp device it makes the session verified like a TOTP code.
    """

    salt = models.CharField(max_length=32)

    identity_guard_exempt = ("salt",)

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def digest(self, code: str) -> str:
        normal = "".join(ch for ch in code.upper() if ch.isalnum())
        return hashlib.sha256(f"{self.salt}:{normal}".encode()).hexdigest()

    def verify_token(self, token: str) -> bool:
        digest = self.digest(str(token))
        used = RecoveryCode.objects.filter(device=self, digest=digest, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if used != 1:
            return False
        from auditlog.models import LogEntry

        # Using a code is a security event: it goes in the audit trail.
        LogEntry.objects.log_create(
            self,
            force_log=True,
            action=LogEntry.Action.UPDATE,
            changes={"recovery code": ["unused", "used"]},
            actor=self.user,
        )
        return True

    @property
    def unused(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    identity_guard_exempt = ("digest",)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "digest"], name="uniq_recovery_code")
        ]

    def __str__(self) -> str:
        return f"recovery code {self.pk}"


class ExternalIdentity(Device):
    """A verified identity at a single sign-on provider (OpenID Connect),
    linked to a person: the issuer and the subject the provider gives, and
    nothing else the provider sends (ID-porten's and HelseID's ``pid``, the
    fødselsnummer, is never kept; see accounts.sso).

    It is linked only through an invitation or by an administrator
    (``linked_how``, ``linked_by``), never by an e-mail address. As a
    django-otp device it marks a session as verified with a second factor
    when the sign-in met the provider's required level of assurance; it
    never accepts a code.
    """

    class LinkedHow(models.TextChoices):
        INVITATION = "invitation", _("through an invitation")
        ADMINISTRATOR = "administrator", _("by an administrator")

    provider = models.CharField(_("provider"), max_length=40)
    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(_("subject"), max_length=255)
    linked_how = models.CharField(_("linked"), max_length=20, choices=LinkedHow.choices)
    linked_by = models.ForeignKey(
        User,
        verbose_name=_("linked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("linked at"), default=timezone.now)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    # Machine values the provider chose, not text a person wrote.
    identity_guard_exempt = ("issuer", "subject")

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="uniq_external_identity")
        ]

    def verify_token(self, token: str) -> bool:
        return False


class UserSession(models.Model):
    """A log-in of a person, so that they can see where they are logged in and
    end every session. The session itself lives in Django's session store;
    this row names it, and a session ended elsewhere is no longer listed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="logins")
    session_key = models.CharField(max_length=40, unique=True)
    created = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    second_factor = models.BooleanField(default=False)
    # How the person logged in: "" for the password, else the sign-on
    # provider's key, with the level of assurance (acr) it reported.
    provider = models.CharField(max_length=40, blank=True)
    assurance = models.CharField(max_length=100, blank=True)

    identity_guard_exempt = ("session_key", "user_agent", "assurance")

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.user} {self.created:%Y-%m-%d %H:%M}"
