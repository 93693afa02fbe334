"""Issue 12 section 4: a change made through node A is enforced by node B. Two gunicorn
servers over one PostgreSQL database and one Redis (cluster.py); everything through real
HTTP, as a client, an operator (Management API) and a person at a browser would do it.

Grant changes, revoked refresh tokens and blocked users are read from the database (or a
cache the database invalidates) on every request, so B enforces them at its next request.
The signing key is re-read by each process at most every 3 seconds, the documented bound
within which B signs with, and publishes, what a rotation through A made.
"""

import time
from collections.abc import Callable
from itertools import count

import jwt
import pytest
import requests

from tests.e2e.end_user import PASSWORD, Person, SignInFailed

from .cluster import (
    AUDIENCE,
    CALLBACK,
    TIMEOUT,
    Cluster,
    Mgmt,
    Node,
    authorize_url,
    redeem,
    refresh,
    token_request,
    user_path,
)

# The README's bound ("Running more than one node"): each process re-reads the current key
# and the JWKS at most every 3 s (keys/signing.py, CURRENT_KEY_RECHECK_SECONDS). Written here,
# not imported, so the test holds the code to the documented promise. The deadline adds
# generous slack for a loaded machine: a deadline to wait for, never a timed assertion.
DOCUMENTED_KEY_BOUND_SECONDS = 3.0
KEY_DEADLINE_SECONDS = DOCUMENTED_KEY_BOUND_SECONDS + 30

_serial = count()


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.2)


def verify(cluster: Cluster, node: Node, token: str, audience: str) -> dict:
    """Verifies a JWT as an API does, with the key `node` publishes: RS256 pinned; iss, aud,
    exp and iat required."""
    jwks = jwt.PyJWKClient(f"{node.url}/.well-known/jwks.json", cache_jwk_set=False)
    return jwt.decode(
        token,
        jwks.get_signing_key_from_jwt(token).key,
        algorithms=["RS256"],
        audience=audience,
        issuer=cluster.public_url + "/",
        options={"require": ["iss", "aud", "exp", "iat"]},
    )


@pytest.fixture(scope="module")
def inventory(cluster: Cluster) -> dict:
    """An RS256 API that allows refresh tokens, created through node A."""
    return cluster.mgmt(cluster.a).ok(
        "POST",
        "/resource-servers",
        {
            "name": "Inventory",
            "identifier": AUDIENCE,
            "scopes": [{"value": "read:stock"}, {"value": "write:stock"}],
            "allow_offline_access": True,
        },
        status=201,
    )


@pytest.fixture(scope="module")
def web(cluster: Cluster, inventory) -> dict:
    """A regular web application (a confidential client with the refresh grant), via A."""
    created = cluster.mgmt(cluster.a).ok(
        "POST",
        "/clients",
        {"name": "Shop", "app_type": "regular_web", "callbacks": [CALLBACK]},
        status=201,
    )
    cluster.secrets.append(created["client_secret"])
    return created


def worker(cluster: Cluster, mgmt: Mgmt, scopes: list[str]) -> tuple[dict, dict]:
    """A machine-to-machine client and its grant for the inventory API, made through `mgmt`."""
    client = mgmt.ok(
        "POST", "/clients", {"name": f"Worker {next(_serial)}", "app_type": "non_interactive"}, 201
    )
    cluster.secrets.append(client["client_secret"])
    grant = mgmt.ok(
        "POST",
        "/client-grants",
        {"client_id": client["client_id"], "audience": AUDIENCE, "scope": scopes},
        status=201,
    )
    return client, grant


def end_user(cluster: Cluster) -> tuple[Person, str]:
    """A new end user, created through A; returns the person at a browser and the user_id."""
    email = f"person{next(_serial)}@example.com"
    created = cluster.mgmt(cluster.a).ok(
        "POST",
        "/users",
        {"connection": "Username-Password-Authentication", "email": email, "password": PASSWORD},
        status=201,
    )
    return Person(email=email), created["user_id"]


def signed_in(cluster: Cluster, web: dict, at: Node) -> tuple[Person, str, str]:
    """A new user who signed in (and consented) through `at`; returns the person, the user_id
    and the code the callback received."""
    person, user_id = end_user(cluster)
    journey = person.authorize(authorize_url(at, web), CALLBACK)
    assert journey.pages[0] == "login"
    assert journey.params["state"] == "s-1"
    return person, user_id, journey.params["code"]


