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
from logs.models import LogEvent, new_log_id
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
# NUL and lone surrogates: PostgreSQL stores neither in text or jsonb, and one such value
# would make the buffer's whole batch fail. Values taken as sent (a client_id, a logout
# parameter) may hold them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _text(value: str, limit: int | None = None) -> str:
    """`value` cut to `limit` characters, with what no database stores replaced by U+FFFD."""
    value = value[:limit] if limit is not None else value
    return _UNSTORABLE.sub("\ufffd", value)


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
        return _text(value)
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
        "hostname": _hostname(request),
    }


def _hostname(request: HttpRequest) -> str:
    # Read once: get_host() validates against ALLOWED_HOSTS each time it is called.
    try:
        return request.get_host()
    except Exception:  # DisallowedHost: the event is still worth recording, without it
        return ""


def values(
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
) -> dict[str, Any]:
    """One event's column values, {LogEvent field name: value}, checked, cut to the
    columns' lengths and with NUL and lone surrogates replaced by U+FFFD: what `event`
    builds a LogEvent from, and what the buffer keeps (a plain dict costs a hot path far
    less than a model instance). `type` must be one of
    logs.types.TYPES (ValueError otherwise); `date` defaults to now; `details` is scrubbed,
    and gets `object` when `object_type` is given; `log_id` is new_log_id()."""
    if type not in TYPES:
        raise ValueError(f"unknown log event type {type!r}")
    cleaned = scrub(dict(details or {}))
    if object_type:
        cleaned.setdefault("object", {"type": object_type, "id": object_id})
    return {
        "log_id": new_log_id(),
        "date": date or timezone.now(),
        "type": type,
        "description": _text(description, MAX_TEXT),
        "client_id": _text(client_id, 64),
        "client_name": _text(client_name, 200),
        "user_id": _text(user_id, 64),
        "user_name": _text(user_name, 300),
        "ip": _text(ip, 45),
        "user_agent": _text(user_agent, MAX_TEXT),
        "hostname": _text(hostname, 253),
        "audience": _text(audience, 600),
        "scope": _text(scope, 2000),
        "connection": _text(connection, 128),
        "object_type": _text(object_type, 32),
        "object_id": _text(object_id, 600),
        "details": cleaned,
    }


def event(type: str, **fields: Any) -> LogEvent:
    """An unsaved LogEvent (see `values` for the fields and the checks)."""
    return LogEvent(**values(type, **fields))


def record(type: str, **fields: Any) -> LogEvent | None:
    """Writes one event now, in the caller's transaction (see `event` for the fields).
    Returns it, or None when settings.LOG_EVENTS is off."""
    if not settings.LOG_EVENTS:
        return None
    log_event = event(type, **fields)
    log_event.save(force_insert=True)
    return log_event


def enqueue(type: str, **fields: Any) -> None:
    """Hands one event (see `values` for the fields) to the buffer (logs/buffer.py); it
    reaches the database within settings.LOG_EVENTS_FLUSH_SECONDS, or at once when that is
    0."""
    if not settings.LOG_EVENTS:
        return
    from logs import buffer

    buffer.add(values(type, **fields))
