"""The person index's writes: linking runs, "is this person known?" checks, reviewers'
decisions, merges and un-merges."""

from .known_checks import TooManyChecks, known_check, known_check_follow_up
from .linking import link_records, reviewer_labels
from .merges import person_merge, person_unmerge
from .reviews import review_decide

__all__ = [
    "TooManyChecks",
    "known_check",
    "known_check_follow_up",
    "link_records",
    "person_merge",
    "person_unmerge",
    "review_decide",
    "reviewer_labels",
]
