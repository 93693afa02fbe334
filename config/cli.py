"""What every Gatehouse management command shares: argument errors and validation errors
become a one-line message on stderr and exit status 1, and `--json` prints one object."""

import json
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config import actor


class StrictCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> str | None:
        # The changes a command makes are logged as made through the CLI by the OS user.
        command = self.__class__.__module__.rsplit(".", 1)[-1]
        cli_actor = actor.Actor(channel=actor.CLI, name=actor.os_user(), command=command)
        with actor.acting(cli_actor):
            return super().execute(*args, **options)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        from_cli = getattr(self, "_called_from_command_line", False)

        def error(message: str) -> None:
            if not from_cli:
                raise CommandError(message)
            sys.stderr.write(f"{prog_name} {subcommand}: error: {message}\n")
            sys.exit(1)

        parser.error = error  # type: ignore[method-assign]
        return parser

    def print_json(self, value: object) -> None:
        self.stdout.write(json.dumps(value, separators=(",", ":")))


def validation_message(error: ValidationError) -> str:
    """One line naming each invalid field: 'identifier: An API with this ... exists.'"""
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)
