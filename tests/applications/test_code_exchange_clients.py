"""The code exchange, ID-token verification and /userinfo driven by real client libraries
against the live server (AUTH0_USER_FLOWS.md section 8): auth0-python's GetToken (JSON
bodies with the secret inside, `null` fields), TokenVerifier and Users.userinfo; Authlib's
OAuth2Session with client_secret_basic and with none. Codes are issued as /authorize does."""

from urllib.parse import urlsplit

import pytest
from auth0.authentication import GetToken, Users
from auth0.authentication.exceptions import Auth0Error
from auth0.authentication.token_verifier import (
    AsymmetricSignatureVerifier,
    SymmetricSignatureVerifier,
    TokenVerifier,
)
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from django.conf import settings

from tests.applications.conftest import (
    CALLBACK,
    SPA_CALLBACK,
    VERIFIER,
    CodeFactory,
    use_hs256_id_tokens,
)

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = "https://orders.example/api"
NONCE = "n-0S6_WzA2Mj"


@pytest.fixture
def server(live_server) -> str:
    return urlsplit(live_server.url).netloc  # host:port, what auth0-python wants


def test_auth0_python_authorization_code_and_token_verifier(
    live_server, server, web_app, make_code: CodeFactory, orders_api
):
    code = make_code.issue(
        web_app.application, audience=ORDERS, scopes=["openid", "profile", "read:orders"]
    )
    get_token = GetToken(server, web_app.client_id, client_secret=web_app.secret, protocol="http")

    tokens = get_token.authorization_code(code=code, redirect_uri=CALLBACK)

    assert tokens["token_type"] == "Bearer"
    assert tokens["scope"] == "openid profile read:orders"
    verifier = TokenVerifier(
        signature_verifier=AsymmetricSignatureVerifier(live_server.url + "/.well-known/jwks.json"),
        issuer=settings.ISSUER,
        audience=web_app.client_id,
    )
    claims = verifier.verify(tokens["id_token"], nonce=NONCE)
    assert claims["sub"] == make_code.user.user_id
    # The access token, with the userinfo audience, works at /userinfo through the SDK.
    info = Users(server, protocol="http").userinfo(tokens["access_token"])
    assert info["sub"] == make_code.user.user_id
    assert info["name"] == "Ada Lovelace"
    # A second exchange of the same code: Auth0's error, raised by the SDK.
    with pytest.raises(Auth0Error) as refused:
        get_token.authorization_code(code=code, redirect_uri=CALLBACK)
    assert refused.value.status_code == 403
    assert refused.value.error_code == "invalid_grant"
    assert refused.value.message == "Invalid authorization code"


def test_auth0_python_pkce_for_a_public_client_with_null_redirect_uri(
    server, spa, make_code: CodeFactory
):
    code = make_code.issue_pkce(spa.application, redirect_uri="")
    get_token = GetToken(server, spa.client_id, protocol="http")

    # redirect_uri=None goes out as JSON null, which means absent.
    tokens = get_token.authorization_code_pkce(VERIFIER, code, redirect_uri=None)

    info = Users(server, protocol="http").userinfo(tokens["access_token"])
    assert info["email"] == "ada@example.com"


def test_auth0_python_pkce_failure(server, spa, make_code: CodeFactory):
    code = make_code.issue_pkce(spa.application)
    get_token = GetToken(server, spa.client_id, protocol="http")

    with pytest.raises(Auth0Error) as refused:
        get_token.authorization_code_pkce("w" * 43, code, redirect_uri=SPA_CALLBACK)

    assert refused.value.status_code == 403
    assert refused.value.message == "Failed to verify code verifier"


def test_auth0_python_confidential_client_without_secret(server, web_app, make_code):
    code = make_code.issue(web_app.application)

    with pytest.raises(Auth0Error) as refused:
        GetToken(server, web_app.client_id, protocol="http").authorization_code(code, CALLBACK)

    assert refused.value.status_code == 401
    assert (refused.value.error_code, refused.value.message) == ("access_denied", "Unauthorized")


def test_auth0_python_token_verifier_with_hs256(server, web_app, make_code):
    use_hs256_id_tokens(web_app)
    code = make_code.issue(web_app.application)
    get_token = GetToken(server, web_app.client_id, client_secret=web_app.secret, protocol="http")

    tokens = get_token.authorization_code(code=code, redirect_uri=CALLBACK)

    verifier = TokenVerifier(
        signature_verifier=SymmetricSignatureVerifier(web_app.secret),
        issuer=settings.ISSUER,
        audience=web_app.client_id,
    )
    assert verifier.verify(tokens["id_token"], nonce=NONCE)["email"] == "ada@example.com"


def test_auth0_python_verifier_requires_auth_time_with_max_age(
    live_server, server, web_app, make_code
):
    code = make_code.issue(web_app.application, include_auth_time=True)
    get_token = GetToken(server, web_app.client_id, client_secret=web_app.secret, protocol="http")
    tokens = get_token.authorization_code(code=code, redirect_uri=CALLBACK)
    verifier = TokenVerifier(
        signature_verifier=AsymmetricSignatureVerifier(live_server.url + "/.well-known/jwks.json"),
        issuer=settings.ISSUER,
        audience=web_app.client_id,
    )

    claims = verifier.verify(tokens["id_token"], nonce=NONCE, max_age=3600)

    assert claims["auth_time"] == int(make_code.session.authenticated_at.timestamp())


@pytest.fixture
def insecure_transport(monkeypatch):
    # Authlib refuses plain http unless told this is a test.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


def test_authlib_client_secret_basic(live_server, insecure_transport, web_app, make_code):
    code = make_code.issue(web_app.application)
    session = OAuth2Session(
        web_app.client_id,
        web_app.secret,
        token_endpoint_auth_method="client_secret_basic",
        redirect_uri=CALLBACK,
        state="xyz",
    )

    token = session.fetch_token(
        live_server.url + "/oauth/token",
        authorization_response=f"{CALLBACK}?code={code}&state=xyz",
    )

    assert token["token_type"] == "Bearer"
    assert token["scope"] == "openid profile email"
    info = session.get(live_server.url + "/userinfo")
    assert info.status_code == 200
    assert info.json()["sub"] == make_code.user.user_id


def test_authlib_public_client_with_pkce(live_server, insecure_transport, spa, make_code):
    code = make_code.issue_pkce(spa.application)
    session = OAuth2Session(
        spa.client_id,
        token_endpoint_auth_method="none",
        redirect_uri=SPA_CALLBACK,
        code_challenge_method="S256",
    )

    token = session.fetch_token(live_server.url + "/oauth/token", code=code, code_verifier=VERIFIER)

    assert "id_token" in token
    assert session.get(live_server.url + "/userinfo").json()["email_verified"] is True


def test_authlib_sees_the_oauth_error(live_server, insecure_transport, spa, make_code):
    code = make_code.issue_pkce(spa.application)
    session = OAuth2Session(
        spa.client_id, token_endpoint_auth_method="none", redirect_uri=SPA_CALLBACK
    )

    with pytest.raises(OAuthError) as refused:
        session.fetch_token(live_server.url + "/oauth/token", code=code, code_verifier="x" * 43)

    assert refused.value.error == "invalid_grant"
    assert refused.value.description == "Failed to verify code verifier"
