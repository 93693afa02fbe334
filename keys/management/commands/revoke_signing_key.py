import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser

from config.cli import StrictCommand
from keys import signing
from keys.models import SigningKey


class Command(StrictCommand):
    help = (
        "Revoke a previous (or next) signing key: it leaves the JWKS and its tokens stop verifying."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kid", help="the key id, as in /.well-known/jwks.json")

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parse_args = parser.parse_args

        def parse_kid_args(args: Any = None, namespace: Any = None) -> Any:
            # A kid is base64url (RFC 7638), so one in 64 starts with '-', which argparse
            # would read as an unknown option: anything not a known option is the kid.
            args = list(sys.argv[2:] if args is None else args)
            for index, arg in enumerate(args):
                if arg == "--":
                    break
                if (
                    arg.startswith("-")
                    and arg.split("=", 1)[0] not in parser._option_string_actions
                ):
                    args.insert(index, "--")
                    break
            return parse_args(args, namespace)

        parser.parse_args = parse_kid_args  # type: ignore[method-assign]
        return parser

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key = signing.revoke(options["kid"])
        except SigningKey.DoesNotExist as error:
            raise CommandError(f"No signing key with kid {options['kid']!r}.") from error
        except signing.KeyStateError as error:
            raise CommandError(str(error).capitalize() + ".") from error
        self.stdout.write(f"Revoked signing key {key.kid}.")
