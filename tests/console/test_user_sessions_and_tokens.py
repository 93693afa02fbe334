"""The user page's Sessions tab (users) and Refresh tokens tab (applications): full page and
htmx partial, revoking one or all (POSTs that work without JavaScript), another user's
objects refused, the revoked session's cookie and the revoked refresh token refused at once,
the authorized-applications revoke revoking refresh tokens, and never a token, cookie secret
or digest on a page."""

import logging
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from applications import clients, refresh_tokens, user_grants
from applications.models import AppType, RefreshToken, RefreshTokenFamily
from users import directory, sessions
from users.models import Session, User

from .conftest import HTMX, assert_full_page, assert_partial, html

pytestmark = pytest.mark.django_db

ORDERS = "https://orders.example/api"
INVALID = {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}


@pytest.fixture
def end_user(tenant) -> User:
    return directory.create_user(email="ann@example.com", password="Console-Pass-1")


@pytest.fixture
def web(orders_api):
    orders_api.allow_offline_access = True
    orders_api.save()
    application, secret = clients.create_application(name="Web shop", app_type=AppType.REGULAR_WEB)
    return application, secret


def start(application, user, session_id: str = "") -> str:
    now = timezone.now()
    return refresh_tokens.issue(
        application=application,
        user=user,
        audience=ORDERS,
        scopes=["openid", "offline_access", "read:orders"],
        session_id=session_id,
        auth_time=now,
        code_digest="",
        now=now,
    )


def refresh(client, web, token):
    body = urlencode(
        {
            "grant_type": "refresh_token",
            "client_id": web[0].client_id,
            "client_secret": web[1],
            "refresh_token": token,
        }
    )
    return client.post("/oauth/token", body, content_type="application/x-www-form-urlencoded")


