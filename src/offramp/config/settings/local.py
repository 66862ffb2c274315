"""Settings for `make demo` and development on one machine: SQLite unless DATABASE_URL."""

import os

from .base import *  # noqa: F403
from .base import DEMO_APPS, INSTALLED_APPS, VAR_DIR

DEBUG = os.environ.get("OFFRAMP_DEBUG", "1") == "1"
INSTALLED_APPS = [*INSTALLED_APPS, *DEMO_APPS]
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
# Not a secret: the demo key only signs sessions on a developer's own machine.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "offramp-local-development-key-not-for-production")
VAR_DIR.mkdir(exist_ok=True)
OFFRAMP_FRAMEWORK_EXTENSION = os.environ.get("OFFRAMP_FRAMEWORK_EXTENSION") or None
# Off for the demo; OFFRAMP_REQUIRE_TWO_FACTOR=1 tries the production sign-in on one machine.
OFFRAMP_REQUIRE_TWO_FACTOR = os.environ.get("OFFRAMP_REQUIRE_TWO_FACTOR") == "1"
