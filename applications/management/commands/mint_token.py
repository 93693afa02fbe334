from typing import Any

from django.core.management.base import CommandError, CommandParser

from applications import oauth
from config.cli import StrictCommand
from keys import signing


class Command(StrictCommand):
    help = (
        "Mint an access token for an application, as /oauth/token would, without its secret. "
        "Prints the token alone (or the token response with --json)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--audience", required=True)
        parser.add_argument("--scope", help='space-separated subset of the grant, e.g. "a b"')
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = oauth.issue_token(options["client_id"], options["audience"], options["scope"])
        except oauth.OAuthError as error:
            raise CommandError(error.description) from error
        except signing.NoSigningKey as error:
            raise CommandError(str(error).capitalize() + ".") from error
        if options["json"]:
            self.print_json(result.to_dict())
        else:
            self.stdout.write(result.access_token)