def test_a_grant_change_through_a_is_enforced_by_b_at_once(cluster, inventory):
    mgmt = cluster.mgmt(cluster.a)
    client, grant = worker(cluster, mgmt, ["read:stock", "write:stock"])
    credentials = {
        "grant_type": "client_credentials",
        "client_id": client["client_id"],
        "client_secret": client["client_secret"],
        "audience": AUDIENCE,
    }

    # B serves the grant twice: its connection has read it and keeps it.
    for _ in range(2):
        response = token_request(cluster.b, **credentials)
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        assert verify(cluster, cluster.b, token, AUDIENCE)["scope"] == "read:stock write:stock"

    mgmt.ok("PATCH", f"/client-grants/{grant['id']}", {"scope": ["read:stock"]})
    response = token_request(cluster.b, **credentials)
    assert response.status_code == 200, response.text
    assert verify(cluster, cluster.b, response.json()["access_token"], AUDIENCE)["scope"] == (
        "read:stock"
    )
    asked = token_request(cluster.b, **credentials, scope="write:stock")
    assert asked.status_code == 403, asked.text
    assert asked.json()["error"] == "access_denied"

    mgmt.ok("DELETE", f"/client-grants/{grant['id']}", status=204)
    refused = token_request(cluster.b, **credentials)
    assert refused.status_code == 403, refused.text
    assert refused.json() == {
        "error": "access_denied",
        "error_description": f'Client "{client["client_id"]}" is not authorized to access '
        f'resource server "{AUDIENCE}". You need to create a "client-grant" associated to '
        "this API.",
    }


def _published_kids(node: Node) -> list[str]:
    response = requests.get(f"{node.url}/.well-known/jwks.json", timeout=TIMEOUT)
    assert response.status_code == 200
    return [key["kid"] for key in response.json()["keys"]]


def test_a_key_rotation_through_a_reaches_b_within_the_bound(cluster, inventory):
    mgmt = cluster.mgmt(cluster.a)
    client, _ = worker(cluster, mgmt, ["read:stock"])

    def kid_b_signs_with() -> str:
        token = cluster.token(cluster.b, AUDIENCE, client["client_id"], client["client_secret"])
        verify(cluster, cluster.b, token, AUDIENCE)
        return jwt.get_unverified_header(token)["kid"]

    old_kid = kid_b_signs_with()  # B has read the current key and keeps it
    assert jwt.get_unverified_header(mgmt.token)["kid"] == old_kid
    rotated = mgmt.ok("POST", "/keys/signing/rotate", status=201)
    new_kid = rotated["kid"]
    assert new_kid != old_kid
    after = _published_kids(cluster.a)  # A's own rotation shows at once: current, next, previous
    assert after[0] == new_kid and old_kid in after

    wait_until(
        lambda: kid_b_signs_with() == new_kid, KEY_DEADLINE_SECONDS, "B signs with the new key"
    )
    wait_until(
        lambda: _published_kids(cluster.b) == after,
        KEY_DEADLINE_SECONDS,
        "B publishes the rotated JWKS",
    )

    # Revoking the old key through A: B refuses tokens signed with it at its next request
    # (verification reads the published keys from the database), and stops publishing it.
    fresh = cluster.mgmt(cluster.a)
    fresh.ok("PUT", f"/keys/signing/{old_kid}/revoke")
    stale = Mgmt(cluster.b.url, mgmt.token).call("GET", "/keys/signing")
    assert stale.status_code == 401, stale.text
    wait_until(
        lambda: old_kid not in _published_kids(cluster.b),
        KEY_DEADLINE_SECONDS,
        "B stops publishing the revoked key",
    )
    assert Mgmt(cluster.b.url, fresh.token).call("GET", "/keys/signing").status_code == 200


def test_a_refresh_token_revoked_through_a_is_refused_by_b(cluster, web):
    _, _, code = signed_in(cluster, web, at=cluster.a)
    tokens = redeem(cluster.secrets, cluster.b, web, code)
    refresh_token = tokens["refresh_token"]
    assert refresh(cluster.b, web, refresh_token).status_code == 200

    revoked = requests.post(
        f"{cluster.a.url}/oauth/revoke",
        data={
            "token": refresh_token,
            "client_id": web["client_id"],
            "client_secret": web["client_secret"],
        },
        timeout=TIMEOUT,
    )
    assert revoked.status_code == 200, revoked.text

    refused = refresh(cluster.b, web, refresh_token)
    assert refused.status_code == 403, refused.text
    assert refused.json() == {
        "error": "invalid_grant",
        "error_description": "Unknown or invalid refresh token.",
    }


