"""GET and POST /userinfo (OIDC Core section 5.3, AUTH0_USER_FLOWS.md section 5.3): claims by
the token's scopes for each kind of token, and RFC 6750 section 3 challenges for every
refusal, exact headers."""

import datetime as dt
from urllib.parse import urlencode

import jwt
import pytest
from django.utils import timezone

from applications import user_access_tokens
from applications.models import OpaqueAccessToken
from keys import signing
from tests.applications.conftest import CALLBACK

ORDERS = "https://orders.example/api"
LEDGER = "https://ledger.example/"
REALM = 'Bearer realm="gatehouse"'


def invalid_token(description: str) -> str:
    return f'{REALM}, error="invalid_token", error_description="{description}"'


def tokens(post_token, client, code) -> dict:
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


@pytest.fixture
def opaque(post_token, web_app, make_code) -> str:
    code = make_code.issue(web_app.application, scopes=["openid", "profile", "email"])
    return tokens(post_token, web_app, code)["access_token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def assert_refused(response, status: int, challenge: str) -> None:
    assert response.status_code == status
    assert response["WWW-Authenticate"] == challenge
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"


# --- success -------------------------------------------------------------------------------


def test_get_with_the_opaque_token(client, opaque, end_user):
    response = client.get("/userinfo", headers=bearer(opaque))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"
    assert "WWW-Authenticate" not in response
    body = response.json()
    assert list(body) == [
        "sub",
        "given_name",
        "family_name",
        "nickname",
        "name",
        "picture",
        "updated_at",
        "email",
        "email_verified",
    ]
    assert body["sub"] == end_user.user_id
    assert body["email"] == "ada@example.com" and body["email_verified"] is True


def test_post_with_the_header_and_with_the_form_body(client, opaque, end_user):
    in_header = client.post("/userinfo", headers=bearer(opaque))
    in_body = client.post(
        "/userinfo",
        urlencode({"access_token": opaque}),
        content_type="application/x-www-form-urlencoded",
    )

    assert in_header.status_code == in_body.status_code == 200
    assert in_header.json() == in_body.json()


def test_bearer_scheme_is_case_insensitive(client, opaque):
    response = client.get("/userinfo", headers={"Authorization": f"bearer  {opaque}"})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("scopes", "keys"),
    [
        (["openid"], ["sub"]),
        (["openid", "email"], ["sub", "email", "email_verified"]),
        ([], ["sub"]),
    ],
)
def test_claims_follow_the_token_s_scopes(client, post_token, web_app, make_code, scopes, keys):
    code = make_code.issue(web_app.application, scopes=scopes)
    token = tokens(post_token, web_app, code)["access_token"]

    assert list(client.get("/userinfo", headers=bearer(token)).json()) == keys