def assert_no_secret(body: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in body
    for digest in Session.objects.values_list("secret_digest", flat=True):
        assert digest not in body
    for digest in RefreshToken.objects.values_list("digest", flat=True):
        assert digest not in body


# --- Sessions ------------------------------------------------------------------------------


def test_sessions_tab_full_and_partial(staff_client, end_user):
    session, secret = sessions.start(end_user, ip="203.0.113.9", user_agent="Firefox/140")
    url = f"/users/{end_user.id}/sessions/"

    full = assert_full_page(staff_client.get(url))
    partial = assert_partial(staff_client.get(url, headers=HTMX))

    assert 'aria-selected="true">Sessions</a>' in full
    assert f"<code>{session.pk}</code>" in full and "203.0.113.9" in full and "Firefox/140" in full
    assert "Revoke all sessions" in full
    assert f"<code>{session.pk}</code>" in partial
    assert_no_secret(full, secret)
    assert_no_secret(partial, secret)


def test_revoke_one_session(client, staff_client, end_user, caplog):
    session, secret = sessions.start(end_user)
    other, other_secret = sessions.start(end_user)
    revoke = f"/users/{end_user.id}/sessions/{session.pk}/revoke/"

    assert staff_client.get(revoke).status_code == 405
    with caplog.at_level(logging.INFO):
        response = staff_client.post(revoke)

    assert response.status_code == 302
    assert response["Location"] == f"/users/{end_user.id}/sessions/"
    assert sessions.find(secret) is None and sessions.find(other_secret) is not None
    assert "Session ended" in html(staff_client.get(response["Location"]))
    assert f"session {session.pk} of user {end_user.pk} ended: console_ended" in caplog.text
    assert secret not in caplog.text
    assert staff_client.post(revoke).status_code == 404


def test_revoke_all_sessions_with_htmx(staff_client, end_user):
    secrets = [sessions.start(end_user)[1] for _ in range(2)]

    response = staff_client.post(f"/users/{end_user.id}/sessions/revoke-all/", headers=HTMX)

    assert response.status_code == 302
    assert all(sessions.find(secret) is None for secret in secrets)
    assert "has no live session" in html(staff_client.get(f"/users/{end_user.id}/sessions/"))


def test_a_session_of_another_user_cannot_be_revoked_through_this_one(staff_client, end_user):
    bob = directory.create_user(email="bob@example.org", password="Console-Pass-1")
    session, secret = sessions.start(bob)

    response = staff_client.post(f"/users/{end_user.id}/sessions/{session.pk}/revoke/")

    assert response.status_code == 404
    assert sessions.find(secret) is not None


# --- Refresh tokens --------------------------------------------------------------------------


def test_refresh_tokens_tab_full_and_partial(staff_client, end_user, web):
    token = start(web[0], end_user)
    family = RefreshTokenFamily.objects.get()
    url = f"/users/{end_user.id}/refresh-tokens/"

    full = assert_full_page(staff_client.get(url))
    partial = assert_partial(staff_client.get(url, headers=HTMX))

    assert 'aria-selected="true">Refresh tokens</a>' in full
    assert "Web shop" in full and f"<code>{ORDERS}</code>" in full
    assert "<code>offline_access</code>" in full and f"<code>{family.pk}</code>" in full
    assert "Revoke all refresh tokens" in full
    assert "Web shop" in partial
    assert_no_secret(full, token)
    assert_no_secret(partial, token)


def test_revoke_one_refresh_token(client, staff_client, end_user, web, caplog):
    token = start(web[0], end_user)
    other = start(web[0], end_user)
    family = RefreshTokenFamily.objects.get(tokens__digest=refresh_tokens.token_digest(token))
    revoke = f"/users/{end_user.id}/refresh-tokens/{family.pk}/revoke/"

    assert staff_client.get(revoke).status_code == 405
    with caplog.at_level(logging.INFO):
        response = staff_client.post(revoke)

    assert response.status_code == 302
    assert response["Location"] == f"/users/{end_user.id}/refresh-tokens/"
    assert refresh(client, web, token).json() == INVALID
    assert refresh(client, web, other).status_code == 200
    assert f"family {family.pk} of client {web[0].client_id} revoked: console_revoked" in (
        caplog.text
    )
    assert token not in caplog.text
    assert staff_client.post(revoke).status_code == 404


def test_revoke_all_refresh_tokens(client, staff_client, end_user, web):
    tokens = [start(web[0], end_user) for _ in range(2)]

    response = staff_client.post(f"/users/{end_user.id}/refresh-tokens/revoke-all/", headers=HTMX)

    assert response.status_code == 302
    assert all(refresh(client, web, token).json() == INVALID for token in tokens)
    page = html(staff_client.get(f"/users/{end_user.id}/refresh-tokens/"))
    assert "Revoked 2 refresh token(s)" in page and "has no active refresh token" in page


def test_a_family_of_another_user_cannot_be_revoked_through_this_one(
    client, staff_client, end_user, web
):
    bob = directory.create_user(email="bob@example.org", password="Console-Pass-1")
    token = start(web[0], bob)
    family = RefreshTokenFamily.objects.get()

    response = staff_client.post(f"/users/{end_user.id}/refresh-tokens/{family.pk}/revoke/")

    assert response.status_code == 404
    assert refresh(client, web, token).status_code == 200


def test_revoking_the_authorized_application_revokes_its_refresh_tokens(
    client, staff_client, end_user, web
):
    grant = user_grants.record(end_user, web[0], ORDERS, ["openid", "offline_access"])
    token = start(web[0], end_user)

    response = staff_client.post(f"/users/{end_user.id}/applications/{grant.pk}/revoke/")

    assert response.status_code == 302
    assert refresh(client, web, token).json() == INVALID
    assert RefreshTokenFamily.objects.get().revoked_reason == "grant_revoked"


@pytest.mark.parametrize("tab", ["sessions", "refresh-tokens"])
def test_anonymous_is_refused(client, end_user, tab):
    assert client.get(f"/users/{end_user.id}/{tab}/").status_code == 302
    assert client.post(f"/users/{end_user.id}/{tab}/revoke-all/").status_code == 302