def test_a_user_blocked_through_a_can_neither_refresh_nor_sign_in_on_b(cluster, web):
    person, user_id, code = signed_in(cluster, web, at=cluster.a)
    refresh_token = redeem(cluster.secrets, cluster.a, web, code)["refresh_token"]
    assert refresh(cluster.b, web, refresh_token).status_code == 200

    cluster.mgmt(cluster.a).ok("PATCH", user_path(user_id), {"blocked": True})

    refused = refresh(cluster.b, web, refresh_token)
    assert refused.status_code == 403, refused.text
    assert refused.json() == {"error": "invalid_grant", "error_description": "user is blocked"}
    # Blocking ended the session A started: B cannot use it silently...
    silent = person.authorize(authorize_url(cluster.b, web, prompt="none"), CALLBACK)
    assert silent.params["error"] == "login_required", silent.params
    # ...and signing in again on B, with the right password, sends Auth0's error back.
    again = person.authorize(authorize_url(cluster.b, web), CALLBACK)
    assert again.pages == ["login"]
    assert again.params == {
        "error": "unauthorized",
        "error_description": "user is blocked",
        "state": "s-1",
    }


def test_a_user_signs_in_on_a_and_continues_on_b(cluster, web):
    person, user_id, code = signed_in(cluster, web, at=cluster.a)

    # A code issued by A is redeemed at B.
    tokens = redeem(cluster.secrets, cluster.b, web, code)
    assert verify(cluster, cluster.b, tokens["id_token"], web["client_id"])["sub"] == user_id
    assert verify(cluster, cluster.b, tokens["access_token"], AUDIENCE)["sub"] == user_id

    # B knows the session A started: with its cookie, B issues a code without a page.
    response = person.http.get(
        authorize_url(cluster.b, web, prompt="none", state="s-2"),
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(CALLBACK + "?"), location
    silent = dict(part.split("=", 1) for part in location.split("?", 1)[1].split("&"))
    assert silent["state"] == "s-2" and "error" not in silent, silent
    # And that code, issued by B, is redeemed at A.
    again = redeem(cluster.secrets, cluster.a, web, silent["code"])
    assert verify(cluster, cluster.a, again["id_token"], web["client_id"])["sub"] == user_id


def test_no_secret_reached_either_node_log(cluster, web):
    """Both server logs (LOG_LEVEL=INFO) hold none of the secrets handled here and in the
    tests before: client secrets, access, ID and refresh tokens, codes, the password."""
    _, _, code = signed_in(cluster, web, at=cluster.b)
    refresh_token = redeem(cluster.secrets, cluster.a, web, code)["refresh_token"]
    refreshed = refresh(cluster.b, web, refresh_token)
    assert refreshed.status_code == 200, refreshed.text
    cluster.secrets.append(refreshed.json()["access_token"])
    wrong = token_request(
        cluster.a,
        grant_type="refresh_token",
        client_id=web["client_id"],
        client_secret=web["client_secret"],
        refresh_token=refresh_token + "x",
    )
    assert wrong.status_code == 403, wrong.text

    secrets = [secret for secret in [*cluster.secrets, PASSWORD] if secret]
    for node in cluster.nodes:
        log = node.log()
        assert "Booting worker" in log  # the log is the server's, and it was written
        leaked = [secret[:8] + "..." for secret in secrets if secret in log]
        assert leaked == [], f"node {node.name} logged secrets: {leaked}"


def test_rate_limit_counts_are_shared_by_both_nodes(cluster):
    # One Management API token used at A and at B in turn: with the counts in Redis, each
    # answer has one request fewer left than the one before, whichever node gave it (with
    # per-process counts, B would start its own count from the full limit).
    mgmt_a = cluster.mgmt(cluster.a)
    mgmt_b = Mgmt(cluster.b.url, mgmt_a.token)
    for _ in range(3):  # a fixed window may end between two calls: then read another four
        answers = [m.call("GET", "/resource-servers") for m in (mgmt_a, mgmt_b, mgmt_a, mgmt_b)]
        assert [answer.status_code for answer in answers] == [200] * 4
        if len({answer.headers["X-RateLimit-Reset"] for answer in answers}) == 1:
            break
    remaining = [int(answer.headers["X-RateLimit-Remaining"]) for answer in answers]
    assert remaining == [remaining[0] - step for step in range(4)]
    limit = int(answers[0].headers["X-RateLimit-Limit"])
    assert remaining[0] < limit


def test_a_brute_force_block_counted_on_a_holds_on_b(cluster, web):
    person, _ = end_user(cluster)
    right = person.password
    person.password = "not-" + right
    for _ in range(10):  # Auth0's default threshold, every failure counted at A
        with pytest.raises(SignInFailed):
            person.authorize(authorize_url(cluster.a, web), CALLBACK)
    # The right password, at B: refused, and the page says why.
    person.password = right
    with pytest.raises(SignInFailed, match="blocked after multiple consecutive login attempts"):
        person.authorize(authorize_url(cluster.b, web), CALLBACK)
