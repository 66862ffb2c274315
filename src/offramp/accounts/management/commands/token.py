"""`offramp token create --user NAME [--name LABEL] [--days N]`, `offramp token revoke ID`."""

import datetime
from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError

from offramp.accounts.models import ApiToken, User
from offramp.accounts.services import api_token_issue, api_token_revoke


class Command(BaseCommand):
    help = "Issue or revoke API tokens. A new token's secret is printed once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Issue a token for a user")
        create.add_argument("--user", required=True, help="Username")
        create.add_argument("--name", default="script", help="What the token is for")
        create.add_argument("--days", type=int, default=90, help="Days until it expires")
        revoke = actions.add_parser("revoke", help="Revoke a token by id")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "create":
            try:
                user = User.objects.get(username=options["user"], is_active=True)
            except User.DoesNotExist as error:
                raise CommandError(f"No active user '{options['user']}'") from error
            days = int(options["days"])  # type: ignore[call-overload]
            if not 1 <= days <= 366:
                raise CommandError("--days must be between 1 and 366")
            token, raw = api_token_issue(
                user=user, name=str(options["name"]), lifetime=datetime.timedelta(days=days)
            )
            self.stdout.write(
                f"Token {token.pk} for {user.username}, expires {token.expires_at:%Y-%m-%d}:"
            )
            self.stdout.write(raw)
        else:
            try:
                token = ApiToken.objects.get(pk=int(options["token_id"]))  # type: ignore[call-overload]
            except ApiToken.DoesNotExist as error:
                raise CommandError(f"No token {options['token_id']}") from error
            api_token_revoke(token=token)
            self.stdout.write(f"Token {token.pk} revoked")