def test_jwt_access_token_with_the_userinfo_audience(
    client, post_token, web_app, make_code, orders_api, end_user
):
    code = make_code.issue(web_app.application, audience=ORDERS, scopes=["openid", "email"])
    token = tokens(post_token, web_app, code)["access_token"]

    response = client.get("/userinfo", headers=bearer(token))

    assert response.status_code == 200
    assert response.json() == {
        "sub": end_user.user_id,
        "email": "ada@example.com",
        "email_verified": True,
    }


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("authorization", [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Token x"])
def test_no_bearer_token_is_a_challenge_without_error_code(client, db, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}

    response = client.get("/userinfo", headers=headers)

    assert_refused(response, 401, REALM)
    assert response.json()["error"] == "unauthorized"


@pytest.mark.parametrize(
    "token",
    ["unknown-token", "a.b.c", "x" * 9000, "not a b64token", "\u00e9t\u00e9", "a\x00b", "==="],
)
def test_unknown_or_malformed_token(client, db, tenant, token):
    response = client.get("/userinfo", headers={"Authorization": f"Bearer {token}"})

    assert_refused(response, 401, invalid_token("The access token is not valid."))
    assert response.json() == {
        "error": "invalid_token",
        "error_description": "The access token is not valid.",
    }


def test_expired_opaque_token(client, opaque):
    OpaqueAccessToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = client.get("/userinfo", headers=bearer(opaque))

    assert_refused(response, 401, invalid_token("The access token expired."))


def test_expired_jwt(client, web_app, end_user, orders_api):
    long_ago = timezone.now() - dt.timedelta(days=2)
    token = user_access_tokens.mint_jwt(
        api=orders_api,
        client_id=web_app.client_id,
        user=end_user,
        scopes=["openid"],
        session_id="",
        now=long_ago,
    ).token

    response = client.get("/userinfo", headers=bearer(token))

    assert_refused(response, 401, invalid_token("The access token expired."))


@pytest.mark.parametrize(
    ("audience", "scopes"),
    [(ORDERS, ["read:orders"]), (LEDGER, ["openid", "read:ledger"])],
)
def test_api_tokens_without_the_userinfo_audience(
    client, post_token, web_app, make_code, orders_api, hs256_api, audience, scopes
):
    code = make_code.issue(web_app.application, audience=audience, scopes=scopes)
    token = tokens(post_token, web_app, code)["access_token"]

    response = client.get("/userinfo", headers=bearer(token))

    assert_refused(response, 401, invalid_token("The access token is not valid."))


def test_an_id_token_is_not_an_access_token(client, post_token, web_app, make_code):
    code = make_code.issue(web_app.application)
    id_token = tokens(post_token, web_app, code)["id_token"]

    response = client.get("/userinfo", headers=bearer(id_token))

    assert response.status_code == 401


def test_a_client_credentials_token_is_refused(client, post_token, granted_client):
    response = post_token(
        {
            "grant_type": "client_credentials",
            "client_id": granted_client.client_id,
            "client_secret": granted_client.secret,
            "audience": ORDERS,
        }
    )

    refused = client.get("/userinfo", headers=bearer(response.json()["access_token"]))

    assert refused.status_code == 401


def test_forged_tokens(client, post_token, web_app, make_code, orders_api, end_user):
    code = make_code.issue(web_app.application, audience=ORDERS, scopes=["openid"])
    token = tokens(post_token, web_app, code)["access_token"]
    header, payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    unsigned = jwt.encode(claims, None, algorithm="none")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"

    for forged in (unsigned, tampered):
        assert client.get("/userinfo", headers=bearer(forged)).status_code == 401


def test_a_revoked_signing_key(client, post_token, web_app, make_code, orders_api):
    code = make_code.issue(web_app.application, audience=ORDERS, scopes=["openid"])
    token = tokens(post_token, web_app, code)["access_token"]
    old_kid = signing.current_kid()
    signing.rotate()
    signing.revoke(old_kid)

    assert client.get("/userinfo", headers=bearer(token)).status_code == 401


def test_blocked_user(client, opaque, end_user):
    end_user.blocked = True
    end_user.save(update_fields=["blocked"])

    response = client.get("/userinfo", headers=bearer(opaque))

    assert_refused(response, 401, invalid_token("user is blocked"))


def test_deleted_user(client, post_token, web_app, make_code, orders_api, end_user):
    code = make_code.issue(web_app.application, audience=ORDERS, scopes=["openid"])
    token = tokens(post_token, web_app, code)["access_token"]
    end_user.delete()

    response = client.get("/userinfo", headers=bearer(token))

    assert_refused(response, 401, invalid_token("The access token is not valid."))


def test_token_in_header_and_body_is_invalid_request(client, opaque):
    response = client.post(
        "/userinfo",
        urlencode({"access_token": opaque}),
        content_type="application/x-www-form-urlencoded",
        headers=bearer(opaque),
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert response["WWW-Authenticate"].startswith(f'{REALM}, error="invalid_request"')


def test_repeated_body_token_is_invalid_request(client, opaque):
    response = client.post(
        "/userinfo",
        urlencode([("access_token", opaque), ("access_token", opaque)]),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400


def test_body_token_on_get_or_in_json_is_not_read(client, opaque):
    as_json = client.post("/userinfo", {"access_token": opaque}, content_type="application/json")

    assert_refused(as_json, 401, REALM)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_405(client, db, method):
    response = getattr(client, method)("/userinfo")

    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert response.json()["error"] == "invalid_request"


def test_hostile_bodies_never_500(client, opaque):
    for body in (
        b"\xff\xfe",
        b"access_token=%FF%FE",
        b"&" * 20000,
        b"access_token=" + b"a" * 20000,
    ):
        response = client.post("/userinfo", body, content_type="application/x-www-form-urlencoded")
        assert response.status_code in (400, 401), body[:20]
