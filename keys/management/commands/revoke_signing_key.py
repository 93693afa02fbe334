from typing import Any

from django.core.management.base import CommandError, CommandParser

from config.cli import StrictCommand
from keys import signing
from keys.models import SigningKey


class Command(StrictCommand):
    help = (
        "Revoke a previous (or next) signing key: it leaves the JWKS and its tokens stop "
        "verifying. A kid that starts with '-' goes after '--': revoke_signing_key -- -KID."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # A kid is base64url (RFC 7638), so one in 64 starts with '-', which argparse reads as
        # an option unless it follows argparse's own '--' separator.
        parser.add_argument(
            "kid", help="the key id, as in /.well-known/jwks.json; after '--' if it starts with '-'"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key = signing.revoke(options["kid"])
        except SigningKey.DoesNotExist as error:
            raise CommandError(f"No signing key with kid {options['kid']!r}.") from error
        except signing.KeyStateError as error:
            raise CommandError(str(error).capitalize() + ".") from error
        self.stdout.write(f"Revoked signing key {key.kid}.")
