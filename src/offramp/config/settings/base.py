"""Settings shared by every environment."""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF

PACKAGE_DIR = Path(__file__).resolve().parents[2]
REPO_DIR = PACKAGE_DIR.parents[1]
VAR_DIR = REPO_DIR / "var"

DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "offramp.agencies",
    "offramp.accounts",
    "offramp.people",
    "offramp.audit",
    "offramp.referrals",
    "offramp.assessments",
    "offramp.retention",
    "offramp.sharing",
    "offramp.interventions",
    "offramp.cases",
    "offramp.exports",
    "offramp.networks",
    "offramp.intake",
    "offramp.index",
    "offramp.screening",
    "offramp.reports",
    "offramp.api",
    "offramp.web",
]
# The synthetic area (`offramp demo`, `offramp synth`) is installed by the local and test
# settings only: production never carries invented people.
DEMO_APPS = ["offramp.demo"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages middleware, so it can tell people why they were signed out.
    "offramp.web.session_timeouts.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "offramp.web.two_factor.TwoFactorMiddleware",
    "offramp.web.middleware.NoStoreForSignedInUsersMiddleware",
    # Innermost, so it sees the user an API token authenticated inside the view.
    "offramp.web.refusal_audit.RefusalAuditMiddleware",
]

ROOT_URLCONF = "offramp.config.urls"
WSGI_APPLICATION = "offramp.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "offramp.web.context_processors.navigation",
            ],
        },
    },
]


def sqlite_options(database: dj_database_url.DBConfig) -> dict[str, Any]:
    """A database's OPTIONS, with what lets several clients share one SQLite file.

    Write-ahead logging lets readers carry on while one client writes; a writer waits up to
    20 seconds for the lock instead of failing at once; and a transaction takes the write lock
    when it begins, so two transactions that read and then write never deadlock (SQLite fails
    one of them with "database is locked" whatever the timeout). Other engines: unchanged.
    """
    options = dict(database.get("OPTIONS", {}))
    if database.get("ENGINE") == "django.db.backends.sqlite3":
        options |= {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    return options


DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'offramp.sqlite3'}", conn_max_age=60
    )
}
DATABASES["default"]["OPTIONS"] = sqlite_options(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:sign-in"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    ("vendor/govuk", REPO_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("vendor/moj", REPO_DIR / "node_modules" / "@ministryofjustice" / "frontend" / "moj"),
    ("vendor/cytoscape", REPO_DIR / "node_modules" / "cytoscape" / "dist"),
]

# Signed-in sessions end after this long without a request, and this long after signing in
# whatever the activity (offramp.web.session_timeouts). The cookie lives no longer than that.
OFFRAMP_SESSION_IDLE_SECONDS = 30 * 60
OFFRAMP_SESSION_ABSOLUTE_SECONDS = 10 * 60 * 60
SESSION_COOKIE_AGE = OFFRAMP_SESSION_ABSOLUTE_SECONDS
# After this many failed sign-ins for one username within OFFRAMP_LOCKOUT_SECONDS, that
# username may not sign in for OFFRAMP_LOCKOUT_SECONDS (`offramp unlock USERNAME` lifts it).
OFFRAMP_LOCKOUT_ATTEMPTS = 5
OFFRAMP_LOCKOUT_SECONDS = 15 * 60
# A code from an authenticator app after the password (offramp.web.two_factor). On in
# production; off for the demo and the tests, which turn it on where they test it.
OFFRAMP_REQUIRE_TWO_FACTOR = False
OFFRAMP_TWO_FACTOR_ISSUER = "Offramp"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# A local extension to the national risk framework (docs/framework.md); None uses the
# national framework alone.
OFFRAMP_FRAMEWORK_EXTENSION: str | None = None
OFFRAMP_AREA_NAME = "Hartmoor"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Cases (issue 4): how often a case on a support plan is reviewed, and how long a plan may go
# without any recorded progress before the dashboard flags it as drifting.
OFFRAMP_CASE_REVIEW_INTERVAL_DAYS = 90
OFFRAMP_PLAN_DRIFT_DAYS = 42
# Follow-up reviews after exit, as Channel does (DOMAIN.md, "The flow of a case").
OFFRAMP_FOLLOW_UP_MONTHS = (6, 12)
# A panel member sees a case while it is on their panel's agenda and for this many days after
# the meeting is closed (held), to carry out its actions; 0 ends access at the close (ADR 0008).
OFFRAMP_PANEL_ACCESS_DAYS_AFTER_MEETING = 14
# Partner extract imports (docs/partner-data.md): the largest file accepted, whether the pages
# import in a background thread (the page shows progress), and where uploads wait meanwhile.
OFFRAMP_IMPORT_MAX_BYTES = 50 * 1024 * 1024
OFFRAMP_IMPORTS_IN_BACKGROUND = True
OFFRAMP_IMPORT_STAGING_DIR = VAR_DIR / "import-staging"
# A running import beats this often; one silent for longer than the stale time is failed as
# abandoned (at once if its process, on this host, has ended).
OFFRAMP_IMPORT_HEARTBEAT_SECONDS = 10
OFFRAMP_IMPORT_STALE_SECONDS = 300
OFFRAMP_EXPORT_DAILY_ROW_LIMIT = 1000  # rows a user may export a day before approval is needed
# "Is this person known?" checks one user may make an hour (offramp.index.services.known_check):
# whether there may be a match is still one fact about someone the asker may not see, so
# repeated probing is capped (and each such answer goes to the coordinators).
OFFRAMP_KNOWN_CHECKS_PER_HOUR = 30


def _positive_whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    if not value.isdigit() or int(value) == 0:
        raise ValueError(f"{name} must be a positive whole number, not {value!r}")
    return int(value)


# Refused requests are logged (docs/adr/0005); more than this many refusals for one user
# within this many seconds raise a sweep alert for the auditors.
OFFRAMP_SWEEP_REFUSALS = _positive_whole_number("OFFRAMP_SWEEP_REFUSALS", 20)
OFFRAMP_SWEEP_SECONDS = _positive_whole_number("OFFRAMP_SWEEP_SECONDS", 600)
# `offramp audit checkpoint` signs the chain head with this key, which must never be stored in
# the database, and appends it to this file, which should live where the database's
# administrators cannot rewrite it (another host, an append-only mount).
OFFRAMP_AUDIT_CHECKPOINT_KEY = os.environ.get("OFFRAMP_AUDIT_CHECKPOINT_KEY") or None
OFFRAMP_AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("OFFRAMP_AUDIT_CHECKPOINT_FILE") or VAR_DIR / "audit-checkpoints.log"
)
