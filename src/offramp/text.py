"""Checks on free text shared by every service (pages, API, CLI and imports alike)."""

import unicodedata
from collections.abc import Mapping

# Control and format characters (bidirectional overrides such as U+202E, marks such as U+200E,
# isolates U+2066-2069, zero-width spaces and joiners, BEL, ESC, NUL), line and paragraph
# separators and lone surrogates: invisible on screen, they make one name look like another,
# reorder what a reader sees, defeat matching, and travel on into exports and spreadsheets.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# What free text (a concern, evidence, a note) may keep: it has lines and may have tabs.
FREE_TEXT_WHITESPACE = frozenset("\n\r\t")
# The zero-width non-joiner and joiner are part of how names are spelt in Persian, Urdu, Hindi,
# Malayalam and other scripts: refusing them would refuse those names.
SCRIPT_JOINERS = frozenset("\u200c\u200d")


def invisible_character_problem(value: str, *, free_text: bool = False) -> str | None:
    """Why the value is refused, naming its first invisible character; None when it is clean.

    A phrase to follow a field's name: "contains an invisible control character (U+202E);
    retype it".
    """
    allowed = SCRIPT_JOINERS | (FREE_TEXT_WHITESPACE if free_text else frozenset())
    for character in value:
        if unicodedata.category(character) in INVISIBLE_CATEGORIES and character not in allowed:
            return f"contains an invisible control character (U+{ord(character):04X}); retype it"
    return None


def field_label(name: str) -> str:
    """'family_name' -> 'Family name': how a message names a field."""
    return name.replace("_", " ").capitalize()


def invisible_character_errors(
    fields: Mapping[str, str], *, free_text: bool = False, labels: Mapping[str, str] | None = None
) -> dict[str, str]:
    """One message per field holding an invisible character ("Family name contains an invisible
    control character (U+202E); retype it"). Names and other one-line fields refuse every one;
    free text keeps newlines and tabs. `labels` names fields whose label is not their name."""
    errors: dict[str, str] = {}
    for name, value in fields.items():
        problem = invisible_character_problem(value, free_text=free_text)
        if problem is not None:
            label = (labels or {}).get(name) or field_label(name)
            errors[name] = f"{label} {problem}"
    return errors


def null_character_errors(fields: Mapping[str, str]) -> dict[str, str]:
    """PostgreSQL cannot store NUL; refuse it with a message rather than fail on save."""
    return {
        name: "This field must not contain null characters"
        for name, value in fields.items()
        if "\x00" in value
    }
