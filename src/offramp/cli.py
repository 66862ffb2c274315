"""The `offramp` command: Django's management commands under the product's name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "offramp.config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["offramp", *sys.argv[1:]])


if __name__ == "__main__":
    main()
