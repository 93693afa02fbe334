"""Rate limits: fixed-window request counters in Django's cache, shared by every worker and
node when the cache is Redis (settings.REDIS_URL), per process otherwise (LocMemCache).

A limit is a `Rate` (at most `count` requests per `seconds`), read once from the environment
at startup (settings.RATE_LIMITS, through `parse_rate`). `hit()` counts one request against
one or more (limit, key) pairs and says which of them binds; `headers()` gives Auth0's
X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (Unix seconds, as Auth0's
"Rate Limit Policy" documents them and auth0-python's RateLimitError.reset_at reads them) and,
over the limit, Retry-After (RFC 9110 section 10.2.3, seconds; RFC 6585 section 4 for 429).

Windows are aligned to multiples of `seconds` since the Unix epoch, so every node agrees on
when one ends (as far as their clocks agree). What counts is the caller's choice: `hit()`
counts some limits and may only look at another (the token endpoint counts a client's
requests only once they succeed).

Cost on the hot path (/oauth/token): one cache round trip per `hit()`, whatever the number
of limits (the endpoint calls it once, and once more for a success: applications/endpoints.py).
On Redis the counters are raised in one pipeline of `SET key 0 EX ttl NX` and `INCR key` per
limit (and a GET for a limit only looked at): django-ratelimit's `get_usage()` would do
`add` then `incr`, and Django's RedisCache.incr is EXISTS then INCR, so three round trips per
limit per request.
Other backends (LocMemCache) use the cache API's `add` and `incr`.

An unreachable Redis raises redis' ConnectionError or TimeoutError, which config/outages.py
counts as "a dependency is down": the request is answered 503 with Retry-After.

Domain free (config/ imports no app outside its *urls.py modules).
"""

import dataclasses
import hashlib
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

# The cache (settings.CACHES) that holds the counters.
CACHE_ALIAS = "default"
# Seconds a counter outlives its window: a node whose clock runs a little behind still finds
# the counter of the window it thinks is current.
EXPIRY_SLACK_SECONDS = 2

# The limits' names: settings.RATE_LIMITS keys and environment variables RATE_LIMIT_<NAME>.
TOKEN_PER_CLIENT = "TOKEN_PER_CLIENT"
TOKEN_PER_IP = "TOKEN_PER_IP"
MANAGEMENT_API_PER_TOKEN = "MANAGEMENT_API_PER_TOKEN"
SIGN_IN_PER_IP = "SIGN_IN_PER_IP"

_RATE = re.compile(r"([0-9]{1,9})/([0-9]{1,9})")


@dataclass(frozen=True)
class Rate:
    """At most `count` requests in each window of `seconds`."""

    count: int
    seconds: int


def parse_rate(name: str, text: str) -> Rate | None:
    """The limit environment variable `name` holds: "count/seconds" (say "100/60": 100
    requests a minute), or "off" for none. ImproperlyConfigured, naming the variable and the
    expected form, for anything else (a zero count or window included): a typo must stop the
    process at startup, not silently leave an endpoint unlimited."""
    value = text.strip()
    if value.lower() == "off":
        return None
    match = _RATE.fullmatch(value)
    if match is None or int(match[1]) < 1 or int(match[2]) < 1:
        raise ImproperlyConfigured(
            f"{name} must be 'count/seconds' with positive whole numbers (say 100/60), "
            f"or 'off'; got {text!r}."
        )
    return Rate(int(match[1]), int(match[2]))


@dataclass(frozen=True)
class Usage:
    """Where a request stands against the limit that binds it: `limit` requests per window,
    `remaining` (never below 0) after this one, `reset` the Unix time (seconds) the window
    ends, and `exceeded` when this request is one too many. For a limit only looked at
    (`hit`'s `peek`): `remaining` before this request, and `exceeded` when the count has
    already reached the limit."""

    limit: int
    remaining: int
    reset: int
    exceeded: bool

    def retry_after(self) -> int:
        """Seconds until the window ends (at least 1)."""
        return max(1, self.reset - int(time.time()))


def headers(usage: Usage | None) -> dict[str, str]:
    """Auth0's X-RateLimit-* headers for `usage` (none when no limit applied), plus
    Retry-After when it was exceeded."""
    if usage is None:
        return {}
    fields = {
        "X-RateLimit-Limit": str(usage.limit),
        "X-RateLimit-Remaining": str(usage.remaining),
        "X-RateLimit-Reset": str(usage.reset),
    }
    if usage.exceeded:
        fields["Retry-After"] = str(usage.retry_after())
    return fields


def _counter_key(name: str, rate: Rate, window_start: int, key: str) -> str:
    # A digest: keys may be long, hold any character, or be secrets' digests already; the
    # cache key stays short and safe for every backend. The rate is part of it, so changing
    # a limit starts fresh counters rather than comparing old counts with a new window.
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"ratelimit:{name}:{rate.count}/{rate.seconds}:{window_start}:{digest}"


