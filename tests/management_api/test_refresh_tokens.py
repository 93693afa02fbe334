"""Management API: /users/{id}/refresh-tokens, /refresh-tokens/{id} and
/sessions/{id}/revoke (AUTH0_USER_FLOWS.md section 4.6): Auth0's shapes, checkpoint paging,
404s, hostile ids, and that a revoked refresh token is then refused at /oauth/token. No
response ever carries a token or its digest."""

import datetime as dt
import json
import logging
from urllib.parse import quote, urlencode

import pytest
from django.utils import timezone

from applications import clients, refresh_tokens
from applications.models import AppType, RefreshToken, RefreshTokenFamily
from tests.management_api.conftest import Mgmt
from users import directory, sessions
from users.models import Session

ORDERS = "https://orders.example/api"
SCOPES = ["openid", "profile", "offline_access", "read:orders"]
INVALID = {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}


@pytest.fixture
def offline(orders_api):
    orders_api.allow_offline_access = True
    orders_api.save(update_fields=["allow_offline_access"])
    return orders_api


@pytest.fixture
def web(tenant):
    application, secret = clients.create_application(name="Web", app_type=AppType.REGULAR_WEB)
    return application, secret


@pytest.fixture
def user(db):
    return directory.create_user(email="ada@example.com", password="Target-1234")


def start(application, user, *, session_id: str = "", now=None) -> str:
    """A family as the code exchange starts it; returns its first token."""
    now = now or timezone.now()
    return refresh_tokens.issue(
        application=application,
        user=user,
        audience=ORDERS,
        scopes=SCOPES,
        session_id=session_id,
        auth_time=now,
        code_digest="",
        now=now,
    )


def refresh(client, web, token: str):
    application, secret = web
    body = urlencode(
        {
            "grant_type": "refresh_token",
            "client_id": application.client_id,
            "client_secret": secret,
            "refresh_token": token,
        }
    )
    return client.post("/oauth/token", body, content_type="application/x-www-form-urlencoded")


def path_id(user) -> str:
    return quote(user.user_id, safe="")


def assert_no_token(response, *tokens: str) -> None:
    text = response.content.decode()
    for token in tokens:
        assert token not in text
    for digest in RefreshToken.objects.values_list("digest", flat=True):
        assert digest not in text


def test_list_shape(mgmt: Mgmt, offline, web, user):
    session, _ = sessions.start(user)
    token = start(web[0], user, session_id=session.pk)
    family = RefreshTokenFamily.objects.get()

    response = mgmt.get(f"/users/{path_id(user)}/refresh-tokens")

    assert response.status_code == 200
    assert response.json() == {
        "tokens": [
            {
                "id": family.pk,
                "user_id": user.user_id,
                "created_at": response.json()["tokens"][0]["created_at"],
                "idle_expires_at": None,
                "expires_at": None,
                "client_id": web[0].client_id,
                "session_id": session.pk,
                "rotating": False,
                "resource_servers": [
                    {"audience": ORDERS, "scopes": "openid profile offline_access read:orders"}
                ],
            }
        ]
    }
    created = response.json()["tokens"][0]["created_at"]
    assert created.endswith("Z") and len(created) == len("2026-01-01T00:00:00.000Z")
    assert_no_token(response, token)


def test_list_with_lifetimes(mgmt: Mgmt, offline, web, user):
    application = web[0]
    application.refresh_rotation_type = "rotating"
    application.refresh_expiration_type = "expiring"
    application.refresh_infinite_token_lifetime = False
    application.refresh_infinite_idle_token_lifetime = False
    application.save()
    now = timezone.now()
    start(application, user, now=now)

    item = mgmt.get(f"/users/{path_id(user)}/refresh-tokens").json()["tokens"][0]

    assert item["rotating"] is True
    assert item["expires_at"] is not None and item["idle_expires_at"] is not None


