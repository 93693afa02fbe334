"""/oauth/token and /oauth/revoke per client and per IP (issue 12 section 2), on the embedded
cache and on Redis: Auth0's X-RateLimit-* headers on every answer, 429 too_many_requests with
Retry-After past the limit, an api_limit log event, and counters that start again. The
per-client limit counts only what succeeded for the client, so that nobody who merely knows
a client id can use it up."""

import json
import os
import subprocess
import sys
import time

import pytest
import redis

from applications import clients
from logs.models import LogEvent
from tests.applications.conftest import rotating
from tests.conftest import ROOT, basic_header
from tests.ratelimits.conftest import REDIS_URL, redis_cache

TOO_MANY = {
    "error": "too_many_requests",
    "error_description": "Rate limit exceeded. Retry after the time in the Retry-After header.",
}


def token_params(client) -> dict:
    return {
        "grant_type": "client_credentials",
        "client_id": client.client_id,
        "client_secret": client.secret,
        "audience": "https://orders.example/api",
    }


def post(http, params, *, ip="127.0.0.1", path="/oauth/token", **headers):
    return http.post(
        path,
        json.dumps(params),
        content_type="application/json",
        REMOTE_ADDR=ip,
        headers=headers,
    )


def rate_headers(response) -> tuple[int, int, int]:
    return (
        int(response["X-RateLimit-Limit"]),
        int(response["X-RateLimit-Remaining"]),
        int(response["X-RateLimit-Reset"]),
    )


def test_every_answer_carries_the_headers_and_the_count_goes_down(client, granted_client, limits):
    limits(TOKEN_PER_CLIENT="5/3600", TOKEN_PER_IP="100/3600")
    before = int(time.time())

    ok = post(client, token_params(granted_client))
    wrong_secret = post(client, {**token_params(granted_client), "client_secret": "x" * 43})
    no_grant_type = post(client, {"client_id": granted_client.client_id})
    ok_again = post(client, token_params(granted_client))

    assert ok.status_code == 200, ok.content
    assert wrong_secret.status_code == 401
    assert no_grant_type.status_code == 400
    assert ok_again.status_code == 200
    limit, remaining, reset = rate_headers(ok)
    # The binding limit is the client's (fewer left than the IP's); the window is the hour.
    assert (limit, remaining) == (5, 4)
    assert reset % 3600 == 0 and before < reset <= before + 3600
    # Refusals are not counted against the client: what it has left is unchanged ...
    assert rate_headers(wrong_secret) == (5, 4, reset)
    assert rate_headers(no_grant_type) == (5, 4, reset)
    # ... and the next token is its second.
    assert rate_headers(ok_again) == (5, 3, reset)
    assert "Retry-After" not in ok


def test_requests_anyone_can_send_never_use_up_a_clients_limit(client, granted_client, limits):
    limits(TOKEN_PER_CLIENT="2/3600", TOKEN_PER_IP="100/3600")
    # Someone who knows only the client's id, from many addresses: wrong secrets, and
    # revocations of tokens that do not exist.
    for n in range(6):
        ip = f"198.51.100.{n}"
        guessed = post(client, {**token_params(granted_client), "client_secret": "x" * 43}, ip=ip)
        assert guessed.status_code == 401
        revoked = post(
            client,
            {**token_params(granted_client), "token": f"made-up-{n}"},
            ip=ip,
            path="/oauth/revoke",
        )
        assert revoked.status_code == 200

    # The client itself still gets its two tokens, then is refused.
    answers = [post(client, token_params(granted_client)) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]


def test_made_up_refresh_tokens_never_use_up_a_public_clients_limit(client, spa, refresher, limits):
    limits(TOKEN_PER_CLIENT="2/3600", TOKEN_PER_IP="100/3600")
    # A single-page application's client id is public, and it has no secret.
    refused = [refresher.refresh(spa, f"made-up-{n}") for n in range(5)]
    started = refresher.start(spa)  # a code exchange: the client's first token

    refreshed = refresher.refresh(spa, started["refresh_token"])
    over = refresher.refresh(spa, started["refresh_token"])

    assert {answer.status_code for answer in refused} == {403}
    assert [rate_headers(answer)[:2] for answer in refused] == [(2, 2)] * 5
    assert refreshed.status_code == 200, refreshed.content
    assert rate_headers(refreshed)[:2] == (2, 0)
    assert over.status_code == 429
    assert over.json() == TOO_MANY


