"""The Management API per access token and end-user sign-in per IP (issue 12 section 2), on
the embedded cache and on Redis."""

import time

from logs.models import LogEvent
from tests.applications.front_channel import authorize_url, hidden, location, text
from tests.applications.front_channel_fixtures import *  # noqa: F403
from tests.management_api.conftest import Mgmt, management_token
from users import session_cookie
from users.models import Session

MANAGEMENT_429 = {
    "statusCode": 429,
    "error": "Too Many Requests",
    "message": "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and "
    "X-RateLimit-Reset headers.",
    "errorCode": "too_many_requests",
}


def rate_headers(response) -> tuple[int, int, int]:
    return (
        int(response["X-RateLimit-Limit"]),
        int(response["X-RateLimit-Remaining"]),
        int(response["X-RateLimit-Reset"]),
    )


def test_the_management_api_counts_per_token(client, tenant, limits):
    limits(MANAGEMENT_API_PER_TOKEN="3/3600")
    mgmt = Mgmt(client, management_token(tenant, ["read:resource_servers"]))
    other = Mgmt(client, management_token(tenant, ["read:resource_servers"], name="Other"))

    answers = [
        mgmt.get("/resource-servers"),
        mgmt.get("/clients"),  # 403: this token lacks read:clients, and still counts
        mgmt.get("/resource-servers/nope"),  # 404
        mgmt.get("/resource-servers"),
    ]
    another_token = other.get("/resource-servers")

    assert [a.status_code for a in answers] == [200, 403, 404, 429]
    assert [rate_headers(a)[:2] for a in answers] == [(3, 2), (3, 1), (3, 0), (3, 0)]
    refused = answers[-1]
    assert refused.json() == MANAGEMENT_429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert abs(int(refused["Retry-After"]) - (rate_headers(refused)[2] - time.time())) < 5
    assert another_token.status_code == 200
    assert rate_headers(another_token)[:2] == (3, 2)
    event = LogEvent.objects.get(type="api_limit")
    assert event.description == "Rate limit exceeded on the Management API (GET)"
    assert mgmt.token not in str(event.details) and mgmt.token not in event.description


def test_a_request_without_a_valid_token_is_not_counted(client, tenant, limits):
    limits(MANAGEMENT_API_PER_TOKEN="1/3600")
    mgmt = Mgmt(client, "not-a-token")

    answers = [mgmt.get("/resource-servers") for _ in range(3)]

    assert [a.status_code for a in answers] == [401, 401, 401]
    assert "X-RateLimit-Limit" not in answers[0]


def start_sign_in(client, web_app) -> str:
    """The state of a fresh sign-in page for `web_app`."""
    page = client.get(location(client.get(authorize_url(web_app))))
    assert page.status_code == 200, text(page)
    return hidden(page, "state")


def test_sign_in_attempts_are_counted_per_ip(client, web_app, end_user, limits):
    limits(SIGN_IN_PER_IP="2/3600")
    state = start_sign_in(client, web_app)
    attempt = {"state": state, "username": "ada@example.com", "password": "wrong"}

    answers = [client.post("/u/login", attempt) for _ in range(3)]
    elsewhere = client.post("/u/login", attempt, REMOTE_ADDR="192.0.2.9")
    form = client.get("/u/login", {"state": state})

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [rate_headers(a)[:2] for a in answers] == [(2, 1), (2, 0), (2, 0)]
    refused = answers[-1]
    assert refused["Content-Type"].startswith("text/html")
    retry_after = int(refused["Retry-After"])
    assert 0 < retry_after <= 3600
    assert "Too many sign-in attempts" in text(refused)
    assert f"Wait {retry_after} seconds" in text(refused)
    assert "wrong" not in refused.content.decode()
    # Another address has its own count; showing the form is not an attempt.
    assert elsewhere.status_code == 200
    assert rate_headers(elsewhere)[:2] == (2, 1)
    assert form.status_code == 200
    assert "X-RateLimit-Limit" not in form
    event = LogEvent.objects.get(type="api_limit")
    assert event.description == "Rate limit exceeded on sign-in (/u/login)"
    assert event.ip == "127.0.0.1"


def test_a_refused_sign_in_never_checks_the_password(client, web_app, end_user, limits):
    limits(SIGN_IN_PER_IP="1/3600")
    state = start_sign_in(client, web_app)
    client.post("/u/login", {"state": state, "username": "ada@example.com", "password": "x"})

    right_password = client.post(
        "/u/login", {"state": state, "username": "ada@example.com", "password": "Correct-Horse-9"}
    )

    assert right_password.status_code == 429
    assert session_cookie.COOKIE_NAME not in right_password.cookies
    assert not Session.objects.exists()
