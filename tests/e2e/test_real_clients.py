"""The sign-in flow with real, unmodified clients against the live server (issue 10,
section 4): Node's openid-client v6, Authlib's OAuth2Session, auth0-python, and an API that
verifies access tokens with pyjwt and the published JWKS. The person's part (sign-in,
consent) is plain HTML forms, driven by end_user.Person; the browser version is
test_walkthrough.py."""

import secrets
import time
from urllib.parse import urlencode, urlsplit

import jwt
import pytest
import requests
from auth0.authentication import GetToken, Users
from auth0.authentication.exceptions import Auth0Error
from auth0.authentication.token_verifier import AsymmetricSignatureVerifier, TokenVerifier
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from bs4 import BeautifulSoup

from applications import clients
from applications.models import AppType, TokenEndpointAuthMethod

from .end_user import (
    API_TOKEN_LIFETIME,
    AUDIENCE,
    EMAIL,
    EMAIL_CLAIMS,
    ID_TOKEN_LIFETIME,
    PROFILE_CLAIMS,
    TIMEOUT,
    OpenIdClient,
    Person,
    authorize_url,
    create_browser_client,
    s256,
    verify_rs256,
)

WEB_CALLBACK = "https://app.example/callback"
WEB_SIGNED_OUT = "https://app.example/signed-out"
SPA_CALLBACK = "https://spa.example/callback"
SPA_SIGNED_OUT = "https://spa.example/"
FULL_SCOPE = "openid profile email read:stock"


def web_app(auth_method: str = TokenEndpointAuthMethod.CLIENT_SECRET_POST):
    return create_browser_client(
        "Stock web",
        AppType.REGULAR_WEB,
        callbacks=[WEB_CALLBACK],
        logout_urls=[WEB_SIGNED_OUT],
        auth_method=auth_method,
    )


def public_app(app_type: str = AppType.SPA):
    return create_browser_client(
        "Stock SPA", app_type, callbacks=[SPA_CALLBACK], logout_urls=[SPA_SIGNED_OUT]
    )


def assert_id_token_claims(claims: dict, base_url: str, client_id: str, user, nonce=None):
    """AUTH0_USER_FLOWS.md section 5.1, for a code flow without max_age."""
    assert claims["iss"] == base_url + "/"
    assert claims["aud"] == client_id
    assert claims["sub"] == user.user_id
    assert claims["exp"] - claims["iat"] == ID_TOKEN_LIFETIME
    assert abs(claims["iat"] - time.time()) < 60
    assert isinstance(claims["sid"], str) and claims["sid"]
    if nonce is not None:
        assert claims["nonce"] == nonce
    assert "auth_time" not in claims  # only with max_age
    assert "at_hash" not in claims and "c_hash" not in claims  # implicit and hybrid only


def assert_full_profile(claims: dict, user) -> None:
    """The profile and email claims of a user who granted `openid profile email`."""
    assert claims["sub"] == user.user_id
    assert claims["email"] == EMAIL
    assert claims["email_verified"] is True
    assert claims["name"] == "Ada Lovelace"
    assert claims["nickname"] == "ada"
    assert claims["updated_at"].endswith("Z")


def assert_user_access_token(
    token: str, base_url: str, client_id: str, user, scope: str, with_openid: bool = True
) -> dict:
    """Verified as an API verifies it; `aud` as section 5.2."""
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header["typ"] == "JWT" and header["kid"]
    claims = verify_rs256(base_url, token, AUDIENCE)
    expected_aud = [AUDIENCE, base_url + "/userinfo"] if with_openid else AUDIENCE
    assert claims["aud"] == expected_aud
    assert claims["iss"] == base_url + "/"
    assert claims["sub"] == user.user_id
    assert claims["azp"] == client_id
    assert claims["scope"] == scope
    assert claims["exp"] - claims["iat"] == API_TOKEN_LIFETIME
    assert "gty" not in claims  # only client-credentials, password and refresh tokens
    return claims


