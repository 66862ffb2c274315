"""Whether two recorded dates of birth can belong to one person.

Partner systems mistype dates in a few ways: day and month swapped, one digit wrong, two
neighbouring digits transposed. Dates further apart than that are two people. So are a child
and an adult (on the day asked), however close the digits: whether someone is a child decides
how they are safeguarded, and a merge must not decide that silently — a reviewer corrects the
wrong date first.
"""

from datetime import date

from offramp.cases.routing import ADULTHOOD_YEARS
from offramp.dates import age_on


def _digits(day: date) -> str:
    return day.strftime("%Y%m%d")


def _plausible_typo(one: date, other: date) -> bool:
    if (one.day, one.month) == (other.month, other.day) and one.year == other.year:
        return True
    a, b = _digits(one), _digits(other)
    differing = [i for i in range(len(a)) if a[i] != b[i]]
    if len(differing) == 1:
        return True
    first, second = differing[0], differing[-1]
    return (
        len(differing) == 2
        and second == first + 1
        and (a[first], a[second]) == (b[second], b[first])
    )


def why_not_one_person(one: date | None, other: date | None, *, today: date) -> str:
    """Why these dates of birth cannot be one person's, or "" when they can (or one is
    unknown, so nothing contradicts)."""
    if one is None or other is None or one == other:
        return ""
    shown = f"{one:%-d %b %Y} and {other:%-d %b %Y}"
    if not _plausible_typo(one, other):
        return (
            f"The dates of birth ({shown}) are too far apart to be one person: only a swapped "
            "day and month, one wrong digit or two digits the wrong way round are taken for "
            "typing errors"
        )
    if (age_on(one, today) < ADULTHOOD_YEARS) != (age_on(other, today) < ADULTHOOD_YEARS):
        return (
            f"The dates of birth ({shown}) make one a child and the other an adult: correct "
            "the wrong date of birth first"
        )
    return ""
