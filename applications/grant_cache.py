"""Grants that /oauth/token has read, kept per database connection until the database says
that something they were read from has changed.

On PostgreSQL the database's round trip is the largest cost of a token request (measured:
about 40% of the throughput), so a connection that serves token requests keeps the grants it
has read. It never guesses how long they stay true: a trigger (migration 0002) sends
NOTIFY on the `gatehouse_grants` channel after any write to the tables a grant is read from
(applications, APIs, scopes, client grants and their scopes), whoever makes it: console,
Management API, admin, CLI or plain SQL. The connection LISTENs on that channel, and before
each lookup reads what has reached its socket, without a round trip; any notification empties
the cache. A change is therefore seen as soon as its notification arrives, normally within a
millisecond of the commit, which is as soon as a request already in flight would have seen it.

A new connection starts with an empty cache, since it heard nothing while it was not
listening. Nothing is cached on SQLite (no channel to hear changes on, and its queries are
in-process), inside a transaction (LISTEN and NOTIFY wait for the commit), or when
settings.GRANT_CACHE is off, which a deployment behind a transaction-pooling PgBouncer needs,
since LISTEN does not survive such pooling.
"""

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection

CHANNEL = "gatehouse_grants"
# Entries exist only for grants that exist, so this bounds memory, not correctness.
MAX_ENTRIES = 10_000

Value = TypeVar("Value")


class _ConnectionCache(threading.local):
    """One per thread, as Django's connections are: the cache belongs to one connection."""

    def __init__(self) -> None:
        self.listening_on: Any = None  # the psycopg connection that LISTENs
        self.generation = 0  # bumped whenever entries are dropped
        self.entries: dict[tuple[str, str], Any] = {}


_cache = _ConnectionCache()


def _forget(_notification: object = None) -> None:
    _cache.entries.clear()
    _cache.generation += 1


def _enabled() -> bool:
    return (
        settings.GRANT_CACHE
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and connection.get_autocommit()
    )


def _listening_connection() -> Any:
    """The current psycopg connection, listening on CHANNEL and drained of notifications."""
    raw = connection.connection
    if raw is not _cache.listening_on:
        with connection.cursor() as cursor:
            cursor.execute(f"LISTEN {CHANNEL}")
        # Notifications that arrive while psycopg reads a query's result go to its handlers.
        raw.add_notify_handler(_forget)
        _cache.listening_on = raw
        _forget()
    # Those that arrived while the connection was idle wait in the socket: read them now.
    raw.pgconn.consume_input()
    while raw.pgconn.notifies() is not None:
        _forget()
    return raw


def cached(key: tuple[str, str], load: Callable[[], Value | None]) -> Value | None:
    """What load() returns for key, from this connection's cache when nothing has changed
    since it was read. Only found values are kept: a refusal is always read afresh."""
    if not _enabled():
        return load()
    try:
        raw = _listening_connection()
    except (psycopg.Error, DatabaseError):
        # A broken connection: forget everything and let the query report the failure.
        _cache.listening_on = None
        _forget()
        return load()
    if key in _cache.entries:
        return _cache.entries[key]
    generation = _cache.generation
    value = load()
    # A notification read while loading may describe a change the load did not see.
    if value is not None and generation == _cache.generation and _cache.listening_on is raw:
        if len(_cache.entries) >= MAX_ENTRIES:
            _cache.entries.clear()
        _cache.entries[key] = value
    return value