# openid-client v6 ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "auth_method",
    [TokenEndpointAuthMethod.CLIENT_SECRET_POST, TokenEndpointAuthMethod.CLIENT_SECRET_BASIC],
)
def test_openid_client_regular_web_app(gatehouse, inventory, ada, auth_method):
    app = web_app(auth_method)
    if auth_method == TokenEndpointAuthMethod.CLIENT_SECRET_BASIC:
        # ClientSecretBasic form-URL-encodes the secret (RFC 6749 section 2.3.1): only a
        # secret with a character it changes proves the server decodes it.
        while not set(app.secret) & set("-_."):
            app.secret = clients.rotate_client_secret(app.application)
    rp = OpenIdClient(
        issuer=gatehouse + "/",
        client_id=app.client_id,
        client_secret=app.secret,
        auth="basic" if auth_method == TokenEndpointAuthMethod.CLIENT_SECRET_BASIC else "post",
        redirect_uri=WEB_CALLBACK,
        scope=FULL_SCOPE,
        audience=AUDIENCE,
    )
    try:
        assert rp.server["issuer"] == gatehouse + "/"
        assert rp.server["authorization_endpoint"] == gatehouse + "/authorize"
        assert rp.authorization_url.startswith(gatehouse + "/authorize?")
        journey = Person().authorize(rp.authorization_url, WEB_CALLBACK)
        # First sign-in: a first-party app on an API without the skip flag asks for consent.
        assert journey.pages == ["login", "consent"]
        assert "Stock web" in journey.consent_text and "Inventory" in journey.consent_text
        assert "Read stock" in journey.consent_text
        assert set(journey.params) == {"code", "state"}
        result = rp.finish(journey.callback)
    finally:
        rp.close()

    tokens = result["tokens"]
    assert tokens["token_type"] == "bearer"  # oauth4webapi lowercases it
    assert tokens["expires_in"] == API_TOKEN_LIFETIME
    assert tokens["scope"] == FULL_SCOPE
    assert "refresh_token" not in tokens  # offline_access was not asked for
    claims = result["id_token_claims"]
    assert_id_token_claims(claims, gatehouse, app.client_id, ada)
    assert_full_profile(claims, ada)
    assert_full_profile(result["userinfo"], ada)
    assert set(result["userinfo"]) <= {"sub"} | PROFILE_CLAIMS | EMAIL_CLAIMS
    assert_user_access_token(tokens["access_token"], gatehouse, app.client_id, ada, FULL_SCOPE)


@pytest.mark.parametrize("app_type", [AppType.SPA, AppType.NATIVE])
def test_openid_client_public_client(gatehouse, inventory, ada, app_type):
    app = public_app(app_type)
    rp = OpenIdClient(
        issuer=gatehouse + "/",
        client_id=app.client_id,
        auth="none",
        redirect_uri=SPA_CALLBACK,
        scope="openid email read:stock",
        audience=AUDIENCE,
    )
    try:
        journey = Person().authorize(rp.authorization_url, SPA_CALLBACK)
        assert journey.pages == ["login", "consent"]
        result = rp.finish(journey.callback)
    finally:
        rp.close()

    assert result["tokens"]["scope"] == "openid email read:stock"
    claims = result["id_token_claims"]
    assert_id_token_claims(claims, gatehouse, app.client_id, ada)
    assert not set(claims) & PROFILE_CLAIMS  # `profile` was not asked for
    # Claims by scope: `email` releases exactly these.
    assert result["userinfo"] == {"sub": ada.user_id, "email": EMAIL, "email_verified": True}
    assert_user_access_token(
        result["tokens"]["access_token"], gatehouse, app.client_id, ada, "openid email read:stock"
    )


def test_openid_client_max_age_gets_auth_time(gatehouse, inventory, ada):
    app = web_app()
    rp = OpenIdClient(
        issuer=gatehouse + "/",
        client_id=app.client_id,
        client_secret=app.secret,
        auth="post",
        redirect_uri=WEB_CALLBACK,
        scope="openid read:stock",
        audience=AUDIENCE,
        max_age=600,
    )
    try:
        journey = Person().authorize(rp.authorization_url, WEB_CALLBACK)
        result = rp.finish(journey.callback)
    finally:
        rp.close()
    claims = result["id_token_claims"]
    # openid-client checked auth_time against max_age; it is the sign-in just made.
    assert claims["iat"] - 60 <= claims["auth_time"] <= claims["iat"]


