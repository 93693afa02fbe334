from typing import Any

from django.core.management.base import CommandError, CommandParser

from keys import signing
from keys.cli import StrictCommand
from keys.models import SigningKey


class Command(StrictCommand):
    help = (
        "Revoke a previous (or next) signing key: it leaves the JWKS and its tokens stop verifying."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kid", help="the key id, as in /.well-known/jwks.json")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key = signing.revoke(options["kid"])
        except SigningKey.DoesNotExist as error:
            raise CommandError(f"No signing key with kid {options['kid']!r}.") from error
        except signing.KeyStateError as error:
            raise CommandError(str(error).capitalize() + ".") from error
        self.stdout.write(f"Revoked signing key {key.kid}.")
