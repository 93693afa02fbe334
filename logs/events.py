"""Recording Auth0 log events (logs/models.py). Two ways in:

- `record(...)` writes the event at once, on the caller's connection and inside its
  transaction: configuration changes use it, so a change and its log event commit together
  or not at all.
- `enqueue(...)` (logs/buffer.py) hands the event to the process's buffer, written in batches
  off the request path: /oauth/token and the other hot paths use it (issue 12 section 1: at
  most 10 % of the token endpoint's throughput).

Every event goes through `scrub`, so a secret that reaches a recorder by mistake is replaced
before it is stored. Callers still never pass one: the tests read every event back.
"""

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from config.client_ip import client_ip
from logs.models import LogEvent
from logs.types import TYPES

REDACTED = "[redacted]"
# Keys whose value is a secret wherever they appear in `details`.
SECRET_KEYS = frozenset(
    {
        "authorization",
        "client_assertion",
        "client_secret",
        "code",
        "code_verifier",
        "cookie",
        "password",
        "private_key",
        "secret",
        "signing_secret",
    }
)
SECRET_SUFFIXES = ("_secret", "_digest", "password", "_private_key", "_pem")
# Token names: a string under one of them is a token, but a client's `refresh_token` object
# (its rotation settings) is configuration and stays.
TOKEN_KEYS = frozenset({"access_token", "refresh_token", "id_token", "token"})
MAX_TEXT = 500
# What no database text column stores (PostgreSQL refuses NUL in text and jsonb; a lone
# surrogate is no UTF-8): hostile input (a path with %00) must still be recordable.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` with NUL and lone surrogates replaced by U+FFFD, so any database stores it."""
    return _UNSTORABLE.sub("\ufffd", text)


def is_secret_key(key: str) -> bool:
    """Whether a member named `key` holds a secret (SECRET_KEYS, or a SECRET_SUFFIXES name)."""
    lowered = key.lower()
    return lowered in SECRET_KEYS or lowered.endswith(SECRET_SUFFIXES)


def _redacted(value: Any) -> Any:
    # A secret's place keeps its shape (a change's {"before", "after"} stays one, so a diff
    # still shows that it changed); every value in it is replaced.
    if isinstance(value, Mapping):
        return {str(key): _redacted(item) for key, item in value.items()}
    return REDACTED


def scrub(value: Any) -> Any:
    """A copy of `value` (JSON-like: dicts, lists, scalars) with every secret replaced by
    "[redacted]": values under SECRET_KEYS or keys ending in SECRET_SUFFIXES (an object there
    keeps its member names, each value redacted), and strings under TOKEN_KEYS. Non-JSON
    scalars become their str()."""
    if isinstance(value, Mapping):
        cleaned = {}
        for key, item in value.items():
            key = storable(str(key))
            if is_secret_key(key) or (key.lower() in TOKEN_KEYS and isinstance(item, str)):
                cleaned[key] = _redacted(item)
            else:
                cleaned[key] = scrub(item)
        return cleaned
    if isinstance(value, (list, tuple, set, frozenset)):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return storable(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return storable(str(value))


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields that differ, as {field: {"before": old, "after": new}} (a field missing on
    one side is None there), scrubbed: a changed secret shows as "[redacted]" on both sides,
    so the log says that it changed and never what it is."""
    diff = {}
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old == new:
            continue
        if is_secret_key(field):
            diff[field] = {"before": REDACTED, "after": REDACTED}
        else:
            diff[field] = {"before": scrub(old), "after": scrub(new)}
    return diff


def request_fields(request: HttpRequest) -> dict[str, str]:
    """The `ip`, `user_agent` and `hostname` of an event caused by `request`."""
    return {
        "ip": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:MAX_TEXT],
        "hostname": request.get_host() if _host_is_valid(request) else "",
    }


def _host_is_valid(request: HttpRequest) -> bool:
    try:
        request.get_host()
    except Exception:  # DisallowedHost: the event is still worth recording, without it
        return False
    return True


def event(
    type: str,
    *,
    date: dt.datetime | None = None,
    description: str = "",
    client_id: str = "",
    client_name: str = "",
    user_id: str = "",
    user_name: str = "",
    ip: str = "",
    user_agent: str = "",
    hostname: str = "",
    audience: str = "",
    scope: str = "",
    connection: str = "",
    object_type: str = "",
    object_id: str = "",
    details: Mapping[str, Any] | None = None,
) -> LogEvent:
    """An unsaved LogEvent. `type` must be one of logs.types.TYPES (ValueError otherwise);
    `date` defaults to now; `details` is scrubbed, and gets `object` when `object_type`
    is given."""
    if type not in TYPES:
        raise ValueError(f"unknown log event type {type!r}")
    cleaned = scrub(dict(details or {}))
    if object_type:
        cleaned.setdefault("object", {"type": object_type, "id": object_id})
    return LogEvent(
        date=date or timezone.now(),
        type=type,
        description=storable(description[:MAX_TEXT]),
        client_id=storable(client_id),
        client_name=storable(client_name[:200]),
        user_id=storable(user_id),
        user_name=storable(user_name[:300]),
        ip=storable(ip),
        user_agent=storable(user_agent[:MAX_TEXT]),
        hostname=storable(hostname[:253]),
        audience=storable(audience[:600]),
        scope=storable(scope[:2000]),
        connection=storable(connection),
        object_type=storable(object_type),
        object_id=storable(object_id[:600]),
        details=cleaned,
    )


def record(type: str, **fields: Any) -> LogEvent | None:
    """Writes one event now, in the caller's transaction (see `event` for the fields).
    Returns it, or None when settings.LOG_EVENTS is off."""
    if not settings.LOG_EVENTS:
        return None
    log_event = event(type, **fields)
    log_event.save(force_insert=True)
    return log_event


def enqueue(type: str, **fields: Any) -> None:
    """Hands one event to the buffer (logs/buffer.py); it reaches the database within
    settings.LOG_EVENTS_FLUSH_SECONDS, or at once when that is 0."""
    if not settings.LOG_EVENTS:
        return
    from logs import buffer

    buffer.add(event(type, **fields))
