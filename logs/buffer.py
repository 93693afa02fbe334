"""The process's buffer of log events from hot paths (logs/events.py `enqueue`).

A daemon thread writes what has gathered every settings.LOG_EVENTS_FLUSH_SECONDS (1 s by
default) in one bulk INSERT, on its own database connection, so a token request pays for
building an event and appending it to a list, never for a round trip. What a crash can lose:
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
import os
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connection

from logs.models import LogEvent

logger = logging.getLogger(__name__)

MAX_PENDING = 50_000
BATCH_SIZE = 1_000

_lock = threading.Lock()
_pending: list[LogEvent] = []
_writer_pid: int | None = None


def add(log_event: LogEvent) -> None:
    """Queues `log_event` (or writes it now when flushing is off)."""
    if settings.LOG_EVENTS_FLUSH_SECONDS <= 0:
        log_event.save(force_insert=True)
        return
    with _lock:
        _pending.append(log_event)
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
        LogEvent.objects.bulk_create(batch, batch_size=BATCH_SIZE)
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
