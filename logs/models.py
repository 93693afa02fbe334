import datetime as dt
import os
import random
import time
from typing import Any

from django.db import models

from logs.types import TYPES

# Log ids are public identifiers, not secrets: a fast generator seeded from the OS is enough
# to keep two nodes' ids apart, and the secrets module's system call cost the token endpoint
# more than the rest of building its event.
_random = random.Random()  # noqa: S311
# A forked worker (gunicorn --preload) must not repeat its parent's sequence.
os.register_at_fork(after_in_child=_random.seed)


def new_log_id() -> str:
    """A log event id that sorts by time: 18 digits of microseconds since the epoch, then
    10 random digits (two nodes writing in the same microsecond still differ). Auth0's ids
    are also long digit strings; `from`/`take` paging relies on the order."""
    return f"{time.time_ns() // 1000:018d}{_random.randrange(10**10):010d}"


def iso_date(moment: dt.datetime) -> str:
    """Auth0's timestamp: `2026-11-30T12:06:40.123Z` (UTC, milliseconds)."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


# Auth0's text fields of an event, in the order its Management API lists them.
PUBLIC_TEXT_FIELDS = (
    "description",
    "connection",
    "client_id",
    "client_name",
    "ip",
    "hostname",
    "user_id",
    "user_name",
    "audience",
    "scope",
    "user_agent",
)


class LogEvent(models.Model):
    """One Auth0 log event (https://auth0.com/docs/deploy-monitor/logs/log-event-type-codes):
    a change made through any surface, or an authentication or token event.

    The public fields are Auth0's. `object_type` and `object_id` name what a change was made
    to ("resource_server", "client", "client_grant", "user", "signing_key", "tenant", ...),
    so an API's, an application's or a user's page can show its own events; they are also
    in `details["object"]`. `details` never holds a secret: logs/events.py scrubs it.
    """

    log_id = models.CharField(primary_key=True, max_length=32, default=new_log_id, editable=False)
    date = models.DateTimeField(db_index=True)
    type = models.CharField(max_length=16)
    description = models.CharField(max_length=500, blank=True, default="")
    client_id = models.CharField(max_length=64, blank=True, default="")
    client_name = models.CharField(max_length=200, blank=True, default="")
    user_id = models.CharField(max_length=64, blank=True, default="")
    user_name = models.CharField(max_length=300, blank=True, default="")
    ip = models.CharField(max_length=45, blank=True, default="")
    user_agent = models.CharField(max_length=500, blank=True, default="")
    hostname = models.CharField(max_length=253, blank=True, default="")
    audience = models.CharField(max_length=600, blank=True, default="")
    scope = models.CharField(max_length=2000, blank=True, default="")
    connection = models.CharField(max_length=128, blank=True, default="")
    object_type = models.CharField(max_length=32, blank=True, default="")
    object_id = models.CharField(max_length=600, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-date", "-log_id")
        indexes = [
            models.Index(fields=["type", "-date"], name="logs_type_date"),
            models.Index(fields=["client_id", "-date"], name="logs_client_date"),
            models.Index(fields=["user_id", "-date"], name="logs_user_date"),
            models.Index(fields=["object_type", "object_id", "-date"], name="logs_object_date"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.date:%Y-%m-%d %H:%M:%S} {self.description}"

    @property
    def type_text(self) -> str:
        """Auth0's description of the event's type code ("Success Login")."""
        return TYPES.get(self.type, "")

    def to_dict(self) -> dict[str, Any]:
        """The event as Auth0's Management API shows it (GET /api/v2/logs): `log_id`, `date`
        (ISO 8601 in UTC with milliseconds and Z), `type` and `isMobile` always; every other
        field only when it has a value, as Auth0 omits what an event does not have.
        `object_type`/`object_id` are Gatehouse's and stay out (they are in
        `details["object"]`)."""
        body: dict[str, Any] = {
            "log_id": self.log_id,
            "date": iso_date(self.date),
            "type": self.type,
        }
        for name in PUBLIC_TEXT_FIELDS:
            value = getattr(self, name)
            if value:
                body[name] = value
        if self.details:
            body["details"] = self.details
        body["isMobile"] = False
        return body