def test_checkpoint_paging_and_totals(mgmt: Mgmt, offline, web, user):
    for _ in range(5):
        start(web[0], user)
    ids = sorted(RefreshTokenFamily.objects.values_list("pk", flat=True))

    first = mgmt.get(f"/users/{path_id(user)}/refresh-tokens?take=2&include_totals=true").json()
    second = mgmt.get(f"/users/{path_id(user)}/refresh-tokens?take=2&from={first['next']}").json()
    last = mgmt.get(f"/users/{path_id(user)}/refresh-tokens?take=2&from={ids[4]}").json()

    assert [t["id"] for t in first["tokens"]] == ids[:2]
    assert first["total"] == 5 and first["next"] == ids[2]
    assert [t["id"] for t in second["tokens"]] == ids[2:4] and second["next"] == ids[4]
    assert "total" not in second
    assert [t["id"] for t in last["tokens"]] == ids[4:] and "next" not in last


def test_only_active_families_are_listed(mgmt: Mgmt, offline, web, user):
    start(web[0], user)
    start(web[0], user)
    start(web[0], user, now=timezone.now() - dt.timedelta(days=400))
    revoked, expired, live = None, None, None
    families = list(RefreshTokenFamily.objects.order_by("created_at"))
    expired = families[0]
    expired.expires_at = timezone.now() - dt.timedelta(days=1)
    expired.save()
    revoked = families[1]
    refresh_tokens.revoke_families("test", timezone.now(), pk=revoked.pk)
    live = families[2]

    body = mgmt.get(f"/users/{path_id(user)}/refresh-tokens?include_totals=true").json()

    assert [t["id"] for t in body["tokens"]] == [live.pk] and body["total"] == 1


def test_delete_one_revokes_its_family(client, mgmt: Mgmt, offline, web, user, caplog):
    token = start(web[0], user)
    other = start(web[0], user)
    family = RefreshTokenFamily.objects.get(tokens__digest=refresh_tokens.token_digest(token))

    with caplog.at_level(logging.INFO):
        response = mgmt.delete(f"/refresh-tokens/{family.pk}")

    assert response.status_code == 204 and response.content == b""
    assert refresh(client, web, token).json() == INVALID
    assert refresh(client, web, other).status_code == 200
    assert f"family {family.pk} of client {web[0].client_id} revoked: management_revoked" in (
        caplog.text
    )
    assert token not in caplog.text
    # Gone: the GET and a second DELETE are 404.
    assert mgmt.get(f"/refresh-tokens/{family.pk}").status_code == 404
    assert mgmt.delete(f"/refresh-tokens/{family.pk}").status_code == 404


def test_get_one(mgmt: Mgmt, offline, web, user):
    token = start(web[0], user)
    family = RefreshTokenFamily.objects.get()

    response = mgmt.get(f"/refresh-tokens/{family.pk}")

    assert response.status_code == 200
    assert response.json()["id"] == family.pk
    assert response.json()["user_id"] == user.user_id
    assert_no_token(response, token)


def test_delete_all_of_a_user(client, mgmt: Mgmt, offline, web, user):
    tokens = [start(web[0], user) for _ in range(3)]
    someone_else = directory.create_user(email="bob@example.com", password="Target-1234")
    theirs = start(web[0], someone_else)

    response = mgmt.delete(f"/users/{path_id(user)}/refresh-tokens")

    assert response.status_code == 202 and response.json() == {}
    for token in tokens:
        assert refresh(client, web, token).json() == INVALID
    assert refresh(client, web, theirs).status_code == 200
    assert set(
        RefreshTokenFamily.objects.filter(user=user).values_list("revoked_reason", flat=True)
    ) == {"management_revoked"}


NOT_FOUND_TOKEN = {
    "statusCode": 404,
    "error": "Not Found",
    "message": "The refresh token does not exist.",
    "errorCode": "inexistent_refresh_token",
}
NOT_FOUND_USER = {
    "statusCode": 404,
    "error": "Not Found",
    "message": "The user does not exist.",
    "errorCode": "inexistent_user",
}


@pytest.mark.parametrize("method", ["GET", "DELETE"])
@pytest.mark.parametrize(
    "token_id", ["0123456789abcdef01234567", "x", "%27%20OR%201%3D1", "%E2%80%AE", "a" * 64]
)
def test_unknown_refresh_token_is_404(mgmt: Mgmt, tenant, method, token_id):
    response = mgmt.call(method, f"/refresh-tokens/{token_id}")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND_TOKEN


