"""Finding other people's names in free text and replacing them.

Only names Offramp knows can be found: the names (and other names) of the people a subject's
records link to. A name written another way, a nickname nobody recorded, or a description that
identifies someone ("his older brother") is not found: a person must read the export before it
is released (docs/exports.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

THIRD_PARTY = "[third party redacted]"
REFERRER_WITHHELD = "[referrer's name withheld]"
MIN_TOKEN_LENGTH = 2


def _words(name: str) -> list[str]:
    return [word for word in re.split(r"\s+", name.strip()) if word]


def _phrase_pattern(phrase: str) -> str:
    return r"\s+".join(re.escape(word) for word in _words(phrase))


@dataclass
class NameRedactor:
    """Replaces whole names, then single name words, wherever they stand as words.

    `names` are full names ("Kyle Walsh"); each of their words is also replaced on its own
    unless it is one of `keep` (the subject's own names: a brother's surname alone is left, as
    it is the subject's too — a person reviewing the export decides).
    """

    names: Iterable[str]
    keep: Iterable[str]
    replacement: str
    count: int = 0
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        kept = {word.casefold() for name in self.keep for word in _words(name)}
        phrases: set[str] = set()
        for name in self.names:
            words = _words(name)
            if not words:
                continue
            if len(words) > 1:
                phrases.add(" ".join(words))
            for word in words:
                if len(word) >= MIN_TOKEN_LENGTH and word.casefold() not in kept:
                    phrases.add(word)
        if phrases:
            # Longest first, so "Kyle Walsh" goes before "Kyle" has a chance to.
            ordered = sorted(phrases, key=lambda p: (-len(p), p.casefold()))
            alternatives = "|".join(_phrase_pattern(p) for p in ordered)
            self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        redacted, replaced = self._pattern.subn(self.replacement, text)
        self.count += replaced
        return redacted
