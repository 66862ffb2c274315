"""Settings for the test suite: SQLite in memory, or PostgreSQL when DATABASE_URL is set."""

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import DEMO_APPS, INSTALLED_APPS, VAR_DIR

SECRET_KEY = "offramp-test-key"
INSTALLED_APPS = [*INSTALLED_APPS, *DEMO_APPS]
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DATABASES = {
    "default": dj_database_url.config(default="sqlite://:memory:")
    if os.environ.get("DATABASE_URL")
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
}
# Argon2 is deliberately slow; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Imports run in the request, so a test (or the API fuzzer) never leaves a thread behind.
OFFRAMP_IMPORTS_IN_BACKGROUND = False
# Never a real deployment's or the demo's checkpoints: tests that checkpoint set their own file.
OFFRAMP_AUDIT_CHECKPOINT_FILE = VAR_DIR / "tests" / "audit-checkpoints-never-written.log"
OFFRAMP_AUDIT_CHECKPOINT_KEY = None
