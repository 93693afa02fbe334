"""The access token of an authorization-code exchange (AUTH0_USER_FLOWS.md sections 1.5 and
5.2): the aud rules, azp, scope, no gty, the API's lifetime and dialect, and the opaque
/userinfo token when the code names no API. Verified with PyJWT as a resource server would."""

import json

import jwt
import pytest
from django.conf import settings

from apis import resource_servers
from apis.models import Scope
from applications import user_access_tokens
from applications.models import OpaqueAccessToken
from keys import signing
from tests.applications.conftest import CALLBACK

ORDERS = "https://orders.example/api"
LEDGER = "https://ledger.example/"


def exchange(post_token, client, code) -> dict:
    response = post_token(
        {
            "grant_type": "authorization_code",
            "client_id": client.client_id,
            "client_secret": client.secret,
            "code": code,
            "redirect_uri": CALLBACK,
        }
    )
    assert response.status_code == 200, response.content
    return response.json()


def jwks_key(client, token: str):
    """The verification key for `token`, taken from the published JWKS as a verifier would."""
    document = json.loads(client.get("/.well-known/jwks.json").content)
    kid = jwt.get_unverified_header(token)["kid"]
    return next(jwt.PyJWK(key).key for key in document["keys"] if key["kid"] == kid)


def test_rs256_api_with_openid_has_two_audiences(
    client, post_token, web_app, make_code, orders_api
):
    scopes = ["openid", "profile", "read:orders"]
    code = make_code.issue(web_app.application, audience=ORDERS, scopes=scopes)

    body = exchange(post_token, web_app, code)

    token = body["access_token"]
    assert jwt.get_unverified_header(token) == {
        "alg": "RS256",
        "typ": "JWT",
        "kid": signing.current_kid(),
    }
    claims = jwt.decode(
        token,
        jwks_key(client, token),
        algorithms=["RS256"],
        audience=ORDERS,
        issuer=settings.ISSUER,
    )
    assert list(claims) == ["iss", "sub", "aud", "iat", "exp", "scope", "azp", "sid", "jti"]
    assert claims["iss"] == settings.ISSUER and settings.ISSUER.endswith("/")
    assert claims["sub"] == make_code.user.user_id
    assert claims["aud"] == [ORDERS, settings.USERINFO_AUDIENCE]
    assert claims["azp"] == web_app.client_id
    assert claims["scope"] == "openid profile read:orders"
    assert claims["exp"] - claims["iat"] == 86400
    assert claims["sid"] == make_code.session.id
    assert "gty" not in claims
    assert body["scope"] == "openid profile read:orders"
    assert body["expires_in"] == 86400
    # The same token is good at /userinfo.
    response = client.get("/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["sub"] == make_code.user.user_id


def test_rs256_api_without_openid_has_one_audience_and_no_id_token(
    post_token, web_app, make_code, orders_api
):
    code = make_code.issue(web_app.application, audience=ORDERS, scopes=["read:orders"])

    body = exchange(post_token, web_app, code)

    assert list(body) == ["access_token", "scope", "expires_in", "token_type"]
    claims = signing.verify(body["access_token"], audience=ORDERS)
    assert claims["aud"] == ORDERS


def test_hs256_api_with_openid_has_the_api_string_as_audience(
    client, post_token, web_app, make_code, hs256_api
):
    code = make_code.issue(web_app.application, audience=LEDGER, scopes=["openid", "read:ledger"])

    body = exchange(post_token, web_app, code)

    token = body["access_token"]
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(
        token, hs256_api.secret, algorithms=["HS256"], audience=LEDGER, issuer=settings.ISSUER
    )
    assert claims["aud"] == LEDGER
    assert claims["azp"] == web_app.client_id
    assert "id_token" in body
    # Not a /userinfo token: its audience is the API alone.
    response = client.get("/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_rfc9068_profile_dialect(post_token, web_app, make_code, orders_api):
    resource_servers.update_api(
        orders_api, token_dialect="rfc9068_profile", token_lifetime=600, token_lifetime_for_web=600
    )
    code = make_code.issue(web_app.application, audience=ORDERS, scopes=["openid", "read:orders"])

    body = exchange(post_token, web_app, code)

    token = body["access_token"]
    assert jwt.get_unverified_header(token)["typ"] == "at+jwt"
    claims = signing.verify(token, audience=ORDERS)
    assert claims["client_id"] == web_app.client_id
    assert "azp" not in claims and "gty" not in claims
    assert isinstance(claims["jti"], str) and len(claims["jti"]) >= 16
    assert claims["exp"] - claims["iat"] == 600
    assert body["expires_in"] == 600


def test_scopes_the_server_no_longer_knows_are_not_granted(
    post_token, web_app, make_code, orders_api
):
    scopes = ["openid", "read:orders", "write:orders", "made:up", "offline_access", "phone"]
    code = make_code.issue(web_app.application, audience=ORDERS, scopes=scopes)
    Scope.objects.filter(api=orders_api, value="write:orders").delete()

    body = exchange(post_token, web_app, code)

    assert body["scope"] == "openid read:orders"
    assert signing.verify(body["access_token"], audience=ORDERS)["scope"] == "openid read:orders"
    # The API does not allow offline access: offline_access is left out and none is issued.
    assert "refresh_token" not in body


def test_no_audience_gives_an_opaque_userinfo_token(post_token, web_app, make_code):
    code = make_code.issue(web_app.application, scopes=["openid", "email", "read:orders"])

    body = exchange(post_token, web_app, code)

    token = body["access_token"]
    assert len(token) == 43 and "." not in token
    assert body["expires_in"] == 86400
    assert body["scope"] == "openid email"
    row = OpaqueAccessToken.objects.get()
    assert row.digest == user_access_tokens.opaque_digest(token) != token
    assert row.scopes == ["openid", "email"]
    assert row.user == make_code.user and row.application == web_app.application
    assert row.code_digest and row.code_digest != row.digest
    assert (row.expires_at - row.created_at).total_seconds() == 86400


def test_the_userinfo_audience_as_the_code_s_audience_is_opaque_too(post_token, web_app, make_code):
    code = make_code.issue(web_app.application, audience=settings.USERINFO_AUDIENCE)

    body = exchange(post_token, web_app, code)

    assert "." not in body["access_token"]


@pytest.mark.parametrize("audience", ["", ORDERS])
def test_no_scopes_at_all(post_token, web_app, make_code, orders_api, audience):
    code = make_code.issue(web_app.application, audience=audience, scopes=[])

    body = exchange(post_token, web_app, code)

    assert list(body) == ["access_token", "expires_in", "token_type"]
