"""ID tokens from the code exchange (AUTH0_USER_FLOWS.md section 5.1, OIDC Core section 2):
claims by scope in Auth0's order, nonce, sid, auth_time, lifetime; RS256 verified against
the published JWKS, HS256 with the client secret."""

import datetime as dt
import json

import jwt
import pytest
from django.conf import settings

from applications import id_tokens
from applications.userinfo import iso_timestamp
from keys import signing
from tests.applications.conftest import CALLBACK, use_hs256_id_tokens


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


def verified(client, id_token: str, audience: str) -> dict:
    """The claims, verified the way an RP does: the key from the JWKS by kid, RS256 pinned."""
    document = json.loads(client.get("/.well-known/jwks.json").content)
    kid = jwt.get_unverified_header(id_token)["kid"]
    key = next(jwt.PyJWK(jwk).key for jwk in document["keys"] if jwk["kid"] == kid)
    return jwt.decode(
        id_token,
        key,
        algorithms=["RS256"],
        audience=audience,
        issuer=settings.ISSUER,
        options={"require": ["iss", "sub", "aud", "exp", "iat"]},
    )


def test_rs256_id_token_with_every_claim(client, post_token, web_app, make_code, end_user):
    code = make_code.issue(web_app.application)

    id_token = exchange(post_token, web_app, code)["id_token"]

    assert jwt.get_unverified_header(id_token) == {
        "alg": "RS256",
        "typ": "JWT",
        "kid": signing.current_kid(),
    }
    claims = verified(client, id_token, web_app.client_id)
    end_user.refresh_from_db()
    assert claims == {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "nickname": "ada",
        "name": "Ada Lovelace",
        "picture": "https://cdn.example/ada.png",
        "updated_at": iso_timestamp(end_user.updated_at),
        "email": "ada@example.com",
        "email_verified": True,
        "iss": settings.ISSUER,
        "sub": end_user.user_id,
        "aud": web_app.client_id,
        "iat": claims["iat"],
        "exp": claims["iat"] + 36000,
        "sid": make_code.session.id,
        "nonce": "n-0S6_WzA2Mj",
    }
    # Auth0's order: profile, email, then the registered claims.
    assert list(claims)[:8] == [
        "given_name",
        "family_name",
        "nickname",
        "name",
        "picture",
        "updated_at",
        "email",
        "email_verified",
    ]
    assert claims["iss"].endswith("/")
    assert "at_hash" not in claims and "c_hash" not in claims and "auth_time" not in claims


def test_updated_at_is_auth0s_iso_text():
    moment = dt.datetime(2023, 1, 25, 19, 0, 26, 187654, tzinfo=dt.UTC)

    assert iso_timestamp(moment) == "2023-01-25T19:00:26.187Z"


@pytest.mark.parametrize(
    ("scopes", "present", "absent"),
    [
        (["openid"], set(), {"name", "email", "updated_at"}),
        (["openid", "email"], {"email", "email_verified"}, {"name", "nickname", "updated_at"}),
        (["openid", "profile"], {"name", "nickname", "updated_at"}, {"email", "email_verified"}),
    ],
)
def test_claims_follow_the_granted_scopes(
    client, post_token, web_app, make_code, scopes, present, absent
):
    code = make_code.issue(web_app.application, scopes=scopes)

    claims = verified(client, exchange(post_token, web_app, code)["id_token"], web_app.client_id)

    assert present <= set(claims)
    assert not absent & set(claims)


def test_empty_profile_fields_are_left_out(client, post_token, web_app, make_code, end_user):
    end_user.given_name = end_user.family_name = end_user.picture = ""
    end_user.save()
    code = make_code.issue(web_app.application, scopes=["openid", "profile"])

    claims = verified(client, exchange(post_token, web_app, code)["id_token"], web_app.client_id)

    assert "given_name" not in claims and "family_name" not in claims
    assert "picture" not in claims


def test_nonce_is_echoed_exactly_and_only_when_sent(client, post_token, web_app, make_code):
    odd = "ü nonce with spaces & <symbols> \u2603"
    with_nonce = make_code.issue(web_app.application, nonce=odd)
    without = make_code.issue(web_app.application, nonce="")

    first = verified(
        client, exchange(post_token, web_app, with_nonce)["id_token"], web_app.client_id
    )
    second = verified(client, exchange(post_token, web_app, without)["id_token"], web_app.client_id)

    assert first["nonce"] == odd
    assert "nonce" not in second


def test_auth_time_when_max_age_was_sent(client, post_token, web_app, make_code):
    auth_time = make_code.session.authenticated_at
    code = make_code.issue(web_app.application, include_auth_time=True)

    claims = verified(client, exchange(post_token, web_app, code)["id_token"], web_app.client_id)

    assert claims["auth_time"] == int(auth_time.timestamp())


def test_lifetime_is_the_client_s(client, post_token, web_app, make_code):
    web_app.application.id_token_lifetime = 600
    web_app.application.save(update_fields=["id_token_lifetime"])
    code = make_code.issue(web_app.application)

    claims = verified(client, exchange(post_token, web_app, code)["id_token"], web_app.client_id)

    assert claims["exp"] - claims["iat"] == 600


def test_hs256_id_token_signed_with_the_client_secret(post_token, web_app, make_code):
    use_hs256_id_tokens(web_app)
    code = make_code.issue(web_app.application)

    id_token = exchange(post_token, web_app, code)["id_token"]

    assert jwt.get_unverified_header(id_token) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(
        id_token,
        web_app.secret,
        algorithms=["HS256"],
        audience=web_app.client_id,
        issuer=settings.ISSUER,
    )
    assert claims["sub"] == make_code.user.user_id
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(id_token, "another secret", algorithms=["HS256"], audience=web_app.client_id)


def test_claims_function_without_session_or_nonce(web_app, end_user):
    claims = id_tokens.claims(
        application=web_app.application,
        user=end_user,
        scopes=["openid"],
        issued_at=1000,
        session_id="",
        nonce="",
        auth_time=None,
    )

    assert claims == {
        "iss": settings.ISSUER,
        "sub": end_user.user_id,
        "aud": web_app.client_id,
        "iat": 1000,
        "exp": 37000,
    }
