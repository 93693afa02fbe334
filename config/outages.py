"""Which failures mean "a dependency is unreachable right now" rather than a bug.

Such a request was fine and should simply be retried: it is answered 503 with Retry-After
(config/errors.py), never 500. Domain free, and imported by config/api.py and config/errors.py.
"""

import psycopg
import redis
from django.db import InterfaceError, OperationalError

# Django's wrappers of the driver's connection errors; psycopg's own, raised outside Django's
# cursor wrappers (LISTEN and the prepared grant lookup use the raw connection); Redis (the
# cache: rate-limit counters) refusing or timing out, or refusing writes for now (a replica
# after a failover, its memory limit reached); and socket-level failures to reach any other
# service.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    redis.ConnectionError,
    redis.TimeoutError,
    redis.exceptions.ReadOnlyError,
    redis.exceptions.OutOfMemoryError,
    ConnectionError,
    TimeoutError,
)


def is_unavailable(error: BaseException | None) -> bool:
    """Whether `error`, or an exception it was raised from, means a dependency is down."""
    for _ in range(5):  # a short `raise ... from` chain; never loops on a cycle
        if error is None:
            return False
        if isinstance(error, UNAVAILABLE_ERRORS):
            return True
        error = error.__cause__
    return False
