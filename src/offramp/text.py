"""Checks on free text shared by every service (pages, API, CLI and imports alike)."""

from collections.abc import Mapping


def null_character_errors(fields: Mapping[str, str]) -> dict[str, str]:
    """PostgreSQL cannot store NUL; refuse it with a message rather than fail on save."""
    return {
        name: "This field must not contain null characters"
        for name, value in fields.items()
        if "\x00" in value
    }
