"""Where the rate-limit tests count: the embedded default (LocMemCache, per process) and the
real Redis server this machine runs (127.0.0.1:6379, database TEST_REDIS_DB, 8 unless set,
which only these tests use and which they empty before each test; .ci/run gives its two
side-by-side runs two databases). Without a reachable Redis the Redis half skips,
except under CI=true (set by .ci/run), where it fails: CI must not turn green without it."""

import os

import pytest
import redis
from django.core.cache import caches

# The applications tests' code-exchange and refresh-token fixtures: the per-client limit
# counts tokens issued, so its tests start refresh-token families over HTTP.
from tests.applications.conftest import (  # noqa: F401 - fixtures, found by name
    end_user,
    make_code,
    offline_api,
    refresher,
    spa,
    user_session,
    web_app,
)

REDIS_DB = os.environ.get("TEST_REDIS_DB", "8")
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
# A closed port: Redis "down" without stopping the server other engineers' tests share.
UNREACHABLE_REDIS_URL = f"redis://127.0.0.1:1/{REDIS_DB}"
BACKENDS = ("locmem", "redis")


def redis_cache(url: str) -> dict:
    """settings.CACHES as config/settings.py builds it for REDIS_URL=url."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def _require_redis() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError as error:
        reason = f"Redis at {REDIS_URL} is unreachable ({error})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}, and CI=true: the rate-limit tests must run on Redis")
        pytest.skip(reason)


@pytest.fixture(params=BACKENDS)
def backend(request, settings) -> str:
    """Each test runs once on the embedded default and once on Redis (database REDIS_DB)."""
    if request.param == "redis":
        _require_redis()
        settings.CACHES = redis_cache(REDIS_URL)
        redis.Redis.from_url(REDIS_URL).flushdb()
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        caches["default"].clear()
    return request.param


@pytest.fixture
def limits(set_limits, backend):
    """Sets the limits of one test, on each backend: limits(TOKEN_PER_CLIENT="3/3600", ...);
    the others off."""
    return set_limits


@pytest.fixture
def set_limits(settings):
    """Sets the limits of one test on the cache it has: set_limits(SIGN_IN_PER_IP="1/60")."""
    from config.rate_limits import parse_rate

    def set_limits(**rates: str) -> None:
        settings.RATE_LIMITS = {
            name: parse_rate(name, rates.get(name, "off"))
            for name in (
                "TOKEN_PER_CLIENT",
                "TOKEN_PER_IP",
                "MANAGEMENT_API_PER_TOKEN",
                "SIGN_IN_PER_IP",
            )
        }

    return set_limits
