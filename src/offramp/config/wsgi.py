import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "offramp.config.settings.production")
application = get_wsgi_application()

# Imports run inside the server: any a previous server process left unfinished are failed now,
# and the extracts they staged removed (offramp.intake.runner).
from offramp.intake.runner import imports_settle_at_start  # noqa: E402 (needs Django set up)

imports_settle_at_start()
