"""Reading back the stored log events in tests: all of them as one text to search for
secrets, and the one event a request wrote."""

import json

from logs.models import LogEvent

FIELDS = (
    "log_id",
    "type",
    "description",
    "client_id",
    "client_name",
    "user_id",
    "user_name",
    "ip",
    "user_agent",
    "hostname",
    "audience",
    "scope",
    "connection",
    "object_type",
    "object_id",
)


def every_event_text() -> str:
    """Every stored event, every field and its details, as one text to search."""
    parts = []
    for event in LogEvent.objects.all():
        parts.extend(str(getattr(event, field)) for field in FIELDS)
        parts.append(json.dumps(event.details))
    return "\n".join(parts)


def assert_nowhere(secrets: list[str], caplog) -> None:
    text = every_event_text()
    for secret in secrets:
        assert secret
        assert secret not in text
        assert secret not in caplog.text


# Configuration changes: the fixtures' own setup (applications, APIs, users made through the
# domain modules) records these too, and no sign-in or token request ever does.
CHANGE_TYPES = ("sapi", "fapi")


def auth_rows():
    """The stored authentication and token events (configuration changes aside)."""
    return LogEvent.objects.exclude(type__in=CHANGE_TYPES)


def only_event() -> LogEvent:
    """The one authentication or token event written (configuration changes aside)."""
    events = list(auth_rows())
    assert len(events) == 1, [(e.type, e.description) for e in events]
    return events[0]