@pytest.mark.parametrize("token_id", ["%00", "a" * 65, "%ED%A0%80"])
def test_unstorable_ids_are_400_never_500(mgmt: Mgmt, tenant, token_id):
    for method in ("GET", "DELETE"):
        response = mgmt.call(method, f"/refresh-tokens/{token_id}")
        assert response.status_code in (400, 404), response.content
        assert response.json()["statusCode"] == response.status_code


@pytest.mark.parametrize(
    "user_id", ["auth0%7C0123456789abcdef01234567", "nobody", "auth0%7C%00", "%2F..%2F"]
)
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_unknown_user_is_404_or_400(mgmt: Mgmt, tenant, user_id, method):
    response = mgmt.call(method, f"/users/{user_id}/refresh-tokens")

    assert response.status_code in (400, 404), response.content
    if response.status_code == 404:
        assert response.json() == NOT_FOUND_USER


@pytest.mark.parametrize(
    "query", ["take=0", "take=101", "take=x", "from=%00", "page=1", "include_totals=maybe"]
)
def test_bad_queries_are_400(mgmt: Mgmt, user, query):
    response = mgmt.get(f"/users/{path_id(user)}/refresh-tokens?{query}")

    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_query_string"


def test_scopes(client, tenant, user, offline, web):
    from tests.management_api.conftest import management_token

    start(web[0], user)
    family = RefreshTokenFamily.objects.get()
    reader = Mgmt(client, management_token(tenant, ["read:refresh_tokens"], name="Reader"))

    assert reader.get(f"/users/{path_id(user)}/refresh-tokens").status_code == 200
    assert reader.get(f"/refresh-tokens/{family.pk}").status_code == 200
    refused = reader.delete(f"/refresh-tokens/{family.pk}")
    assert refused.status_code == 403
    assert refused.json()["message"] == "Insufficient scope, expected any of: delete:refresh_tokens"
    assert RefreshTokenFamily.objects.get().revoked_at is None


# --- POST /sessions/{id}/revoke --------------------------------------------------------------


def test_revoking_a_session_ends_it_and_revokes_its_families(
    client, mgmt: Mgmt, offline, web, user
):
    session, secret = sessions.start(user)
    token = start(web[0], user, session_id=session.pk)
    elsewhere = start(web[0], user, session_id="another-session")

    response = mgmt.post(f"/sessions/{session.pk}/revoke")

    assert response.status_code == 202 and response.json() == {}
    assert sessions.find(secret) is None
    assert not Session.objects.filter(pk=session.pk).exists()
    assert refresh(client, web, token).json() == INVALID
    assert refresh(client, web, elsewhere).status_code == 200
    assert mgmt.post(f"/sessions/{session.pk}/revoke").status_code == 404


def test_the_list_never_carries_a_token(mgmt: Mgmt, offline, web, user):
    tokens = [start(web[0], user) for _ in range(3)]

    response = mgmt.get(f"/users/{path_id(user)}/refresh-tokens?include_totals=true")

    assert_no_token(response, *tokens)
    assert json.loads(response.content)["total"] == 3


# --- deleting a user's grant revokes its refresh tokens (section 2.5) ------------------------


@pytest.mark.parametrize("how", ["by id", "by user"])
def test_deleting_a_grant_revokes_its_refresh_tokens(
    client, mgmt: Mgmt, offline, web, user, how, caplog
):
    from applications import user_grants

    grant = user_grants.record(user, web[0], ORDERS, SCOPES)
    token = start(web[0], user)
    other_api = start(web[0], user)
    RefreshTokenFamily.objects.filter(tokens__digest=refresh_tokens.token_digest(other_api)).update(
        audience="https://other.example/api"
    )

    with caplog.at_level(logging.INFO):
        if how == "by id":
            response = mgmt.delete(f"/grants/{grant.pk}")
        else:
            response = mgmt.delete(f"/grants?user_id={path_id(user)}")

    assert response.status_code == 204
    assert refresh(client, web, token).json() == INVALID
    family = RefreshTokenFamily.objects.get(tokens__digest=refresh_tokens.token_digest(token))
    assert family.revoked_reason == "grant_revoked"
    assert f"family {family.pk} of client {web[0].client_id} revoked: grant_revoked" in caplog.text
    assert token not in caplog.text
    # Another audience's family is another grant's.
    assert (
        RefreshTokenFamily.objects.get(
            tokens__digest=refresh_tokens.token_digest(other_api)
        ).revoked_at
        is None
    )
