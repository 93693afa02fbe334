"""Log retention: events older than settings.LOG_RETENTION_DAYS are deleted by
`manage.py prune_logs` (Auth0 keeps logs for a period set by the plan, "Log Data Retention";
here it is a setting, 30 days by default)."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from logs.models import LogEvent

# Rows deleted per transaction: small enough that no batch holds locks or a huge write-ahead
# log for long while the token endpoint keeps inserting, large enough to be quick.
BATCH_SIZE = 1000
MAX_DAYS = 36500


def cutoff(days: int, now: dt.datetime | None = None) -> dt.datetime:
    """The instant before which events are pruned: `now` (default: the current time) minus
    `days` (1..MAX_DAYS; ValueError otherwise)."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}, not {days}")
    return (now or timezone.now()) - dt.timedelta(days=days)


def prune(before: dt.datetime, batch_size: int = BATCH_SIZE) -> int:
    """Deletes every event dated before `before`, `batch_size` at a time, each batch in its
    own transaction (the date index finds them). Returns how many were deleted; running it
    again with the same `before` deletes 0."""
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(
                LogEvent.objects.filter(date__lt=before)
                .order_by("date")
                .values_list("log_id", flat=True)[:batch_size]
            )
            if batch:
                LogEvent.objects.filter(log_id__in=batch).delete()
        deleted += len(batch)
        if len(batch) < batch_size:
            return deleted


def retention_days() -> int:
    """settings.LOG_RETENTION_DAYS (env LOG_RETENTION_DAYS)."""
    return int(settings.LOG_RETENTION_DAYS)
