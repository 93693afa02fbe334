"""Redis down (REDIS_URL pointing at a closed port) makes the limited endpoints answer 503
with Retry-After in their own shape, never 500, while unlimited ones keep working; and the
limit settings are checked when the process starts."""

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
import redis

from tests.applications.front_channel import authorize_url, hidden, location
from tests.applications.front_channel_fixtures import *  # noqa: F403
from tests.conftest import ROOT
from tests.management_api.conftest import Mgmt, management_token
from tests.ratelimits.conftest import UNREACHABLE_REDIS_URL, redis_cache


@pytest.fixture
def redis_down(settings, set_limits):
    set_limits(
        TOKEN_PER_CLIENT="10/60",
        TOKEN_PER_IP="10/60",
        MANAGEMENT_API_PER_TOKEN="10/60",
        SIGN_IN_PER_IP="10/60",
    )

    def go_down() -> None:
        settings.CACHES = redis_cache(UNREACHABLE_REDIS_URL)

    return go_down


def test_the_token_endpoint_answers_503(client, granted_client, redis_down, caplog):
    redis_down()
    params = {
        "grant_type": "client_credentials",
        "client_id": granted_client.client_id,
        "client_secret": granted_client.secret,
        "audience": "https://orders.example/api",
    }

    with caplog.at_level(logging.WARNING):
        response = client.post("/oauth/token", json.dumps(params), content_type="application/json")

    assert response.status_code == 503
    assert response.json() == {
        "error": "temporarily_unavailable",
        "error_description": "The service is temporarily unavailable. Retry later.",
    }
    assert response["Retry-After"] == "5"
    assert "POST /oauth/token: dependency unavailable" in caplog.text
    assert granted_client.secret not in caplog.text


def test_the_management_api_answers_503(client, tenant, redis_down):
    mgmt = Mgmt(client, management_token(tenant, ["read:resource_servers"]))
    redis_down()

    response = mgmt.get("/resource-servers")

    assert response.status_code == 503
    assert response.json() == {
        "statusCode": 503,
        "error": "Service Unavailable",
        "message": "The service is temporarily unavailable. Retry later.",
        "errorCode": "temporarily_unavailable",
    }
    assert response["Retry-After"] == "5"


def test_sign_in_answers_503_and_unlimited_endpoints_keep_working(
    client, web_app, end_user, redis_down
):
    page = client.get(location(client.get(authorize_url(web_app))))
    redis_down()

    attempt = client.post(
        "/u/login",
        {"state": hidden(page, "state"), "username": "ada@example.com", "password": "x"},
    )
    jwks = client.get("/.well-known/jwks.json")
    form = client.get(location(client.get(authorize_url(web_app))))

    assert attempt.status_code == 503
    assert attempt["Retry-After"] == "5"
    assert jwks.status_code == 200
    assert form.status_code == 200


def run_check(**environment: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **environment}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("value", ["ten/60", "10/0", "0/60", "10", "10/60s", "-1/60"])
def test_a_bad_limit_stops_the_process_with_a_clear_message(value):
    result = run_check(RATE_LIMIT_SIGN_IN_PER_IP=value)

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (
        "django.core.exceptions.ImproperlyConfigured: RATE_LIMIT_SIGN_IN_PER_IP must be "
        "'count/seconds' with positive whole numbers (say 100/60), or 'off'; "
        f"got {value!r}."
    )


def test_good_limits_and_off_start():
    result = run_check(RATE_LIMIT_TOKEN_PER_IP="50/10", RATE_LIMIT_SIGN_IN_PER_IP="off")

    assert result.returncode == 0, result.stderr


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own on a free port, to stop while in use."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            tmp_path,
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield server, url
    server.terminate()
    server.wait(timeout=10)


def _limited_token_request(url: str, granted_client, set_limits, settings) -> str:
    """Counts on the Redis at `url`; the JSON body of a client-credentials request."""
    settings.CACHES = redis_cache(url)
    set_limits(TOKEN_PER_CLIENT="10/60", TOKEN_PER_IP="10/60")
    return json.dumps(
        {
            "grant_type": "client_credentials",
            "client_id": granted_client.client_id,
            "client_secret": granted_client.secret,
            "audience": "https://orders.example/api",
        }
    )


def test_redis_stopped_while_in_use(client, granted_client, set_limits, settings, own_redis):
    server, url = own_redis
    params = _limited_token_request(url, granted_client, set_limits, settings)
    before = client.post("/oauth/token", params, content_type="application/json")
    server.terminate()
    server.wait(timeout=10)

    during = client.post("/oauth/token", params, content_type="application/json")

    assert before.status_code == 200
    assert before["X-RateLimit-Remaining"] == "9"
    assert during.status_code == 503  # the pool's open connection is dead: not a 500
    assert during["Retry-After"] == "5"
    assert during.json()["error"] == "temporarily_unavailable"


@pytest.mark.parametrize(
    "refusal",
    [
        # A replica (after a failover, say): "READONLY You can't write against a read only
        # replica". The master named is never reached; the replica stays read-only.
        ("REPLICAOF", "127.0.0.1", "1"),
        # Its memory limit reached without eviction: "OOM command not allowed".
        ("CONFIG", "SET", "maxmemory", "1"),
    ],
)
def test_redis_refusing_writes_is_503(
    client, granted_client, set_limits, settings, own_redis, refusal
):
    _, url = own_redis
    params = _limited_token_request(url, granted_client, set_limits, settings)
    server = redis.Redis.from_url(url)
    server.config_set("maxmemory-policy", "noeviction")
    server.execute_command(*refusal)

    response = client.post("/oauth/token", params, content_type="application/json")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"] == "temporarily_unavailable"
