from urllib.parse import urlencode

import jwt
import pytest


@pytest.mark.django_db
def test_client_credentials_token_verifies_against_served_jwks(client, granted_client):
    response = client.post(
        "/oauth/token",
        urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": granted_client.client_id,
                "client_secret": granted_client.secret,
                "audience": "https://orders.example/api",
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "read:orders write:orders"
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    header = jwt.get_unverified_header(body["access_token"])
    (jwk,) = [key for key in keys if key["kid"] == header["kid"]]
    claims = jwt.decode(
        body["access_token"],
        jwt.PyJWK(jwk).key,
        algorithms=["RS256"],
        audience="https://orders.example/api",
        issuer="http://127.0.0.1:8000/",
    )
    assert claims["sub"] == f"{granted_client.client_id}@clients"
