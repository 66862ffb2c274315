"""The sign-in form, with the lockout after repeated failures."""

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from .services import lockout_period_minutes, sign_in_failure_record, sign_in_locked_until

LOCKED_MESSAGE = (
    "There have been too many failed attempts to sign in with this username. Wait %(minutes)s "
    "minutes and try again, or ask an administrator to unlock it."
)


def locked_error() -> ValidationError:
    return ValidationError(
        LOCKED_MESSAGE, code="locked", params={"minutes": lockout_period_minutes()}
    )


class SignInForm(AuthenticationForm):
    """Refuses a locked-out username before checking its password, and counts failures.

    A username that matches no account is counted and locked out exactly like a real one, so
    neither the messages nor the lockout say whether an account exists.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        if sign_in_locked_until(username=username) is not None:
            raise locked_error()
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            if sign_in_failure_record(username=username) is not None:
                raise locked_error()
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
