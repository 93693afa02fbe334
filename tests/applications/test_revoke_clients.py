"""POST /oauth/revoke with real clients against a live server: Authlib's
OAuth2Session.revoke_token (form, client_secret_basic, token_type_hint) and auth0-python's
RevokeToken.revoke_refresh_token (JSON, secret in the body; public clients by client_id).
The revoked token is then refused at /oauth/token with Auth0's text."""

from urllib.parse import urlsplit

import pytest
from auth0.authentication import GetToken
from auth0.authentication.exceptions import Auth0Error
from auth0.authentication.revoke_token import RevokeToken
from authlib.integrations.requests_client import OAuth2Session, OAuthError

from applications.models import RefreshTokenFamily
from tests.applications.conftest import rotating


@pytest.fixture
def server(live_server) -> str:
    return urlsplit(live_server.url).netloc


@pytest.fixture
def insecure_transport(monkeypatch):
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


def test_authlib_revoke_token(live_server, insecure_transport, refresher, web_app):
    token = refresher.start(web_app)["refresh_token"]
    session = OAuth2Session(
        web_app.client_id, web_app.secret, token_endpoint_auth_method="client_secret_basic"
    )

    response = session.revoke_token(
        live_server.url + "/oauth/revoke", token=token, token_type_hint="refresh_token"
    )

    assert response.status_code == 200 and response.content == b""
    assert RefreshTokenFamily.objects.get().revoked_reason == "client_revoked"
    with pytest.raises(OAuthError) as refused:
        session.refresh_token(live_server.url + "/oauth/token", refresh_token=token)
    assert refused.value.error == "invalid_grant"
    assert refused.value.description == "Unknown or invalid refresh token."


def test_auth0_python_revoke_refresh_token(server, refresher, web_app):
    token = refresher.start(web_app)["refresh_token"]
    revoker = RevokeToken(server, web_app.client_id, client_secret=web_app.secret, protocol="http")

    revoker.revoke_refresh_token(token)

    get_token = GetToken(server, web_app.client_id, client_secret=web_app.secret, protocol="http")
    with pytest.raises(Auth0Error) as refused:
        get_token.refresh_token(token)
    assert refused.value.status_code == 403
    assert refused.value.error_code == "invalid_grant"
    assert refused.value.message == "Unknown or invalid refresh token."


def test_auth0_python_public_client(server, refresher, spa):
    rotating(spa.application, leeway=10)
    token = refresher.start(spa)["refresh_token"]

    RevokeToken(server, spa.client_id, protocol="http").revoke_refresh_token(token)

    with pytest.raises(Auth0Error) as refused:
        GetToken(server, spa.client_id, protocol="http").refresh_token(token)
    assert refused.value.message == "Unknown or invalid refresh token."


def test_auth0_python_wrong_secret(server, refresher, web_app):
    token = refresher.start(web_app)["refresh_token"]
    revoker = RevokeToken(server, web_app.client_id, client_secret="wrong", protocol="http")

    with pytest.raises(Auth0Error) as refused:
        revoker.revoke_refresh_token(token)

    assert refused.value.status_code == 401
    assert refused.value.error_code == "access_denied"
    assert RefreshTokenFamily.objects.get().revoked_at is None
