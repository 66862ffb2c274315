"""Settings for `make demo` and development on one machine: SQLite unless DATABASE_URL."""

import os

from .base import *  # noqa: F403
from .base import DEMO_APPS, INSTALLED_APPS, MIDDLEWARE, VAR_DIR

# Off by default: Django's debug pages list every URL and show settings and tracebacks to
# whoever reaches the demo. DJANGO_DEBUG=1 turns them on for a developer.
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
INSTALLED_APPS = [*INSTALLED_APPS, *DEMO_APPS]
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
# Not a secret: the demo key only signs sessions on a developer's own machine.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "offramp-local-development-key-not-for-production")
VAR_DIR.mkdir(exist_ok=True)
OFFRAMP_FRAMEWORK_EXTENSION = os.environ.get("OFFRAMP_FRAMEWORK_EXTENSION") or None
# Off for the demo; OFFRAMP_REQUIRE_TWO_FACTOR=1 tries the production sign-in on one machine.
OFFRAMP_REQUIRE_TWO_FACTOR = os.environ.get("OFFRAMP_REQUIRE_TWO_FACTOR") == "1"

# runserver serves static files only with DEBUG on; WhiteNoise serves them straight from the
# finders (GOV.UK Frontend in node_modules, the built stylesheet) whatever DEBUG says.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