def _count(counters: list[tuple[str, int]], peeked: Sequence[str] = ()) -> list[int]:
    """Raise each counter (cache key, seconds to live) by one, and read each `peeked` key
    without raising it; their values, counters first (0 for a peeked key not yet set)."""
    cache = caches[CACHE_ALIAS]
    if isinstance(cache, RedisCache):
        # One round trip for all of them (see the module docstring). Django's RedisCache
        # writes to its first server (get_client(write=True)); keys are made and validated
        # as the cache API would, so KEY_PREFIX and VERSION apply.
        client = cache._cache.get_client(write=True)
        pipeline = client.pipeline(transaction=False)
        for key, ttl in counters:
            full_key = cache.make_and_validate_key(key)
            pipeline.set(full_key, 0, ex=ttl, nx=True)
            pipeline.incr(full_key)
        for key in peeked:
            pipeline.get(cache.make_and_validate_key(key))
        replies = pipeline.execute()
        raised = replies[1 : 2 * len(counters) : 2]
        return [int(value) for value in raised] + [
            int(value or 0) for value in replies[2 * len(counters) :]
        ]
    counts = []
    for key, ttl in counters:
        cache.add(key, 0, ttl)
        try:
            counts.append(cache.incr(key))
        except ValueError:  # expired between add and incr: this request opens a new window
            cache.add(key, 1, ttl)
            counts.append(1)
    return counts + [int(cache.get(key, 0)) for key in peeked]


def _window(name: str, key: str, second: int) -> tuple[Rate, int, str] | None:
    # The limit `name`'s rate, the end of its current window (Unix seconds) and the counter's
    # cache key for `key`; None when the limit is off.
    rate = settings.RATE_LIMITS.get(name)
    if rate is None:
        return None
    window_start = second - second % rate.seconds
    return rate, window_start + rate.seconds, _counter_key(name, rate, window_start, key)


def binding(*usages: Usage | None) -> Usage | None:
    """The Usage that binds among `usages` (None ones skipped): an exceeded one if any (the
    longest wait), else the one with the fewest requests left; None when there is none."""
    applied = [usage for usage in usages if usage is not None]
    if not applied:
        return None
    exceeded = [usage for usage in applied if usage.exceeded]
    if exceeded:
        return max(exceeded, key=lambda usage: usage.reset)
    return min(applied, key=lambda usage: usage.remaining)


def hit(
    *checks: tuple[str, str | None], peek: tuple[str, str | None] | None = None
) -> Usage | None:
    """Count one request against each (limit name, key) in `checks`, say a client id or an
    IP address; a None key or a limit that is off (settings.RATE_LIMITS) is skipped. `peek`,
    one more (limit name, key), is read without being counted: it is exceeded when its count
    has already reached the limit (this request would be one too many), and its `remaining`
    is what is left before this request. All in one cache round trip. Returns the binding
    Usage (see `binding`); None when no limit applied.

    Raises redis.exceptions.ConnectionError or TimeoutError when Redis cannot be reached."""
    second = int(time.time())
    counted = [
        window
        for name, key in checks
        if key is not None and (window := _window(name, key, second)) is not None
    ]
    peeked = None
    if peek is not None and peek[1] is not None:
        peeked = _window(peek[0], peek[1], second)
    if not counted and peeked is None:
        return None
    values = _count(
        [(key, reset - second + EXPIRY_SLACK_SECONDS) for _, reset, key in counted],
        [peeked[2]] if peeked is not None else [],
    )
    usages = [
        Usage(rate.count, max(0, rate.count - count), reset, exceeded=count > rate.count)
        for (rate, reset, _), count in zip(counted, values[: len(counted)], strict=True)
    ]
    if peeked is not None:
        rate, reset, _ = peeked
        count = values[-1]
        usages.append(
            Usage(rate.count, max(0, rate.count - count), reset, exceeded=count >= rate.count)
        )
    return binding(*usages)


def count_success(check: tuple[str, str | None], before: Usage | None) -> Usage | None:
    """Count a request that has already succeeded against (limit name, key) `check`, whose
    count `hit` only looked at before (its `peek`); the binding Usage of this and `before`,
    for the answer's headers, never exceeded: the request is done, and a count that
    concurrent successes pushed past the limit only refuses the next one (so a limit can be
    overshot by about the number of requests in flight).

    Never raises: if the cache fails now, the success stands and `before` is returned (a
    refusal at this point would lose what the request did, say a refresh token that has
    already rotated), with a warning in the log."""
    try:
        after = hit(check)
    except redis.RedisError:  # unreachable, or read-only after a failover, or any other
        logger.warning("rate limit: cache unavailable, a success not counted (%s)", check[0])
        return before
    if after is not None:
        after = dataclasses.replace(after, exceeded=False)
    return binding(before, after)
