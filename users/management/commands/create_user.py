import argparse
import os
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from config.cli import StrictCommand, validation_message
from users import directory, passwords

PASSWORD_VARIABLE = "USER_PASSWORD"


class Command(StrictCommand):
    help = (
        "Create an end user of the Username-Password-Authentication connection. The password "
        f"is read from stdin (--password-stdin) or the {PASSWORD_VARIABLE} environment "
        "variable, never from an argument, so it does not show in `ps`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--username", default=None)
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of stdin.",
        )
        # Declared only to refuse it with a message that does not repeat the value (and so
        # that argparse does not read it as an abbreviation of --password-stdin).
        parser.add_argument("--password", help=argparse.SUPPRESS)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["password"] is not None:
            raise CommandError(
                "--password is refused: a password in the arguments shows in `ps`. "
                f"Use --password-stdin or {PASSWORD_VARIABLE}."
            )
        password = self._password(options["password_stdin"])
        try:
            user = directory.create_user(
                email=options["email"],
                password=password,
                username=options["username"],
                name=options["name"],
            )
        except directory.UserExists as error:
            raise CommandError("A user with this email or username already exists.") from error
        except passwords.PasswordTooWeak as error:
            raise CommandError(
                f"{error} (at least 8 characters, 3 of: lowercase, uppercase, digits, !@#$%^&*)"
            ) from error
        except ValidationError as error:
            raise CommandError(validation_message(error)) from error
        if options["json"]:
            self.print_json(user.to_dict())
            return
        self.stdout.write(f"Created user {user.email}: {user.user_id}")

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            line = sys.stdin.readline()
            # Only the line break ends the password; other whitespace belongs to it.
            password = line.removesuffix("\n").removesuffix("\r")
            if not password:
                raise CommandError("--password-stdin: stdin holds no password.")
            return password
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not password:
            raise CommandError(f"No password: pass --password-stdin, or set {PASSWORD_VARIABLE}.")
        return password
