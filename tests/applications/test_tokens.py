"""The access tokens themselves: RS256 verified with PyJWT against the JWKS fetched over real
HTTP, HS256 verified with the API's secret, header and claims exactly as issue 2 lists."""

import base64
import json
import time

import jwt
import pytest
import requests

from apis import resource_servers
from applications import clients
from keys import signing
from tests.conftest import private_key_strings

ORDERS = "https://orders.example/api"
LEDGER = "https://ledger.example/"
ISSUER = "http://127.0.0.1:8000/"
CLAIMS = {"iss", "sub", "aud", "iat", "exp", "scope", "gty", "azp", "jti"}


def form(client, audience: str, **extra: str) -> dict:
    return {
        "grant_type": "client_credentials",
        "client_id": client.client_id,
        "client_secret": client.secret,
        "audience": audience,
        **extra,
    }


def assert_claims(claims: dict, client, audience: str, lifetime: int, scope: str | None) -> None:
    expected = CLAIMS if scope is not None else CLAIMS - {"scope"}
    assert set(claims) == expected
    assert claims["iss"] == ISSUER
    assert claims["sub"] == f"{client.client_id}@clients"
    assert claims["aud"] == audience
    assert claims["azp"] == client.client_id
    assert claims["gty"] == "client-credentials"
    assert claims.get("scope") == scope
    assert isinstance(claims["iat"], int)
    assert claims["exp"] == claims["iat"] + lifetime
    assert isinstance(claims["jti"], str) and len(claims["jti"]) >= 16


def test_rs256_token_verifies_against_jwks_over_http(live_server, granted_client):
    before = int(time.time())
    response = requests.post(f"{live_server.url}/oauth/token", data=form(granted_client, ORDERS))
    after = int(time.time())
    assert response.status_code == 200
    token = response.json()["access_token"]

    jwks_client = jwt.PyJWKClient(f"{live_server.url}/.well-known/jwks.json", cache_keys=False)
    signing_key = jwks_client.get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token, signing_key.key, algorithms=["RS256"], audience=ORDERS, issuer=ISSUER
    )

    assert_claims(claims, granted_client, ORDERS, 86400, "read:orders write:orders")
    assert before <= claims["iat"] <= after
    current = requests.get(f"{live_server.url}/.well-known/jwks.json").json()["keys"][0]
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT", "kid": current["kid"]}


def test_rs256_token_from_a_json_request_over_http(live_server, granted_client):
    response = requests.post(
        f"{live_server.url}/oauth/token",
        json={**form(granted_client, ORDERS, scope="read:orders"), "organization": None},
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"
    token = response.json()["access_token"]

    key = jwt.PyJWKClient(f"{live_server.url}/.well-known/jwks.json").get_signing_key_from_jwt(
        token
    )
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=ORDERS, issuer=ISSUER)

    assert_claims(claims, granted_client, ORDERS, 86400, "read:orders")


@pytest.fixture
def jwks_key(client):
    """The PyJWT key for a token's kid, from the JWKS as served (through the test client)."""

    def key_for(token: str):
        keys = client.get("/.well-known/jwks.json").json()["keys"]
        kid = jwt.get_unverified_header(token)["kid"]
        (jwk,) = [key for key in keys if key["kid"] == kid]
        return jwt.PyJWK(jwk).key

    return key_for


def test_rs256_token_is_not_valid_for_another_audience(post_token, granted_client, jwks_key):
    token = post_token(form(granted_client, ORDERS)).json()["access_token"]

    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(
            token, jwks_key(token), algorithms=["RS256"], audience=ORDERS + "/", issuer=ISSUER
        )


def test_each_token_has_its_own_jti(post_token, granted_client, jwks_key):
    tokens = [post_token(form(granted_client, ORDERS)).json()["access_token"] for _ in range(3)]

    jtis = {
        jwt.decode(t, jwks_key(t), algorithms=["RS256"], audience=ORDERS, issuer=ISSUER)["jti"]
        for t in tokens
    }

    assert len(jtis) == 3


def test_hs256_token_verifies_with_the_api_secret(post_token, m2m_client, hs256_api):
    clients.authorize(m2m_client.application, hs256_api.api, ["read:ledger"])
    before = int(time.time())

    response = post_token(form(m2m_client, LEDGER))

    assert response.status_code == 200
    assert response.json()["expires_in"] == 86400
    token = response.json()["access_token"]
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(
        token, hs256_api.secret, algorithms=["HS256"], audience=LEDGER, issuer=ISSUER
    )
    assert_claims(claims, m2m_client, LEDGER, 86400, "read:ledger")
    assert before <= claims["iat"] <= int(time.time())


