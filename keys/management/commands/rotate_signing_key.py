from typing import Any

from django.core.management.base import CommandError, CommandParser

from config.cli import StrictCommand
from keys import signing


class Command(StrictCommand):
    help = "Promote the next signing key to current, retire the current one, publish a new next."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the new current key as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key = signing.rotate()
        except signing.NoSigningKey as error:
            raise CommandError(str(error).capitalize() + ".") from error
        if options["json"]:
            self.print_json(key.to_dict())
        else:
            self.stdout.write(f"Rotated: {key.kid} is now the current signing key.")
