"""Grants that /oauth/token has read (and the tenant's default audience), kept per database
connection until the database says that something they were read from has changed.

A token request otherwise spends much of its time fetching the grant (on PostgreSQL, the round
trip cost about 40% of the throughput), so a connection that serves token requests keeps the
grants it has read. It never guesses how long they stay true; before each lookup it asks the
database, without a query of its own, whether anything changed, and forgets everything if so:

- PostgreSQL: a trigger (migrations 0002 and 0003) sends NOTIFY on the `gatehouse_grants`
  channel after any write to the tables a grant is read from (applications, APIs, scopes,
  client grants and their scopes) and to the tenant's settings, whoever makes it: console,
  Management API, admin, CLI or plain SQL. The connection LISTENs on that channel and reads
  what has reached its socket, without a round trip. A change is seen as soon as its
  notification arrives, normally within a millisecond of the commit.
- SQLite: `PRAGMA data_version` changes when another connection commits, and the connection's
  own `total_changes` counts what it wrote itself. Both are read in process, from the file's
  shared state, and any write to any table counts.

A new connection starts with an empty cache. Nothing is cached for connections closed after
each request (CONN_MAX_AGE=0), or when settings.GRANT_CACHE is off, which a deployment behind a
transaction-pooling PgBouncer needs, since LISTEN does not survive such pooling.

Inside a transaction the cache is off, with one exception a caller asks for (`in_transaction`):
a transaction the caller opened itself (the connection's only atomic block, no savepoint and
no outer transaction whose writes it cannot see), that has written nothing to the tables the
cache covers, on a connection that already LISTENs (LISTEN itself would only take effect at
the commit). Such a transaction reads the committed rows, as a request outside one does, so
what it loads may be kept; PostgreSQL holds back notifications until it ends and they are
read then, which is as if the transaction had read the cache just before it began. The
refresh grant needs this: it learns which API a token is for only under the family's lock.
"""

import sqlite3
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections

CHANNEL = "gatehouse_grants"
# Entries exist only for grants that exist, so this bounds memory, not correctness.
MAX_ENTRIES = 10_000

Value = TypeVar("Value")


class _ConnectionCache(threading.local):
    """One per thread, as Django's connections are: the cache belongs to one connection."""

    def __init__(self) -> None:
        self.connection: Any = None  # the driver's connection the entries were read on
        self.sqlite_stamp: tuple[int, int] | None = None
        self.generation = 0  # bumped whenever entries are dropped
        self.entries: dict[tuple[str, ...], Any] = {}


_cache = _ConnectionCache()


def _forget(_notification: object = None) -> None:
    _cache.entries.clear()
    _cache.generation += 1


def _enabled(in_transaction: bool) -> bool:
    # The connection itself, looked up once: each use of django.db.connection is a lookup of
    # its own in a thread-local (this runs on every token request).
    db = connections[DEFAULT_DB_ALIAS]
    if not (
        settings.GRANT_CACHE
        # A connection closed after each request (CONN_MAX_AGE=0) would only pay for LISTEN.
        and db.settings_dict["CONN_MAX_AGE"] != 0
        and db.vendor in ("postgresql", "sqlite")
    ):
        return False
    if not db.in_atomic_block:
        return db.get_autocommit()
    # See the module docstring: only the caller's own transaction, on a connection whose
    # cache (and LISTEN) was set up outside any transaction.
    return (
        in_transaction
        and len(db.atomic_blocks) == 1
        and db.commit_on_exit  # it began the transaction: nothing ran before it
        and db.connection is not None
        and db.connection is _cache.connection
    )


def _catch_up_postgresql(raw: Any) -> None:
    if raw is not _cache.connection:
        with connection.cursor() as cursor:
            cursor.execute(f"LISTEN {CHANNEL}")
        # Notifications that arrive while psycopg reads a query's result go to its handlers.
        raw.add_notify_handler(_forget)
        _cache.connection = raw
        _forget()
    # Those that arrived while the connection was idle wait in the socket: read them now.
    raw.pgconn.consume_input()
    while raw.pgconn.notifies() is not None:
        _forget()


def _catch_up_sqlite(raw: Any) -> None:
    stamp = (raw.execute("PRAGMA data_version").fetchone()[0], raw.total_changes)
    if raw is not _cache.connection or stamp != _cache.sqlite_stamp:
        _cache.connection = raw
        _cache.sqlite_stamp = stamp
        _forget()


def _catch_up() -> None:
    """Empty this connection's cache if anything may have changed since it was filled."""
    if connection.vendor == "postgresql":
        _catch_up_postgresql(connection.connection)
    else:
        _catch_up_sqlite(connection.connection)


def cached(
    key: tuple[str, ...], load: Callable[[], Value | None], *, in_transaction: bool = False
) -> Value | None:
    """What load() returns for key, from this connection's cache when nothing has changed
    since it was read. Only found values are kept: a refusal is always read afresh.
    `in_transaction`: the caller runs inside a transaction it opened and that has not yet
    written to any table the cache covers (see the module docstring); inside any other
    transaction load() is simply called. A grant's key is (client_id, audience); every other
    kind of entry has a key of another length whose first element names the kind, so no two
    kinds can share a key, whatever a request sends."""
    if not _enabled(in_transaction):
        return load()
    try:
        _catch_up()
    except (psycopg.Error, sqlite3.Error, DatabaseError):
        # A broken connection: forget everything and let the query report the failure.
        _cache.connection = None
        _forget()
        return load()
    if key in _cache.entries:
        return _cache.entries[key]
    generation = _cache.generation
    value = load()
    # A notification read while loading may describe a change the load did not see.
    if value is not None and generation == _cache.generation:
        if len(_cache.entries) >= MAX_ENTRIES:
            _cache.entries.clear()
        _cache.entries[key] = value
    return value