def test_openid_client_without_audience_gets_a_userinfo_only_token(gatehouse, ada):
    app = web_app()
    rp = OpenIdClient(
        issuer=gatehouse + "/",
        client_id=app.client_id,
        client_secret=app.secret,
        auth="post",
        redirect_uri=WEB_CALLBACK,
        scope="openid profile",
    )
    try:
        journey = Person().authorize(rp.authorization_url, WEB_CALLBACK)
        result = rp.finish(journey.callback)
    finally:
        rp.close()
    # No audience and no tenant default: an opaque token, good at /userinfo only (section 1.5).
    access_token = result["tokens"]["access_token"]
    assert access_token.count(".") != 2
    assert result["tokens"]["expires_in"] == 86400
    assert result["userinfo"]["sub"] == ada.user_id
    assert result["userinfo"]["name"] == "Ada Lovelace"
    assert not set(result["userinfo"]) & EMAIL_CLAIMS


def test_openid_client_end_session(gatehouse, inventory, ada):
    app = web_app()
    person = Person()
    rp = OpenIdClient(
        issuer=gatehouse + "/",
        client_id=app.client_id,
        client_secret=app.secret,
        auth="post",
        redirect_uri=WEB_CALLBACK,
        scope="openid profile read:stock",
        audience=AUDIENCE,
        post_logout_redirect_uri=WEB_SIGNED_OUT,
        logout_state="bye-42",
    )
    try:
        journey = person.authorize(rp.authorization_url, WEB_CALLBACK)
        result = rp.finish(journey.callback)
    finally:
        rp.close()
    assert rp.server["end_session_endpoint"] == gatehouse + "/oidc/logout"
    silent = authorize_url(
        gatehouse,
        app.client_id,
        WEB_CALLBACK,
        scope="openid profile read:stock",
        audience=AUDIENCE,
        prompt="none",
        state="s1",
    )
    # Signed in, and the grant is remembered: prompt=none gets a code without any page.
    before = person.authorize(silent, WEB_CALLBACK)
    assert before.pages == [] and set(before.params) == {"code", "state"}

    end_session = urlsplit(result["end_session_url"])
    assert f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == (
        gatehouse + "/oidc/logout"
    )
    response = person.http.get(result["end_session_url"], allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 302, response.text[:2000]
    assert response.headers["Location"] == WEB_SIGNED_OUT + "?state=bye-42"

    after = person.authorize(silent, WEB_CALLBACK)
    assert after.pages == []
    assert after.params == {
        "error": "login_required",
        "error_description": "Login required",
        "state": "s1",
    }


# Authlib --------------------------------------------------------------------------------------


def test_authlib_client_secret_basic(gatehouse, inventory, ada):
    app = web_app(TokenEndpointAuthMethod.CLIENT_SECRET_BASIC)
    session = OAuth2Session(
        app.client_id,
        app.secret,
        scope=FULL_SCOPE,
        redirect_uri=WEB_CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    verifier, nonce = generate_token(48), generate_token(20)
    url, state = session.create_authorization_url(
        gatehouse + "/authorize", code_verifier=verifier, nonce=nonce, audience=AUDIENCE
    )
    journey = Person().authorize(url, WEB_CALLBACK)
    assert journey.params["state"] == state
    # Authlib checks `state` against the session's and sends the secret as HTTP Basic.
    token = session.fetch_token(
        gatehouse + "/oauth/token",
        authorization_response=journey.callback,
        code_verifier=verifier,
    )
    assert set(token) == {"access_token", "id_token", "scope", "expires_in", "token_type"} | {
        "expires_at"  # added by Authlib
    }
    assert token["token_type"] == "Bearer" and token["expires_in"] == API_TOKEN_LIFETIME
    assert token["scope"] == FULL_SCOPE
    claims = verify_rs256(gatehouse, token["id_token"], app.client_id)
    assert_id_token_claims(claims, gatehouse, app.client_id, ada, nonce=nonce)
    assert_full_profile(claims, ada)
    assert_user_access_token(token["access_token"], gatehouse, app.client_id, ada, FULL_SCOPE)

    userinfo = session.get(gatehouse + "/userinfo", timeout=TIMEOUT)
    assert userinfo.status_code == 200
    assert_full_profile(userinfo.json(), ada)


def test_authlib_public_client(gatehouse, inventory, ada):
    app = public_app()
    session = OAuth2Session(
        app.client_id,
        scope="openid profile read:stock",
        redirect_uri=SPA_CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    verifier, nonce = generate_token(48), generate_token(20)
    url, _ = session.create_authorization_url(
        gatehouse + "/authorize", code_verifier=verifier, nonce=nonce, audience=AUDIENCE
    )
    journey = Person().authorize(url, SPA_CALLBACK)
    token = session.fetch_token(
        gatehouse + "/oauth/token",
        authorization_response=journey.callback,
        code_verifier=verifier,
    )
    claims = verify_rs256(gatehouse, token["id_token"], app.client_id)
    assert_id_token_claims(claims, gatehouse, app.client_id, ada, nonce=nonce)
    assert_user_access_token(
        token["access_token"], gatehouse, app.client_id, ada, "openid profile read:stock"
    )
    userinfo = session.get(gatehouse + "/userinfo", timeout=TIMEOUT)
    assert userinfo.status_code == 200
    assert userinfo.json()["sub"] == ada.user_id
    assert not set(userinfo.json()) & EMAIL_CLAIMS


def test_authlib_public_client_without_verifier_is_refused(gatehouse, inventory, ada):
    """The same public client, with the code but not the verifier: PKCE is what
    authenticates it, so the exchange fails with Auth0's text (section 3.3)."""
    app = public_app()
    session = OAuth2Session(
        app.client_id,
        scope="openid",
        redirect_uri=SPA_CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    url, _ = session.create_authorization_url(
        gatehouse + "/authorize", code_verifier=generate_token(48), audience=AUDIENCE
    )
    journey = Person().authorize(url, SPA_CALLBACK)
    wrong = generate_token(48)
    response = requests.post(
        gatehouse + "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "client_id": app.client_id,
            "code": journey.params["code"],
            "redirect_uri": SPA_CALLBACK,
            "code_verifier": wrong,
        },
        timeout=TIMEOUT,
    )
    assert response.status_code == 403
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "Failed to verify code verifier",
    }


# auth0-python --------------------------------------------------------------------------------


def test_auth0_python_authorization_code(gatehouse, inventory, ada):
    app = web_app()
    domain = urlsplit(gatehouse).netloc
    nonce, state = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    url = authorize_url(
        gatehouse,
        app.client_id,
        WEB_CALLBACK,
        scope=FULL_SCOPE,
        audience=AUDIENCE,
        state=state,
        nonce=nonce,
    )
    journey = Person().authorize(url, WEB_CALLBACK)
    assert journey.params["state"] == state
    # JSON body, client_secret in it, an Auth0-Client header.
    token = GetToken(domain, app.client_id, client_secret=app.secret, protocol="http")
    response = token.authorization_code(code=journey.params["code"], redirect_uri=WEB_CALLBACK)
    assert set(response) == {"access_token", "id_token", "scope", "expires_in", "token_type"}
    verifier = TokenVerifier(
        signature_verifier=AsymmetricSignatureVerifier(gatehouse + "/.well-known/jwks.json"),
        issuer=gatehouse + "/",
        audience=app.client_id,
    )
    claims = verifier.verify(response["id_token"], nonce=nonce)
    assert_id_token_claims(claims, gatehouse, app.client_id, ada, nonce=nonce)
    profile = Users(domain, protocol="http").userinfo(response["access_token"])
    assert_full_profile(profile, ada)

    # The same code again: single use (section 3.4).
    with pytest.raises(Auth0Error) as reused:
        token.authorization_code(code=journey.params["code"], redirect_uri=WEB_CALLBACK)
    assert (reused.value.status_code, reused.value.error_code, reused.value.message) == (
        403,
        "invalid_grant",
        "Invalid authorization code",
    )


def test_auth0_python_authorization_code_pkce(gatehouse, inventory, ada):
    app = public_app(AppType.NATIVE)
    domain = urlsplit(gatehouse).netloc
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url = authorize_url(
        gatehouse,
        app.client_id,
        SPA_CALLBACK,
        scope="openid profile email",
        audience=AUDIENCE,
        state="xyz",
        nonce=nonce,
        code_challenge=s256(verifier),
        code_challenge_method="S256",
    )
    journey = Person().authorize(url, SPA_CALLBACK)
    # No secret: client_id, code_verifier, code, redirect_uri as JSON.
    response = GetToken(domain, app.client_id, protocol="http").authorization_code_pkce(
        code_verifier=verifier, code=journey.params["code"], redirect_uri=SPA_CALLBACK
    )
    assert response["scope"] == "openid profile email"
    claims = TokenVerifier(
        signature_verifier=AsymmetricSignatureVerifier(gatehouse + "/.well-known/jwks.json"),
        issuer=gatehouse + "/",
        audience=app.client_id,
    ).verify(response["id_token"], nonce=nonce)
    assert_full_profile(claims, ada)
    assert_full_profile(Users(domain, protocol="http").userinfo(response["access_token"]), ada)


# The access token at an API and at /userinfo -------------------------------------------------


def _code(gatehouse, app, scope: str, person=None, **params):
    person = person or Person()
    url = authorize_url(gatehouse, app.client_id, WEB_CALLBACK, scope=scope, **params)
    return person.authorize(url, WEB_CALLBACK).params["code"]


def _redeem(gatehouse, app, code: str, *, as_json: bool = False) -> requests.Response:
    """POST /oauth/token for `code`, with the web app's secret in the body (form or JSON)."""
    body = {
        "grant_type": "authorization_code",
        "client_id": app.client_id,
        "client_secret": app.secret,
        "code": code,
        "redirect_uri": WEB_CALLBACK,
    }
    encoding = {"json": body} if as_json else {"data": body}
    return requests.post(gatehouse + "/oauth/token", **encoding, timeout=TIMEOUT)


def test_access_token_verified_as_an_api_would(gatehouse, inventory, ada):
    app = web_app()
    response = _redeem(gatehouse, app, _code(gatehouse, app, FULL_SCOPE, audience=AUDIENCE))
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"
    body = response.json()
    assert set(body) == {"access_token", "id_token", "scope", "expires_in", "token_type"}
    assert (body["token_type"], body["expires_in"], body["scope"]) == (
        "Bearer",
        API_TOKEN_LIFETIME,
        FULL_SCOPE,
    )
    access_token = body["access_token"]
    assert_user_access_token(access_token, gatehouse, app.client_id, ada, FULL_SCOPE)
    # An API with another identifier refuses it; so does one expecting the ID token's audience.
    with pytest.raises(jwt.InvalidAudienceError):
        verify_rs256(gatehouse, access_token, "https://other.example/api")
    with pytest.raises(jwt.InvalidAudienceError):
        verify_rs256(gatehouse, body["id_token"], AUDIENCE)

    for method in ("GET", "POST"):
        userinfo = requests.request(
            method,
            gatehouse + "/userinfo",
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=TIMEOUT,
        )
        assert userinfo.status_code == 200, (method, userinfo.text)
        assert userinfo.headers["Content-Type"] == "application/json"
        assert_full_profile(userinfo.json(), ada)

    missing = requests.get(gatehouse + "/userinfo", timeout=TIMEOUT)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    tampered = access_token[:-4] + ("AAAA" if not access_token.endswith("AAAA") else "BBBB")
    refused = requests.get(
        gatehouse + "/userinfo",
        headers={"Authorization": f"Bearer {tampered}"},
        timeout=TIMEOUT,
    )
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]


def test_access_token_without_openid_is_for_the_api_only(gatehouse, inventory, ada):
    app = web_app()
    code = _code(gatehouse, app, "read:stock", audience=AUDIENCE)
    response = _redeem(gatehouse, app, code, as_json=True)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "scope", "expires_in", "token_type"}  # no ID token
    assert_user_access_token(
        body["access_token"], gatehouse, app.client_id, ada, "read:stock", with_openid=False
    )
    userinfo = requests.get(
        gatehouse + "/userinfo",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=TIMEOUT,
    )
    assert userinfo.status_code == 401
    assert 'error="invalid_token"' in userinfo.headers["WWW-Authenticate"]


