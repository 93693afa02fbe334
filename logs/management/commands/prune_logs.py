from typing import Any

from django.core.management.base import CommandError, CommandParser

from config.cli import StrictCommand
from logs import retention


class Command(StrictCommand):
    help = (
        "Delete log events older than the retention period (LOG_RETENTION_DAYS, 30 by "
        "default, or --days), in batches. Idempotent: a second run deletes 0."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            help=f"Keep this many days of events (1..{retention.MAX_DAYS}) instead of "
            "LOG_RETENTION_DAYS.",
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else retention.retention_days()
        try:
            before = retention.cutoff(days)
        except ValueError as error:
            source = "--days" if options["days"] is not None else "LOG_RETENTION_DAYS"
            raise CommandError(f"{source}: {error}") from error
        deleted = retention.prune(before)
        if options["json"]:
            self.print_json({"deleted": deleted, "days": days, "before": before.isoformat()})
            return
        self.stdout.write(f"Deleted {deleted} log events older than {days} days.")
