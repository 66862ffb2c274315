"""Production settings: every secret and host comes from the environment."""

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import MIDDLEWARE, sqlite_options


def _seconds(name: str, default: int) -> int:
    value = int(os.environ.get(name, default))
    if value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds")
    return value


SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]
_database = dj_database_url.config(conn_max_age=60)
if "postgresql" in _database.get("ENGINE", ""):
    # TLS to PostgreSQL. SQLite has no connection to encrypt (and rejects the option).
    _database.setdefault("OPTIONS", {})["sslmode"] = "require"
_database["OPTIONS"] = sqlite_options(_database)
DATABASES = {"default": _database}

MIDDLEWARE = [
    MIDDLEWARE[0],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[1:],
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
OFFRAMP_SESSION_IDLE_SECONDS = _seconds("OFFRAMP_SESSION_IDLE_SECONDS", 30 * 60)
OFFRAMP_SESSION_ABSOLUTE_SECONDS = _seconds("OFFRAMP_SESSION_ABSOLUTE_SECONDS", 10 * 60 * 60)
SESSION_COOKIE_AGE = OFFRAMP_SESSION_ABSOLUTE_SECONDS
OFFRAMP_REQUIRE_TWO_FACTOR = True
OFFRAMP_FRAMEWORK_EXTENSION = os.environ.get("OFFRAMP_FRAMEWORK_EXTENSION") or None
OFFRAMP_KNOWN_CHECKS_PER_HOUR = int(os.environ.get("OFFRAMP_KNOWN_CHECKS_PER_HOUR", 30))
