"""Token dialects (issue 9 item 7): `access_token` is Auth0's default shape; `rfc9068_profile`
is the JWT access-token profile of RFC 9068. Minted through POST /oauth/token and verified
with PyJWT, as a resource server would."""

import jwt
import pytest
from django.conf import settings

from apis import resource_servers
from apis.models import Api
from applications import clients
from keys import signing

pytestmark = pytest.mark.django_db

ORDERS = "https://orders.example/api"
LEDGER = "https://ledger.example/"


def _header(token: str) -> dict:
    return jwt.get_unverified_header(token)


def _token(post_token, client, audience: str) -> str:
    response = post_token(
        {
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.secret,
            "audience": audience,
        }
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def _rs256_claims(token: str) -> dict:
    key = signing._public_key(_header(token)["kid"])
    return jwt.decode(token, key, algorithms=["RS256"], audience=ORDERS, issuer=settings.ISSUER)


def test_the_default_dialect_is_auth0s_access_token(post_token, granted_client):
    token = _token(post_token, granted_client, ORDERS)
    assert _header(token) == {"alg": "RS256", "typ": "JWT", "kid": signing.current_kid()}
    claims = _rs256_claims(token)
    assert list(claims) == ["iss", "sub", "aud", "iat", "exp", "scope", "gty", "azp", "jti"]


def test_an_explicit_access_token_dialect_is_the_same(post_token, granted_client, orders_api):
    resource_servers.update_api(orders_api, token_dialect="access_token")
    token = _token(post_token, granted_client, ORDERS)
    assert _header(token)["typ"] == "JWT"
    assert _rs256_claims(token)["azp"] == granted_client.client_id


def test_rfc9068_profile_rs256(post_token, granted_client, orders_api):
    resource_servers.update_api(orders_api, token_dialect="rfc9068_profile")
    token = _token(post_token, granted_client, ORDERS)
    # RFC 9068 section 2.1: typ at+jwt.
    assert _header(token) == {"alg": "RS256", "typ": "at+jwt", "kid": signing.current_kid()}
    claims = _rs256_claims(token)
    # Section 2.2: iss, exp, aud, sub, client_id, iat, jti; scope as in section 2.2.3.
    assert set(claims) == {"iss", "sub", "aud", "iat", "exp", "scope", "client_id", "jti"}
    assert claims["iss"] == settings.ISSUER
    assert claims["sub"] == f"{granted_client.client_id}@clients"
    assert claims["client_id"] == granted_client.client_id
    assert claims["aud"] == ORDERS
    assert claims["scope"] == "read:orders write:orders"
    assert claims["exp"] == claims["iat"] + 86400
    assert isinstance(claims["jti"], str) and len(claims["jti"]) >= 16
    # The tenant's own verification accepts it too.
    assert signing.verify(token, audience=ORDERS)["client_id"] == granted_client.client_id


def test_rfc9068_profile_hs256_without_scopes(post_token, m2m_client, hs256_api):
    clients.authorize(m2m_client.application, hs256_api.api, [])
    resource_servers.update_api(hs256_api.api, token_dialect="rfc9068_profile")
    token = _token(post_token, m2m_client, LEDGER)
    assert _header(token) == {"alg": "HS256", "typ": "at+jwt"}
    claims = jwt.decode(
        token, hs256_api.secret, algorithms=["HS256"], audience=LEDGER, issuer=settings.ISSUER
    )
    assert set(claims) == {"iss", "sub", "aud", "iat", "exp", "client_id", "jti"}


def test_the_dialect_is_read_with_the_grant_in_one_query(
    post_token, m2m_client, hs256_api, django_assert_max_num_queries
):
    clients.authorize(m2m_client.application, hs256_api.api, ["read:ledger"])
    resource_servers.update_api(hs256_api.api, token_dialect="rfc9068_profile")
    with django_assert_max_num_queries(2):  # the grant cache's LISTEN (PostgreSQL), the grant
        token = _token(post_token, m2m_client, LEDGER)
    assert _header(token)["typ"] == "at+jwt"
    assert Api.objects.get(pk=hs256_api.api.pk).token_dialect == "rfc9068_profile"