def test_a_body_that_names_no_client_counts_against_the_ip(client, db, limits):
    limits(TOKEN_PER_CLIENT="5/3600", TOKEN_PER_IP="2/3600")

    answers = [client.post("/oauth/token", "%%%", content_type="text/plain") for _ in range(3)]
    wrong_method = client.get("/oauth/token")

    assert [a.status_code for a in answers] == [400, 400, 429]
    assert [rate_headers(a)[:2] for a in answers] == [(2, 1), (2, 0), (2, 0)]
    assert wrong_method.status_code == 429


def test_past_the_client_limit_429_with_retry_after_and_a_log_event(client, granted_client, limits):
    limits(TOKEN_PER_CLIENT="3/3600", TOKEN_PER_IP="100/3600")

    answers = [post(client, token_params(granted_client)) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json() == TOO_MANY
    assert refused["Cache-Control"] == "no-store"
    limit, remaining, reset = rate_headers(refused)
    assert (limit, remaining) == (3, 0)
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert abs(int(refused["Retry-After"]) - (reset - time.time())) < 5
    event = LogEvent.objects.get(type="api_limit")
    assert event.client_id == granted_client.client_id
    assert event.ip == "127.0.0.1"
    assert event.description == "Rate limit exceeded on /oauth/token"
    # Nothing of the request's secrets in the event.
    stored = json.dumps(
        [event.description, event.details, event.user_agent, event.client_name], default=str
    )
    assert granted_client.secret not in stored


def test_the_limit_is_per_client_and_per_ip(client, granted_client, orders_api, limits):
    limits(TOKEN_PER_CLIENT="2/3600", TOKEN_PER_IP="4/3600")
    other, other_secret = clients.create_application(name="Other worker")
    clients.authorize(other, orders_api, ["read:orders"])
    other_params = {**token_params(granted_client), "client_id": other.client_id}
    other_params["client_secret"] = other_secret

    mine = [post(client, token_params(granted_client)) for _ in range(3)]
    # Another client from the same address has its own per-client count...
    theirs = [post(client, other_params) for _ in range(2)]
    # ... and the address has now used 5 of 4: even a new client is refused from it.
    third, _ = clients.create_application(name="Third")
    from_here = post(client, {**token_params(granted_client), "client_id": third.client_id})
    # From another address, my client is still over its own limit; the other is not.
    mine_elsewhere = post(client, token_params(granted_client), ip="192.0.2.7")

    assert [a.status_code for a in mine] == [200, 200, 429]
    assert [a.status_code for a in theirs] == [200, 429]
    assert rate_headers(theirs[0])[:2] == (4, 0)  # the IP's count binds: 4 of 4 used
    assert from_here.status_code == 429
    assert mine_elsewhere.status_code == 429
    assert rate_headers(mine_elsewhere)[:2] == (2, 0)


def test_the_client_id_of_a_basic_header_is_the_one_counted(client, granted_client, limits):
    limits(TOKEN_PER_CLIENT="1/3600", TOKEN_PER_IP="100/3600")
    params = token_params(granted_client)
    authorization = basic_header(params.pop("client_id"), params.pop("client_secret"))

    first = post(client, params, Authorization=authorization)
    in_body = post(client, token_params(granted_client))

    assert first.status_code == 200, first.content
    assert in_body.status_code == 429


def test_revocation_shares_the_counters(client, web_app, refresher, limits):
    limits(TOKEN_PER_CLIENT="3/3600", TOKEN_PER_IP="100/3600")
    started = refresher.start(web_app)  # the client's first token
    revoke = {
        "client_id": web_app.client_id,
        "client_secret": web_app.secret,
        "token": started["refresh_token"],
    }

    unknown = post(client, {**revoke, "token": "not-a-token"}, path="/oauth/revoke")
    revoked = post(client, revoke, path="/oauth/revoke")  # the second
    # Revoking it again revokes nothing: whoever once held the token could repeat it forever.
    again = [post(client, revoke, path="/oauth/revoke") for _ in range(3)]
    restarted = refresher.start(web_app)  # the third
    refused = post(client, revoke, path="/oauth/revoke")

    assert unknown.status_code == 200 and unknown.content == b""
    assert rate_headers(unknown)[:2] == (3, 2)  # an unknown token is not counted
    assert revoked.status_code == 200 and revoked.content == b""
    assert rate_headers(revoked)[:2] == (3, 1)
    assert [(a.status_code, rate_headers(a)[:2]) for a in again] == [(200, (3, 1))] * 3
    assert "refresh_token" in restarted
    assert refused.status_code == 429
    assert refused.json() == TOO_MANY
    assert int(refused["Retry-After"]) > 0


def test_a_success_never_says_retry_after(client, granted_client, limits):
    from config import rate_limits

    limits(TOKEN_PER_CLIENT="1/3600", TOKEN_PER_IP="100/3600")
    check = (rate_limits.TOKEN_PER_CLIENT, granted_client.client_id)
    before = rate_limits.hit(peek=check)  # what the endpoint sees before the exchange
    rate_limits.hit(check)  # another request's success, counted meanwhile

    after = rate_limits.count_success(check, before)
    refused = post(client, token_params(granted_client))

    assert before is not None and not before.exceeded
    # Two successes in a window of one: the limit is overshot by the request in flight,
    # but the one that succeeded is not told to retry; the next one is refused.
    assert after is not None
    assert (after.limit, after.remaining, after.exceeded) == (1, 0, False)
    assert refused.status_code == 429


def test_counting_starts_again_in_the_next_window(client, granted_client, limits):
    limits(TOKEN_PER_CLIENT="1/1")
    deadline = time.monotonic() + 10
    # One-second windows: keep asking until one is refused (two requests in one window) ...
    while post(client, token_params(granted_client)).status_code != 429:
        assert time.monotonic() < deadline, "never refused"
    # ... and then until the next window lets one through again.
    while (answer := post(client, token_params(granted_client))).status_code == 429:
        assert time.monotonic() < deadline, "the window never ended"
        time.sleep(0.05)

    assert answer.status_code == 200
    assert rate_headers(answer)[:2] == (1, 0)


def test_limits_that_are_off_send_no_headers(client, granted_client, limits):
    limits()  # all off

    answers = [post(client, token_params(granted_client)) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert not any(name.startswith("X-RateLimit") for name in answers[0].headers)


def test_a_registered_origin_can_read_the_429(client, limits, backend, tenant):
    from applications.models import AppType

    spa, _ = clients.create_application(name="SPA", app_type=AppType.SPA)
    spa.callbacks = ["https://spa.example/callback"]
    spa.save()
    # The address's limit: a made-up code is not counted against the client.
    limits(TOKEN_PER_CLIENT="1/3600", TOKEN_PER_IP="1/3600")
    params = {"grant_type": "authorization_code", "client_id": spa.client_id, "code": "x"}

    post(client, params, Origin="https://spa.example")
    refused = post(client, params, Origin="https://spa.example")

    assert refused.status_code == 429
    assert refused["Access-Control-Allow-Origin"] == "https://spa.example"
    exposed = {name.strip() for name in refused["Access-Control-Expose-Headers"].split(",")}
    assert {"Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= (
        exposed
    )


SUBPROCESS_REQUESTS = """
from django.test import Client
for _ in range(2):
    answer = Client().post("/oauth/token", "%%%", content_type="text/plain")
    print(answer.status_code, answer["X-RateLimit-Remaining"])
"""


def test_another_process_with_the_same_redis_url_shares_the_counts(client, db, limits, backend):
    if backend != "redis":
        pytest.skip("LocMemCache counts per process by design (README, Rate limits)")
    limits(TOKEN_PER_IP="3/3600")
    environment = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "RATE_LIMIT_TOKEN_PER_IP": "3/3600",
        "ALLOWED_HOSTS": "testserver",
        "PYTHONWARNINGS": "ignore",
    }
    other = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", SUBPROCESS_REQUESTS],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    here = [client.post("/oauth/token", "%%%", content_type="text/plain") for _ in range(2)]

    assert other.returncode == 0, other.stderr
    assert other.stdout.split() == ["400", "2", "400", "1"]
    assert [a.status_code for a in here] == [400, 429]
    assert rate_headers(here[0])[:2] == (3, 0)


class CountingConnection(redis.connection.Connection):
    """redis-py's connection, counting what it sends: one send is one round trip (a
    pipeline sends all its commands at once)."""

    sent = 0

    def send_packed_command(self, command, check_health=True):
        type(self).sent += 1
        return super().send_packed_command(command, check_health)


def test_a_refusal_costs_one_redis_round_trip_and_a_token_two(
    client, granted_client, limits, backend, settings
):
    if backend != "redis":
        pytest.skip("only Redis has round trips")
    settings.CACHES = redis_cache(REDIS_URL)
    settings.CACHES["default"]["OPTIONS"]["connection_class"] = CountingConnection
    limits(TOKEN_PER_CLIENT="100/3600", TOKEN_PER_IP="100/3600")
    CountingConnection.sent = 0
    post(client, token_params(granted_client))  # connects (the handshake sends too)
    assert CountingConnection.sent > 1  # the counting connection is the one in use
    CountingConnection.sent = 0

    answer = post(client, token_params(granted_client))
    sent_for_a_token = CountingConnection.sent
    CountingConnection.sent = 0
    refused = post(client, {**token_params(granted_client), "client_secret": "x" * 43})

    assert answer.status_code == 200
    assert rate_headers(answer)[:2] == (100, 98)  # both limits counted ...
    # ... in two round trips: the IP's count with a look at the client's, then the client's
    # count once the token is issued.
    assert sent_for_a_token == 2
    assert refused.status_code == 401
    assert rate_headers(refused)[:2] == (100, 97)  # the IP's third request binds
    assert CountingConnection.sent == 1


class SecondSendFails(redis.connection.Connection):
    """redis-py's connection, failing its second send with `error` after `armed` is set:
    Redis lost (or turned read-only by a failover) between a request's two round trips."""

    armed = False
    sent = 0
    error: redis.RedisError = redis.ConnectionError("Redis lost between the two round trips")

    def send_packed_command(self, command, check_health=True):
        if type(self).armed:
            type(self).sent += 1
            if type(self).sent == 2:
                raise type(self).error
        return super().send_packed_command(command, check_health)


@pytest.mark.parametrize(
    "error",
    [
        redis.ConnectionError("Redis lost between the two round trips"),
        redis.ReadOnlyError("You can't write against a read only replica."),
    ],
    ids=["lost", "read-only"],
)
def test_redis_failing_after_the_token_is_issued_keeps_the_token(
    client, web_app, refresher, limits, backend, settings, caplog, error
):
    if backend != "redis":
        pytest.skip("only Redis has round trips")
    SecondSendFails.error = error
    SecondSendFails.sent = 0
    settings.CACHES = redis_cache(REDIS_URL)
    settings.CACHES["default"]["OPTIONS"]["connection_class"] = SecondSendFails
    limits(TOKEN_PER_CLIENT="100/3600", TOKEN_PER_IP="100/3600")
    rotating(web_app.application)
    started = refresher.start(web_app)
    SecondSendFails.armed = True
    try:
        refreshed = refresher.refresh(web_app, started["refresh_token"])
    finally:
        SecondSendFails.armed = False

    # The refresh token has rotated: a 503 would lose the only copy of the next one.
    assert SecondSendFails.sent == 2  # the second round trip did fail
    assert refreshed.status_code == 200, refreshed.content
    following = refresher.refresh(web_app, refreshed.json()["refresh_token"])
    assert following.status_code == 200, following.content
    assert "rate limit: cache unavailable, a success not counted" in caplog.text