def test_hs256_token_does_not_verify_with_another_secret(post_token, m2m_client, hs256_api):
    clients.authorize(m2m_client.application, hs256_api.api, [])
    token = post_token(form(m2m_client, LEDGER)).json()["access_token"]
    _, other_secret = resource_servers.create_api(
        name="Other", identifier="https://other.example/", signing_alg="HS256"
    )

    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, other_secret, algorithms=["HS256"], audience=LEDGER, issuer=ISSUER)
    claims = jwt.decode(
        token, hs256_api.secret, algorithms=["HS256"], audience=LEDGER, issuer=ISSUER
    )
    assert_claims(claims, m2m_client, LEDGER, 86400, None)


def test_hs256_secret_rotation(post_token, m2m_client, hs256_api):
    clients.authorize(m2m_client.application, hs256_api.api, ["read:ledger"])
    old_token = post_token(form(m2m_client, LEDGER)).json()["access_token"]

    new_secret = resource_servers.rotate_signing_secret(hs256_api.api)
    new_token = post_token(form(m2m_client, LEDGER)).json()["access_token"]

    assert new_secret != hs256_api.secret
    assert resource_servers.reveal_signing_secret(hs256_api.api) == new_secret
    jwt.decode(new_token, new_secret, algorithms=["HS256"], audience=LEDGER, issuer=ISSUER)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(old_token, new_secret, algorithms=["HS256"], audience=LEDGER, issuer=ISSUER)


def test_custom_lifetime_in_exp(post_token, m2m_client, tenant, jwks_key):
    api, _ = resource_servers.create_api(
        name="Brief",
        identifier="https://brief.example/",
        token_lifetime=300,
        token_lifetime_for_web=300,
    )
    clients.authorize(m2m_client.application, api, [])

    token = post_token(form(m2m_client, "https://brief.example/")).json()["access_token"]

    claims = jwt.decode(
        token,
        jwks_key(token),
        algorithms=["RS256"],
        audience="https://brief.example/",
        issuer=ISSUER,
    )
    assert_claims(claims, m2m_client, "https://brief.example/", 300, None)


def test_no_secret_in_any_protocol_response(client, post_token, granted_client, hs256_api):
    clients.authorize(granted_client.application, hs256_api.api, ["read:ledger"])
    forbidden = [
        granted_client.secret,
        hs256_api.secret,
        granted_client.application.secret_digest,
        *private_key_strings(),
    ]
    basic = "Basic " + base64.b64encode(f"{granted_client.client_id}:wrong".encode()).decode()
    responses = [
        post_token(form(granted_client, ORDERS)),
        post_token(form(granted_client, LEDGER)),
        post_token(form(granted_client, ORDERS, scope="nope")),
        post_token(form(granted_client, "https://unknown/")),
        post_token({**form(granted_client, ORDERS), "client_secret": "wrong"}),
        post_token(form(granted_client, ORDERS), as_json=True),
        post_token(form(granted_client, ORDERS), authorization=basic),
        post_token({"grant_type": "client_credentials", "audience": ORDERS}, authorization=basic),
        client.get("/oauth/token"),
        client.get("/.well-known/jwks.json"),
        client.get("/.well-known/openid-configuration"),
    ]

    for response in responses:
        text = response.content.decode()
        # Tokens are base64url: look inside their decoded payloads too.
        for word in text.replace('"', " ").split():
            if word.count(".") == 2:
                text += json.dumps(jwt.decode(word, options={"verify_signature": False}))
        for secret in forbidden:
            assert secret not in text


def test_token_outlives_rotation_but_not_revocation_over_http(live_server, granted_client):
    jwks_url = f"{live_server.url}/.well-known/jwks.json"
    token = requests.post(
        f"{live_server.url}/oauth/token", data=form(granted_client, ORDERS), timeout=10
    ).json()["access_token"]
    kid = jwt.get_unverified_header(token)["kid"]

    signing.rotate()
    key = jwt.PyJWKClient(jwks_url, cache_keys=False).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=ORDERS, issuer=ISSUER)
    fresh = requests.post(
        f"{live_server.url}/oauth/token", data=form(granted_client, ORDERS), timeout=10
    ).json()["access_token"]

    assert claims["azp"] == granted_client.client_id
    assert jwt.get_unverified_header(fresh)["kid"] != kid

    signing.revoke(kid)

    with pytest.raises(jwt.PyJWKClientError):
        jwt.PyJWKClient(jwks_url, cache_keys=False).get_signing_key_from_jwt(token)
    fresh_key = jwt.PyJWKClient(jwks_url, cache_keys=False).get_signing_key_from_jwt(fresh)
    jwt.decode(fresh, fresh_key.key, algorithms=["RS256"], audience=ORDERS, issuer=ISSUER)
