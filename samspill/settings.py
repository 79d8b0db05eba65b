"""Settings for Samspill.

Everything that differs between machines comes from the environment through the
strict helpers in :mod:`samspill.env`. ``SAMSPILL_PRODUCTION=true`` switches on
the production defaults (no debug, secure cookies, HSTS, HTTPS redirect) and
makes a real secret key mandatory. The README lists every variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from samspill.env import env_bool, env_int, env_list, env_oidc_providers, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = env_bool("SAMSPILL_PRODUCTION", False)
# Off unless asked for: the demo shows Samspill's own 404, 403 and 500 pages,
# as production does; SAMSPILL_DEBUG=true gives Django's debug pages.
DEBUG = env_bool("SAMSPILL_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("SAMSPILL_DEBUG must not be true when SAMSPILL_PRODUCTION is true")

SECRET_KEY = env_str("SAMSPILL_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SAMSPILL_SECRET_KEY is required in production")
    # Development and tests only: a fixed, obviously unsafe key.
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-samspill"  # noqa: S105
elif PRODUCTION and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")
):
    # The same rule as Django's security.W009: sessions, password reset links
    # and signed tokens are only as safe as this key.
    raise ImproperlyConfigured(
        "SAMSPILL_SECRET_KEY is too weak for production: use at least 50 random characters, "
        "e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list(
    "SAMSPILL_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("SAMSPILL_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SAMSPILL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    # The Django admin, reachable only after Samspill's own log-in with the
    # second factor (accounts.admin_site).
    "accounts.admin_site.SamspillAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "auditlog",
    # Only for its static files: the built TipTap/ProseMirror editor the case
    # paper uses (councils/static/councils/case-paper-editor.js).
    "django_prose_editor",
    "core",
    "accounts",
    "partnerships",
    "portal",
    "api",
    "councils",
    "followups",
    "representation",
    "notifications",
    "calendars",
    "agreements",
    "routines",
    "transfers",
    "plans",
    "indicators",
    "annual",
    "national",
    "oparl",
    "search",
    "deviations",
    "crisis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RefuseBadInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.NoStoreMiddleware",
    "accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "partnerships.middleware.PartnershipMiddleware",
]

ROOT_URLCONF = "samspill.urls"
WSGI_APPLICATION = "samspill.wsgi.application"
ASGI_APPLICATION = "samspill.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite (WAL) by default, PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("SAMSPILL_DB_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE takes the
        # write lock at BEGIN so two writers queue instead of failing later.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:start"
LOGOUT_REDIRECT_URL = "portal:index"
# Single sign-on over OpenID Connect (accounts.sso); none unless configured.
SAMSPILL_OIDC_PROVIDERS = env_oidc_providers(PRODUCTION)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# Login throttling (accounts/throttle.py): after this many failures for one
# account from one client address within the cool-off window, that pair is
# refused until the window has passed; beyond it, the account as a whole (and
# an address over ten times as many) is slowed down, never refused, with a
# delay that doubles up to LOGIN_MAX_DELAY_SECONDS. Never a permanent lock.
LOGIN_MAX_FAILURES = env_int("SAMSPILL_LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_COOLOFF_MINUTES = env_int("SAMSPILL_LOGIN_COOLOFF_MINUTES", 15, minimum=1)
LOGIN_MAX_DELAY_SECONDS = env_int("SAMSPILL_LOGIN_MAX_DELAY_SECONDS", 5, minimum=0)

# Sessions: an idle timeout (the expiry moves forward with every request).
SESSION_COOKIE_AGE = env_int("SAMSPILL_IDLE_TIMEOUT_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
OTP_TOTP_ISSUER = "Samspill"
# Wrong two-factor codes are throttled by accounts.throttle with the same
# cool-off as passwords; django-otp's own per-device back-off would refuse a
# correct code typed within seconds of a wrong one, with a misleading message.
OTP_TOTP_THROTTLE_FACTOR = 0

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("nn", _("Norwegian Nynorsk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("SAMSPILL_TIME_ZONE", "Europe/Oslo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Outside production, serve straight from the app folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STATIC_ROOT = Path(env_str("SAMSPILL_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("SAMSPILL_MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded files in S3-compatible object storage (django-storages), for
# several app servers; the default stays the local folder above.
SAMSPILL_STORAGE = env_str("SAMSPILL_STORAGE", "local")
if SAMSPILL_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("SAMSPILL_S3_BUCKET", ""),
            "endpoint_url": env_str("SAMSPILL_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("SAMSPILL_S3_REGION", "") or None,
            "access_key": env_str("SAMSPILL_S3_ACCESS_KEY", ""),
            "secret_key": env_str("SAMSPILL_S3_SECRET_KEY", ""),
            "location": env_str("SAMSPILL_S3_PREFIX", ""),
            # Files are read only through views that check access: private
            # objects, never a public URL, never overwritten.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif SAMSPILL_STORAGE != "local":
    raise ImproperlyConfigured("SAMSPILL_STORAGE must be 'local' or 's3'.")
# Uploaded case attachments are served only through views that check access;
# there is deliberately no MEDIA_URL.
SAMSPILL_ATTACHMENT_MAX_MB = env_int("SAMSPILL_ATTACHMENT_MAX_MB", 20, minimum=1)
FILE_UPLOAD_PERMISSIONS = 0o640

# The statistics APIs ``manage.py fetch_statistics`` calls (an import
# profile's ``fetch.url`` starts with ``{ssb}`` or ``{fhi}``).
SAMSPILL_STATISTICS_APIS = {
    "ssb": env_str("SAMSPILL_SSB_API", "https://data.ssb.no"),
    "fhi": env_str("SAMSPILL_FHI_API", "https://statistikk-data.fhi.no"),
}
# SSB allows 30 requests a minute from one address; FHI states no limit, and
# is asked as gently.
SAMSPILL_STATISTICS_REQUESTS_PER_MINUTE = 30
# The partnerships whose statistics ``manage.py run_jobs`` refreshes once a
# week (short names, comma-separated; empty: none, as on a machine without
# a network).
SAMSPILL_STATISTICS_REFRESH = env_list("SAMSPILL_STATISTICS_REFRESH", [])
# Added to the host name a job run records, to tell apart two app servers
# on one host (containers usually have their own host names).
SAMSPILL_JOB_HOST_TAG = env_str("SAMSPILL_JOB_HOST_TAG", "")

# E-mail (Django 6.1 MAILERS): the console back end unless an SMTP host is set.
EMAIL_SMTP_HOST = env_str("SAMSPILL_EMAIL_HOST")
if EMAIL_SMTP_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_SMTP_HOST,
                "port": env_int("SAMSPILL_EMAIL_PORT", 587, minimum=1),
                "username": env_str("SAMSPILL_EMAIL_USER") or None,
                "password": env_str("SAMSPILL_EMAIL_PASSWORD") or None,
                "use_tls": env_bool("SAMSPILL_EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env_str("SAMSPILL_DEFAULT_FROM_EMAIL", "Samspill <noreply@samspill.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Content Security Policy: no inline scripts or styles anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

BEHIND_PROXY = env_bool("SAMSPILL_BEHIND_PROXY", PRODUCTION)
if BEHIND_PROXY:
    # The reverse proxy terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SAMSPILL_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SAMSPILL_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SAMSPILL_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SAMSPILL_HSTS_PRELOAD", True)

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# Query strings and identity numbers are cut out of every log line
# (core/logging.py): a search is not kept in the log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "core.logging.ScrubFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["scrub"]}},
    "root": {"handlers": ["console"], "level": env_str("SAMSPILL_LOG_LEVEL", "INFO")},
    "loggers": {
        # The development server logs each request line itself.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Privacy, retention and the accessibility statement ----------------------------
# (Appended as one block; its imports stay here so the file above is unchanged.)
import datetime  # noqa: E402
import json  # noqa: E402

# How long Samspill keeps what, in days (README "Privacy and retention"). The
# daily job `manage.py apply_retention` applies them; the privacy notice
# (/personvern/) shows their values. Each rule is contributed by its app's
# retention.py (core/retention.py says how).
# Free texts of a closed deviation (what happened, measures, the reference to
# the party's own system, the answer and the dialogue) are removed this long
# after it was closed; the row stays, so statistics keep counting it.
SAMSPILL_RETAIN_CLOSED_DEVIATIONS_DAYS = env_int(
    "SAMSPILL_RETAIN_CLOSED_DEVIATIONS_DAYS", 730, minimum=1
)
# Free texts and comments of a crisis's situation reports, and the drafts
# never submitted, go this long after the crisis was stood down; the figures
# and levels stay for the evaluation of the crisis.
SAMSPILL_RETAIN_CRISIS_REPORTS_DAYS = env_int(
    "SAMSPILL_RETAIN_CRISIS_REPORTS_DAYS", 1095, minimum=1
)
# Entries of the audit trail older than this are deleted. At least a year:
# the audit trail is what answers a security incident found late.
SAMSPILL_RETAIN_AUDIT_DAYS = env_int("SAMSPILL_RETAIN_AUDIT_DAYS", 1825, minimum=365)
# A person whose every role (membership, partnership role, council seat) has
# ended this long ago loses their log-in: the account is deactivated, its
# password and second factors removed, its sessions ended. Their name stays
# on what they did.
SAMSPILL_RETAIN_LEFT_PEOPLE_DAYS = env_int("SAMSPILL_RETAIN_LEFT_PEOPLE_DAYS", 90, minimum=0)

# Who is responsible for the personal data (the privacy notice says it): e.g.
# "Helse Nord-Trøndelag HF, vertskap for sekretariatet, på vegne av partene".
# Empty: the notice names the parties of the partnership and the organisation
# that hosts its secretariat, without a name.
SAMSPILL_DATA_CONTROLLER = env_str("SAMSPILL_DATA_CONTROLLER").strip()
# The data controller's data protection officer (personvernombud): a name, an
# e-mail address, or both ("Kari Nordmann, personvernombud@example.no").
SAMSPILL_DATA_PROTECTION_OFFICER = env_str("SAMSPILL_DATA_PROTECTION_OFFICER").strip()


def _statement_date(name: str, default: str) -> datetime.date:
    raw = env_str(name, default).strip()
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a date (YYYY-MM-DD), got {raw!r}") from None


# The accessibility statement (/tilgjengelighet/). Its date: when it was last
# checked against the site (set it when you review the statement).
SAMSPILL_ACCESSIBILITY_STATEMENT_DATE = _statement_date(
    "SAMSPILL_ACCESSIBILITY_STATEMENT_DATE", "2026-12-05"
)
# The statement the operator publishes at uustatus.no, linked from ours when set.
SAMSPILL_ACCESSIBILITY_UUSTATUS_URL = env_str("SAMSPILL_ACCESSIBILITY_UUSTATUS_URL").strip()
# Known deviations from WCAG 2.1 AA and limits of what was checked: (success
# criteria, what does not work and what to do instead). The default is what
# Samspill's own tests and reviews have found and not fixed (the browser sweep
# has no open findings: tests/browser/test_sweep.py KNOWN). A text may say
# %(minutes)d for the idle timeout. SAMSPILL_ACCESSIBILITY_DEVIATIONS_FILE
# names a JSON file with a list of {"criterion": "2.2.1", "text": "..."} that
# replaces the default (its texts are shown as written, in every language).
SAMSPILL_ACCESSIBILITY_DEVIATIONS: list[tuple[str, object]] = [
    (
        "1.1.1, 1.3.1",
        _(
            "Attachments to case papers (PDF, Word and other documents) come from the "
            "parties and are not checked for accessibility. Ask the secretariat for an "
            "accessible version of a document you cannot read."
        ),
    ),
    (
        "1.1.1",
        _(
            "Charts are images with a title only. Their text alternative is the table with "
            "the same numbers right below each chart; the chart itself is not described in "
            "words. On a narrow screen the chart scrolls sideways inside its frame."
        ),
    ),
    (
        "1.3.1",
        _(
            "Agendas and minutes as PDF are made as tagged PDF (PDF/UA-1) with language, "
            "headings, lists and tables, but have not been checked with a PDF accessibility "
            "checker or a screen reader. The same content is on the meeting's web page."
        ),
    ),
]
_deviations_file = env_str("SAMSPILL_ACCESSIBILITY_DEVIATIONS_FILE").strip()
if _deviations_file:
    try:
        _rows = json.loads(Path(_deviations_file).read_text(encoding="utf-8"))
        SAMSPILL_ACCESSIBILITY_DEVIATIONS = [
            (str(row["criterion"]), str(row["text"])) for row in _rows
        ]
    except (OSError, ValueError, TypeError, KeyError) as _error:
        raise ImproperlyConfigured(
            "SAMSPILL_ACCESSIBILITY_DEVIATIONS_FILE must name a JSON file with a list of "
            f'{{"criterion": ..., "text": ...}}: {_error}'
        ) from None
