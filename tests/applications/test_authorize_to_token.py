"""The front channel and the token endpoint together: a code from /authorize (sign-in,
consent) is exchanged at /oauth/token, its ID token names the session, and that ID token is
a hint /oidc/logout accepts."""

import base64
import json
from urllib.parse import urlencode

from users.models import Session

from .front_channel import (
    S256_VERIFIER,
    SPA_CALLBACK,
    authorize_url,
    consent,
    location,
    params_of,
    submit_login,
)
from .front_channel_fixtures import *  # noqa: F403


def claims_of(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_code_to_tokens_to_logout(client, spa, end_user, orders_api):
    start = authorize_url(
        spa,
        audience=orders_api.identifier,
        scope="openid profile read:orders",
        nonce="n-42",
        max_age="3600",
    )
    consent_url = location(submit_login(client, location(client.get(start))))
    callback = location(consent(client, consent_url))
    params = params_of(callback)
    assert params["state"] == "xyz-state"
    response = client.post(
        "/oauth/token",
        urlencode(
            {
                "grant_type": "authorization_code",
                "client_id": spa.client_id,
                "code": params["code"],
                "code_verifier": S256_VERIFIER,
                "redirect_uri": SPA_CALLBACK,
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scope"] == "openid profile read:orders"
    session = Session.objects.get()
    id_claims = claims_of(body["id_token"])
    assert id_claims["sid"] == session.id
    assert id_claims["nonce"] == "n-42"
    assert id_claims["auth_time"] == int(session.authenticated_at.timestamp())
    assert id_claims["aud"] == spa.client_id and id_claims["sub"] == end_user.user_id
    access = claims_of(body["access_token"])
    assert access["aud"][0] == orders_api.identifier and access["azp"] == spa.client_id
    # A second exchange of the same code fails (single use).
    again = client.post(
        "/oauth/token",
        urlencode(
            {
                "grant_type": "authorization_code",
                "client_id": spa.client_id,
                "code": params["code"],
                "code_verifier": S256_VERIFIER,
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert again.status_code == 403
    # The ID token is a logout hint: no confirmation, back to the SPA with state.
    logout = client.get(
        "/oidc/logout",
        {
            "id_token_hint": body["id_token"],
            "post_logout_redirect_uri": "http://localhost:3000/",
            "state": "bye",
        },
    )
    assert location(logout) == "http://localhost:3000/?state=bye"
    assert not Session.objects.exists()
