"""A clock the tests move by hand: django.utils.timezone.now, patched for the whole stack.

Sessions, lockouts and one-time codes all read the time through `timezone.now()`, so moving
this clock moves every one of them together.
"""

import datetime

import pytest
from django.utils import timezone


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: datetime.datetime) -> None:
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)
