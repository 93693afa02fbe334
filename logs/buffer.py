"""The process's buffer of log events from hot paths (logs/events.py `enqueue`).

A daemon thread writes what has gathered every settings.LOG_EVENTS_FLUSH_SECONDS (1 s by
default) in one transaction of batched INSERTs, on its own database connection, so a token
request pays for building an event's values (a dict, logs/events.py `values`) and appending
it to a list, never for a round trip. The INSERT is written here from LogEvent's columns and
executed with the driver's executemany, not with bulk_create: the writer shares its
process (and the GIL) with the requests, and bulk_create's per-field conversion of model
instances cost about 140 us an event there, against about 15 us of this process's CPU for
executemany over ready rows (measured in-process, SQLite and PostgreSQL). On PostgreSQL a
batch goes through COPY instead: about 9 us of wall time and 3.5 us of this process's CPU an
event, against 35 and 19 for executemany (measured 2026-11-30, 20,000 client-credentials
events; PostgreSQL's own work per row shrinks as much). What a crash can lose:
the events of the last flush interval of the process that died (SIGKILL, power loss); a
normal exit (SIGTERM, gunicorn's graceful stop) writes them first (atexit). A database that
is down loses the batch, with a warning in the server log, and never fails a request. At most
MAX_PENDING events wait; beyond that the oldest are dropped, with a warning, so a long outage
cannot exhaust memory.

With LOG_EVENTS_FLUSH_SECONDS = 0 (the test settings) every event is written at once on the
caller's connection, so a test sees it as soon as the request returns.
"""

import atexit
import logging
import operator
import os
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from logs.models import LogEvent

logger = logging.getLogger(__name__)

MAX_PENDING = 50_000
BATCH_SIZE = 1_000

_lock = threading.Lock()
_pending: list[dict[str, Any]] = []
_writer_pid: int | None = None


@cache
def _insert_sql() -> tuple[str, Callable[[dict[str, Any]], Any], int, int]:
    """The INSERT of one event, a getter of its values in the INSERT's column order, and
    the places of the two values that need the backend's adaptation (date and details)."""
    fields = LogEvent._meta.concrete_fields
    names = [field.attname for field in fields]
    columns = ", ".join(connection.ops.quote_name(field.column or field.name) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(LogEvent._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    return sql, operator.itemgetter(*names), names.index("date"), names.index("details")


def _insert(batch: list[dict[str, Any]]) -> None:
    """Writes events (logs/events.py `values`) on this thread's connection, several in one
    transaction."""
    sql, getter, date_at, details_at = _insert_sql()
    ops = connection.ops
    rows = []
    for event in batch:
        row = list(getter(event))
        row[date_at] = ops.adapt_datetimefield_value(row[date_at])
        row[details_at] = ops.adapt_json_value(row[details_at], None)
        rows.append(row)
    if len(rows) == 1:  # written at once: one statement, in the caller's transaction
        with connection.cursor() as cursor:
            cursor.execute(sql, rows[0])
        return
    if connection.vendor == "postgresql":
        _copy(rows)
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, rows[start : start + BATCH_SIZE])


def _copy(rows: list[list[Any]]) -> None:
    """PostgreSQL: the rows (in _insert_sql's column order, already adapted) through one
    COPY, in one transaction."""
    sql = _insert_sql()[0]
    columns = sql[sql.index("(") + 1 : sql.index(")")]
    table = connection.ops.quote_name(LogEvent._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        # psycopg's own cursor: Django's wrapper has no copy().
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def add(event: dict[str, Any]) -> None:
    """Queues one event's values (logs/events.py `values`), or writes it now, on the
    caller's connection and in its transaction, when flushing is off."""
    if settings.LOG_EVENTS_FLUSH_SECONDS <= 0:
        _insert([event])
        return
    with _lock:
        _pending.append(event)
        if len(_pending) > MAX_PENDING:
            dropped = len(_pending) - MAX_PENDING
            del _pending[:dropped]
            logger.warning("log buffer full: %d oldest log events dropped", dropped)
    _ensure_writer()


def pending() -> int:
    """How many events wait in this process."""
    with _lock:
        return len(_pending)


def flush() -> int:
    """Writes every waiting event in this process now; returns how many were written (0
    when the database refused them: they are dropped, with a warning)."""
    with _lock:
        batch = list(_pending)
        _pending.clear()
    if not batch:
        return 0
    try:
        _insert(batch)
    except DatabaseError:
        logger.warning("%d log events lost: the database refused them", len(batch), exc_info=True)
        connection.close()
        return 0
    return len(batch)


def _ensure_writer() -> None:
    # Started lazily, once per process (after gunicorn's fork, never in its master).
    global _writer_pid
    pid = os.getpid()
    if _writer_pid == pid:
        return
    with _lock:
        if _writer_pid == pid:
            return
        _writer_pid = pid
    threading.Thread(target=_write_forever, name="gatehouse-log-writer", daemon=True).start()


def _write_forever() -> None:
    while True:
        time.sleep(settings.LOG_EVENTS_FLUSH_SECONDS)
        try:
            flush()
        except Exception:  # the writer must outlive any one failure
            logger.exception("log writer failed; retrying at the next interval")


def install_exit_flush() -> None:
    """Writes the waiting events when the process exits normally."""
    atexit.register(_flush_at_exit)


def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:  # noqa: S110 - at exit there is nobody left to tell but the log
        logger.warning("log events lost at exit", exc_info=True)
