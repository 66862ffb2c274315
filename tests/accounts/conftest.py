import datetime

import pytest

from .clock import Clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    # The start of a 30-second step, so a test knows which codes are current.
    return Clock(monkeypatch, datetime.datetime(2026, 3, 2, 9, 0, 0, tzinfo=datetime.UTC))
