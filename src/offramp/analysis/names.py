"""Name normalisation and tolerant name-and-date-of-birth matching.

Used to answer "is this person already known?" in search and at referral. The scores are
explanations for a person to judge, never decisions: every match carries its reasons.
"""

import unicodedata
from dataclasses import dataclass
from datetime import date

import jellyfish

from .nicknames import are_equivalent


def normalise_name(raw: str) -> str:
    """Lower-case ASCII letters only: 'O’Brien-Smith ' -> 'obriensmith'."""
    decomposed = unicodedata.normalize("NFKD", raw)
    return "".join(ch for ch in decomposed.lower() if "a" <= ch <= "z")


def name_sound(raw: str) -> str:
    """A phonetic key (Metaphone) so that Smith and Smyth, Mohammed and Muhamad meet."""
    key = normalise_name(raw)
    return jellyfish.metaphone(key)[:12] if key else ""


def date_of_birth_variants(dob: date) -> list[date]:
    """The date itself and, where valid, the date with day and month swapped."""
    variants = [dob]
    if dob.day <= 12 and dob.day != dob.month:
        variants.append(dob.replace(month=dob.day, day=dob.month))
    return variants


@dataclass(frozen=True)
class NameRecord:
    given_name: str
    family_name: str
    date_of_birth: date | None


@dataclass(frozen=True)
class MatchScore:
    score: float
    reasons: tuple[str, ...]


FAMILY_WEIGHT, GIVEN_WEIGHT, DOB_WEIGHT = 0.4, 0.3, 0.3


def _name_part(label: str, searched: str, held: str) -> tuple[float, str]:
    a, b = normalise_name(searched), normalise_name(held)
    if not a or not b:
        return 0.0, f"{label} not recorded"
    if a == b:
        return 1.0, f"{label} matches exactly"
    if label == "Given name" and are_equivalent(a, b):
        return 0.95, f"Given name '{held}' is a known variant of '{searched}'"
    if name_sound(a) == name_sound(b):
        return 0.9, f"{label} '{held}' sounds like '{searched}'"
    similarity = jellyfish.jaro_winkler_similarity(a, b)
    return similarity, f"{label} '{held}' is spelt similarly to '{searched}' ({similarity:.0%})"


def _dob_part(searched: date | None, held: date | None) -> tuple[float, str]:
    if searched is None or held is None:
        return 0.0, "Date of birth not compared"
    if searched == held:
        return 1.0, "Date of birth matches"
    if held in date_of_birth_variants(searched):
        return 0.85, "Date of birth matches with day and month swapped"
    same = sum([searched.day == held.day, searched.month == held.month, searched.year == held.year])
    if same == 2:
        return 0.6, "Date of birth differs in one part (a likely typing error)"
    return 0.0, "Date of birth differs"


def score_match(searched: NameRecord, held: NameRecord) -> MatchScore:
    family, family_reason = _name_part("Family name", searched.family_name, held.family_name)
    given, given_reason = _name_part("Given name", searched.given_name, held.given_name)
    dob, dob_reason = _dob_part(searched.date_of_birth, held.date_of_birth)
    if searched.date_of_birth is None:
        total = (FAMILY_WEIGHT * family + GIVEN_WEIGHT * given) / (FAMILY_WEIGHT + GIVEN_WEIGHT)
    else:
        total = FAMILY_WEIGHT * family + GIVEN_WEIGHT * given + DOB_WEIGHT * dob
    reasons = tuple(r for r in (family_reason, given_reason, dob_reason) if r)
    return MatchScore(score=round(total, 3), reasons=reasons)
