"""Management API: /users/{id}/sessions and /sessions/{id} (AUTH0_USER_FLOWS.md section 4.6):
Auth0's session object, checkpoint paging, ending a session (its cookie stops working at
once), 404s, hostile ids, and never the cookie secret or its digest."""

import datetime as dt
import logging
from urllib.parse import quote

import pytest
from django.utils import timezone

from tests.management_api.conftest import Mgmt, management_token
from users import directory, sessions
from users.models import Session


@pytest.fixture
def user(db):
    return directory.create_user(email="ada@example.com", password="Target-1234")


def path_id(user) -> str:
    return quote(user.user_id, safe="")


def test_get_a_session(mgmt: Mgmt, user):
    session, secret = sessions.start(user, ip="203.0.113.9", user_agent="Firefox/140")
    sessions.add_client(session, "client-one")

    response = mgmt.get(f"/sessions/{session.pk}")

    assert response.status_code == 200
    body = response.json()
    stamp = body["created_at"]
    assert stamp.endswith("Z") and len(stamp) == len("2026-01-01T00:00:00.000Z")
    assert body == {
        "id": session.pk,
        "user_id": user.user_id,
        "created_at": stamp,
        "updated_at": stamp,
        "authenticated_at": stamp,
        "idle_expires_at": body["idle_expires_at"],
        "expires_at": body["expires_at"],
        "last_interacted_at": stamp,
        "device": {"initial_ip": "203.0.113.9", "initial_user_agent": "Firefox/140"},
        "clients": [{"client_id": "client-one"}],
        "authentication": {"methods": [{"name": "pwd", "timestamp": stamp}]},
    }
    assert secret not in response.content.decode()
    assert session.secret_digest not in response.content.decode()


def test_list_paging_and_totals(mgmt: Mgmt, user):
    for _ in range(3):
        sessions.start(user)
    ids = sorted(Session.objects.values_list("pk", flat=True))

    first = mgmt.get(f"/users/{path_id(user)}/sessions?take=2&include_totals=true").json()
    second = mgmt.get(f"/users/{path_id(user)}/sessions?take=2&from={first['next']}").json()

    assert [s["id"] for s in first["sessions"]] == ids[:2] and first["total"] == 3
    assert first["next"] == ids[2]
    assert [s["id"] for s in second["sessions"]] == ids[2:] and "next" not in second


def test_expired_sessions_are_not_listed(mgmt: Mgmt, user):
    old, _ = sessions.start(user, now=timezone.now() - dt.timedelta(days=30))
    live, _ = sessions.start(user)

    body = mgmt.get(f"/users/{path_id(user)}/sessions").json()

    assert [s["id"] for s in body["sessions"]] == [live.pk]
    assert mgmt.get(f"/sessions/{old.pk}").status_code == 404


def test_delete_a_session_stops_its_cookie_at_once(client, mgmt: Mgmt, user, caplog):
    session, secret = sessions.start(user)
    other, other_secret = sessions.start(user)

    with caplog.at_level(logging.INFO):
        response = mgmt.delete(f"/sessions/{session.pk}")

    assert response.status_code == 204 and response.content == b""
    assert sessions.find(secret) is None
    assert sessions.find(other_secret) is not None
    assert f"session {session.pk} of user {user.pk} ended: management_ended" in caplog.text
    assert secret not in caplog.text
    assert mgmt.delete(f"/sessions/{session.pk}").status_code == 404


def test_delete_all_sessions_of_a_user(mgmt: Mgmt, user):
    secrets = [sessions.start(user)[1] for _ in range(2)]
    bob = directory.create_user(email="bob@example.com", password="Target-1234")
    _, bobs = sessions.start(bob)

    response = mgmt.delete(f"/users/{path_id(user)}/sessions")

    assert response.status_code == 202 and response.json() == {}
    assert all(sessions.find(secret) is None for secret in secrets)
    assert sessions.find(bobs) is not None


@pytest.mark.parametrize("method", ["GET", "DELETE"])
@pytest.mark.parametrize("session_id", ["nope", "%27--", "a" * 64, "%E2%80%AE"])
def test_unknown_session_is_404(mgmt: Mgmt, tenant, method, session_id):
    response = mgmt.call(method, f"/sessions/{session_id}")

    assert response.status_code == 404
    assert response.json() == {
        "statusCode": 404,
        "error": "Not Found",
        "message": "The session does not exist.",
        "errorCode": "inexistent_session",
    }


@pytest.mark.parametrize("session_id", ["%00", "a" * 65, "%ED%A0%80"])
def test_unstorable_session_ids_never_500(mgmt: Mgmt, tenant, session_id):
    for method in ("GET", "DELETE"):
        response = mgmt.call(method, f"/sessions/{session_id}")
        assert response.status_code in (400, 404), response.content


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_unknown_user(mgmt: Mgmt, tenant, method):
    response = mgmt.call(method, "/users/auth0%7C0123456789abcdef01234567/sessions")

    assert response.status_code == 404
    assert response.json()["errorCode"] == "inexistent_user"


def test_scopes(client, tenant, user):
    session, secret = sessions.start(user)
    reader = Mgmt(client, management_token(tenant, ["read:sessions"], name="Reader"))

    assert reader.get(f"/sessions/{session.pk}").status_code == 200
    refused = reader.delete(f"/sessions/{session.pk}")
    assert refused.status_code == 403
    assert sessions.find(secret) is not None