# Logout, auth0-spa-js style ----------------------------------------------------------------


def test_v2_logout_with_client_id_and_return_to(gatehouse, inventory, ada):
    app = public_app()
    person = Person()
    verifier = secrets.token_urlsafe(48)
    sign_in = authorize_url(
        gatehouse,
        app.client_id,
        SPA_CALLBACK,
        scope="openid profile",
        audience=AUDIENCE,
        code_challenge=s256(verifier),
        code_challenge_method="S256",
    )
    assert person.authorize(sign_in, SPA_CALLBACK).pages == ["login", "consent"]
    silent = authorize_url(
        gatehouse,
        app.client_id,
        SPA_CALLBACK,
        scope="openid profile",
        audience=AUDIENCE,
        code_challenge=s256(verifier),
        code_challenge_method="S256",
        prompt="none",
        state="t2",
    )
    silently = person.authorize(silent, SPA_CALLBACK)
    assert set(silently.params) == {"code", "state"}, silently.params

    # A returnTo outside the allow-list is an error page, not a redirect. The session ends
    # anyway (logout_endpoints.v2_logout: the user asked to log out).
    evil = (
        gatehouse
        + "/v2/logout?"
        + urlencode({"client_id": app.client_id, "returnTo": "https://evil.example/"})
    )
    refused = person.http.get(evil, allow_redirects=False, timeout=TIMEOUT)
    assert refused.status_code == 400
    assert "Location" not in refused.headers
    assert (
        'The "returnTo" querystring parameter "https://evil.example/" is not defined as a '
        'valid URL in "Allowed Logout URLs".'
    ) in BeautifulSoup(refused.text, "html.parser").get_text(" ", strip=True)
    assert person.authorize(silent, SPA_CALLBACK).params["error"] == "login_required"
    # Signed in again (the grant is remembered: no consent), silent authentication works.
    assert person.authorize(sign_in, SPA_CALLBACK).pages == ["login"]
    assert set(person.authorize(silent, SPA_CALLBACK).params) == {"code", "state"}

    # What auth0-spa-js's logout() builds.
    logout = (
        gatehouse
        + "/v2/logout?"
        + urlencode({"client_id": app.client_id, "returnTo": SPA_SIGNED_OUT})
    )
    response = person.http.get(logout, allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 302
    assert response.headers["Location"] == SPA_SIGNED_OUT
    assert person.authorize(silent, SPA_CALLBACK).params == {
        "error": "login_required",
        "error_description": "Login required",
        "state": "t2",
    }


def test_wrong_secret_is_refused_for_real_clients(gatehouse, inventory, ada):
    """auth0-python with a wrong secret: 401 access_denied (section 3.3)."""
    app = web_app()
    code = _code(gatehouse, app, "openid", audience=AUDIENCE)
    domain = urlsplit(gatehouse).netloc
    with pytest.raises(Auth0Error) as refused:
        GetToken(
            domain, app.client_id, client_secret="not-the-secret", protocol="http"
        ).authorization_code(code=code, redirect_uri=WEB_CALLBACK)
    assert (refused.value.status_code, refused.value.error_code, refused.value.message) == (
        401,
        "access_denied",
        "Unauthorized",
    )
