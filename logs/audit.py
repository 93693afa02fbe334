"""Configuration changes as Auth0 log events: `sapi` (Success API Operation) for every change
made through any surface, `fapi` (Failed API Operation) for a refused Management API write.

The domain functions that change configuration call `changed(...)` inside the transaction of
their change, so the change and its event commit together or not at all, and a change made
through the console, the Management API, a command or the Django admin is recorded once, by
the same code. Who made it and through what comes from config/actor.py, set by each surface.
Auth0 records its own Management API operations this way
(https://auth0.com/docs/deploy-monitor/logs/log-event-type-codes: sapi, fapi).
"""

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from config import actor
from logs import events, types
from logs.models import LogEvent

# Members of an object's snapshot that change on every write, or are not configuration.
UNLOGGED_MEMBERS = frozenset({"updated_at", "created_at", "last_login", "logins_count"})


# The calls of `changed` inside a `one_operation` block, merged into one event at its end.
_operation: ContextVar[list[dict[str, Any]] | None] = ContextVar("log_operation", default=None)


def snapshot(body: Mapping[str, Any] | None) -> dict[str, Any]:
    """An object's Management API shape (its `to_dict()`) without the members that change on
    every write; {} for an object that does not exist (before a create, after a delete)."""
    if body is None:
        return {}
    return {key: value for key, value in body.items() if key not in UNLOGGED_MEMBERS}


def changed(
    description: str,
    *,
    object_type: str,
    object_id: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    user_id: str = "",
    user_name: str = "",
    audience: str = "",
    details: Mapping[str, Any] | None = None,
) -> LogEvent | None:
    """Record one `sapi` event for a configuration change, now, in the caller's transaction.

    `description` is Auth0's wording ("Update a client"); `object_type`/`object_id` name what
    changed ("client", "resource_server", "client_grant", "user", "signing_key", "tenant",
    ...); `before`/`after` are its snapshots (see `snapshot`), from which
    `details["changes"]` = {field: {"before", "after"}} is computed, secrets redacted
    (logs.events.changes). `details` also gets the actor's `channel`, `actor` and, for HTTP,
    `request` {method, path}. `client_id` is the Management API token's client when the
    change came through the API (as in Auth0); `user_id` names the end user a change is
    about. Returns the event, or None when settings.LOG_EVENTS is off."""
    diff = events.changes(snapshot(before), snapshot(after))
    collected = _operation.get()
    if collected is not None:
        collected.append(
            {
                "description": description,
                "object_type": object_type,
                "object_id": object_id,
                "user_id": user_id,
                "user_name": user_name,
                "audience": audience,
                "details": dict(details or {}),
                "changes": diff,
            }
        )
        return None
    return _record(
        description,
        object_type=object_type,
        object_id=object_id,
        user_id=user_id,
        user_name=user_name,
        audience=audience,
        details=details,
        changes=diff,
    )


@contextmanager
def one_operation() -> Iterator[None]:
    """Record the changes made inside the block as one event (a Management API PATCH that
    renames an API, replaces its scopes and sets its secret is one operation): the first
    change's description and object, each field's first `before` and last `after`. Written
    when the block ends without an error, so use it inside the operation's transaction.
    Blocks do not nest: an inner one joins the outer."""
    if _operation.get() is not None:
        yield
        return
    collected: list[dict[str, Any]] = []
    token = _operation.set(collected)
    try:
        yield
    finally:
        _operation.reset(token)
    if not collected:
        return
    first = collected[0]
    merged: dict[str, dict[str, Any]] = {}
    for change in collected:
        for field, values in change["changes"].items():
            merged.setdefault(field, {"before": values["before"]})["after"] = values["after"]
    _record(
        first["description"],
        object_type=first["object_type"],
        object_id=first["object_id"],
        user_id=first["user_id"],
        user_name=first["user_name"],
        audience=first["audience"],
        details=first["details"],
        changes=merged,
    )


def _record(
    description: str,
    *,
    object_type: str,
    object_id: str,
    user_id: str,
    user_name: str,
    audience: str,
    details: Mapping[str, Any] | None,
    changes: dict[str, dict[str, Any]],
) -> LogEvent | None:
    who = actor.current()
    body = {**who.details(), "changes": changes, **(details or {})}
    return events.record(
        types.SUCCESS_API_OPERATION,
        description=description,
        client_id=who.resolved_name() if who.channel == actor.API else "",
        ip=who.ip,
        user_agent=who.user_agent,
        hostname=who.hostname,
        user_id=user_id,
        user_name=user_name,
        audience=audience,
        object_type=object_type,
        object_id=object_id,
        details=body,
    )


def refused(status: int, message: str, error_code: str, request_body: bytes) -> LogEvent | None:
    """Record one `fapi` event for a Management API write that was answered with the 4xx
    `status` and Auth0's error `message` / `error_code`. Every secret the request body
    carried (a string under a secret member name, logs.events.SECRET_KEYS) is cut out of the
    message first, so an error that echoes input cannot log a secret. The actor must be the
    Management API's (keys/bearer.py)."""
    who = actor.current()
    for secret in _secrets_in(request_body):
        message = message.replace(secret, events.REDACTED)
    body = {
        **who.details(),
        "response": {"statusCode": status, "message": message, "errorCode": error_code},
    }
    return events.record(
        types.FAILED_API_OPERATION,
        description=message,
        client_id=who.resolved_name(),
        ip=who.ip,
        user_agent=who.user_agent,
        hostname=who.hostname,
        details=body,
    )


def _secrets_in(request_body: bytes) -> list[str]:
    found: list[str] = []
    try:
        _collect(json.loads(request_body), found)
    except (ValueError, RecursionError):
        # Not JSON, or nested too deep to read (a hostile body, refused as such): the
        # message then names no member of it, so there is nothing to cut out.
        return []
    # Longest first, so a secret containing another is cut out whole.
    return sorted({s for s in found if s}, key=len, reverse=True)


def _collect(value: Any, found: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and _is_secret(str(key)):
                found.append(item)
            else:
                _collect(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)


def ids(values: Iterable[Any]) -> list[str]:
    """Object ids as text, sorted (for a bulk change's `details`)."""
    return sorted(str(value) for value in values)


def _is_secret(key: str) -> bool:
    return events.is_secret_key(key) or key.lower() in events.TOKEN_KEYS
