"""`offramp unlock USERNAME [--reset-two-factor]`: lift a sign-in lockout."""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError

from offramp.accounts.models import User
from offramp.accounts.services import sign_in_failures_clear, totp_device_reset


class Command(BaseCommand):
    help = (
        "Lift the lockout that repeated failed sign-ins put on a username. With "
        "--reset-two-factor, also remove the user's authenticator so they set up a new one."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--reset-two-factor",
            action="store_true",
            help="Also remove the user's two-factor device (a lost or replaced phone)",
        )

    def handle(self, *args: object, **options: object) -> None:
        username = str(options["username"])
        cleared = sign_in_failures_clear(username=username)
        self.stdout.write(
            f"Lockout lifted for {username}"
            if cleared
            else f"No failed sign-ins recorded for {username}"
        )
        if options["reset_two_factor"]:
            try:
                user = User.objects.get(username=username)
            except User.DoesNotExist as error:
                raise CommandError(f"No user '{username}'") from error
            if totp_device_reset(user=user):
                self.stdout.write(f"Two-factor device removed for {username}")
            else:
                self.stdout.write(f"{username} had no two-factor device")
