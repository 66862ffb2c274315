"""What the `offramp` commands share: the acting user and date options, each refused with a
message saying what was wrong, a service's refusal as the command's error, and progress bars
fed by the (stage, done, total) callbacks of long jobs."""

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import TextIOBase

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from tqdm import tqdm

from offramp.accounts.models import User


def active_user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user called {username!r}")
    return user


def date_option(value: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, not {value!r}") from error


def refusal(error: ValidationError | PermissionDenied) -> CommandError:
    if isinstance(error, ValidationError):
        return CommandError(" ".join(error.messages))
    return CommandError(str(error))


@contextmanager
def progress_bar(description: str, stream: TextIOBase) -> Iterator[Callable[[str, int, int], None]]:
    bar = tqdm(total=1, desc=description, unit="step", file=stream, leave=True)

    def report(stage: str, done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.set_postfix_str(stage)
        bar.refresh()

    try:
        yield report
    finally:
        bar.close()
