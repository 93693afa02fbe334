from typing import Any

from django.core.management.base import CommandError, CommandParser

from config.cli import StrictCommand
from users import directory
from users.models import User


class Command(StrictCommand):
    help = (
        "Block an end user (ending all their sessions), or unblock with --unblock. "
        "Idempotent: blocking a blocked user succeeds and changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", help="The user id (auth0|...) or the email.")
        parser.add_argument("--unblock", action="store_true")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        reference: str = options["user"]
        user = self._find(reference)
        blocked = not options["unblock"]
        if user.blocked != blocked:
            user = directory.update_user(user, blocked=blocked)
        if options["json"]:
            self.print_json(user.to_dict())
            return
        state = "blocked" if blocked else "not blocked"
        self.stdout.write(f"User {user.email} ({user.user_id}) is {state}.")

    def _find(self, reference: str) -> User:
        if "\x00" in reference:
            raise CommandError("No user has that id or email.")
        user = directory.find_by_email(reference) if "@" in reference else None
        user = user or directory.find(reference)
        if user is None:
            raise CommandError(f"No user has the id or email {reference!r}.")
        return user
