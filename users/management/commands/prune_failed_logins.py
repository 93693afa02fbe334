from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from config.cli import StrictCommand
from users import brute_force


class Command(StrictCommand):
    help = (
        "Delete brute-force counters of end users' failed sign-ins whose last failure is 30 "
        "days old (they block nothing any more). Idempotent; run it daily, like prune_logs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = brute_force.prune(timezone.now())
        if options["json"]:
            self.print_json({"deleted": deleted})
            return
        self.stdout.write(f"Deleted {deleted} expired failed-login counter(s).")
