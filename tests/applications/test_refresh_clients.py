"""The refresh grant driven by real client libraries against the live server
(AUTH0_USER_FLOWS.md sections 4.2 and 8): auth0-python's GetToken.refresh_token (JSON with
"scope": ""), and Authlib's OAuth2Session.refresh_token (form, Basic, the original scope sent
again). Codes are issued as /authorize does."""

from urllib.parse import urlsplit

import pytest
from auth0.authentication import GetToken
from auth0.authentication.exceptions import Auth0Error
from authlib.integrations.requests_client import OAuth2Session

from keys import signing
from tests.applications.conftest import CALLBACK, OFFLINE_SCOPES, ORDERS, CodeFactory, rotating

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(live_server) -> str:
    return urlsplit(live_server.url).netloc  # host:port, what auth0-python wants


def test_auth0_python_refresh_with_empty_scope(
    server, web_app, make_code: CodeFactory, offline_api
):
    code = make_code.issue(web_app.application, audience=ORDERS, scopes=OFFLINE_SCOPES)
    get_token = GetToken(server, web_app.client_id, client_secret=web_app.secret, protocol="http")
    first = get_token.authorization_code(code=code, redirect_uri=CALLBACK)
    assert "offline_access" in first["scope"].split()

    refreshed = get_token.refresh_token(first["refresh_token"], scope="")

    assert refreshed["scope"] == first["scope"]
    assert "refresh_token" not in refreshed  # non-rotating: the client keeps its token
    assert signing.verify(refreshed["access_token"], audience=ORDERS)["gty"] == "refresh_token"


def test_auth0_python_rotation_and_reuse(server, spa, make_code: CodeFactory, offline_api):
    # A SPA rotates by default; no secret (public client).
    code = make_code.issue_pkce(spa.application, audience=ORDERS, scopes=OFFLINE_SCOPES)
    get_token = GetToken(server, spa.client_id, protocol="http")
    from tests.applications.conftest import SPA_CALLBACK, VERIFIER

    first = get_token.authorization_code_pkce(VERIFIER, code, redirect_uri=SPA_CALLBACK)
    rotating(spa.application, leeway=0)

    second = get_token.refresh_token(first["refresh_token"])
    assert second["refresh_token"] != first["refresh_token"]

    with pytest.raises(Auth0Error) as refused:
        get_token.refresh_token(first["refresh_token"])
    assert refused.value.status_code == 403
    assert refused.value.error_code == "invalid_grant"
    # auth0-spa-js keys on this substring.
    assert "invalid refresh token" in refused.value.message
    with pytest.raises(Auth0Error):  # the whole family went with it
        get_token.refresh_token(second["refresh_token"])


def test_authlib_refresh_token(live_server, monkeypatch, web_app, make_code, offline_api):
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    rotating(web_app.application, leeway=10)
    code = make_code.issue(web_app.application, audience=ORDERS, scopes=OFFLINE_SCOPES)
    session = OAuth2Session(
        web_app.client_id,
        web_app.secret,
        token_endpoint_auth_method="client_secret_basic",
        redirect_uri=CALLBACK,
        scope=" ".join(OFFLINE_SCOPES),
        state="xyz",
    )
    token = session.fetch_token(
        live_server.url + "/oauth/token",
        authorization_response=f"{CALLBACK}?code={code}&state=xyz",
    )
    first_refresh = token["refresh_token"]

    refreshed = session.refresh_token(live_server.url + "/oauth/token")

    assert refreshed["refresh_token"] != first_refresh
    assert refreshed["scope"] == " ".join(OFFLINE_SCOPES)
    assert session.token["refresh_token"] == refreshed["refresh_token"]
    again = session.refresh_token(live_server.url + "/oauth/token")
    assert again["refresh_token"] not in (first_refresh, refreshed["refresh_token"])
