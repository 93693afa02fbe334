"""The whole flow with Django's test client: /authorize, sign-in, consent, then the code
exchanged at /oauth/token, the ID token verified, /userinfo called, the code replayed."""

import jwt
import pytest
from django.conf import settings

from applications import clients
from applications.models import AppType
from keys import signing
from tests.conftest import Client, basic_header

from .front_channel import (
    S256_VERIFIER,
    SPA_CALLBACK,
    WEB_CALLBACK,
    authorize_url,
    consent,
    location,
    params_of,
    submit_login,
)
from .front_channel_fixtures import _fast_password_hashing, end_user, spa  # noqa: F401


@pytest.fixture
def web(tenant) -> Client:
    application, secret = clients.create_application(name="Acme Web", app_type=AppType.REGULAR_WEB)
    application.callbacks = [WEB_CALLBACK]
    application.save()
    return Client(application, secret)


def code_from(client, url: str) -> str:
    login_url = location(client.get(url))
    consent_url = location(submit_login(client, login_url))
    return params_of(location(consent(client, consent_url)))["code"]


def test_web_application_with_an_api(client, post_token, web, end_user, orders_api):  # noqa: F811
    url = authorize_url(
        web.application,
        audience=orders_api.identifier,
        scope="openid profile email read:orders",
        nonce="nonce-42",
        max_age="600",
    )
    code = code_from(client, url)

    response = post_token(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": WEB_CALLBACK},
        authorization=basic_header(web.client_id, web.secret),
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scope"] == "openid profile email read:orders"
    id_claims = signing.verify(body["id_token"], audience=web.client_id)
    assert id_claims["nonce"] == "nonce-42"
    assert id_claims["sub"] == end_user.user_id
    assert isinstance(id_claims["auth_time"], int)  # max_age was sent
    access = signing.verify(body["access_token"], audience=orders_api.identifier)
    assert access["aud"] == [orders_api.identifier, settings.USERINFO_AUDIENCE]
    assert access["sid"] == id_claims["sid"]
    userinfo = client.get("/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert userinfo.json()["email"] == "ada@example.com"
    replay = post_token(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": WEB_CALLBACK},
        authorization=basic_header(web.client_id, web.secret),
    )
    assert replay.status_code == 403


def test_spa_with_pkce_and_no_api(client, post_token, spa, end_user):  # noqa: F811
    code = code_from(client, authorize_url(spa, nonce="spa-nonce"))

    response = post_token(
        {
            "grant_type": "authorization_code",
            "client_id": spa.client_id,
            "code": code,
            "redirect_uri": SPA_CALLBACK,
            "code_verifier": S256_VERIFIER,
        },
        as_json=True,
    )

    assert response.status_code == 200, response.content
    body = response.json()
    header = jwt.get_unverified_header(body["id_token"])
    assert header["alg"] == "RS256" and header["kid"] == signing.current_kid()
    assert signing.verify(body["id_token"], audience=spa.client_id)["nonce"] == "spa-nonce"
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/userinfo", headers=bearer).json()["sub"] == end_user.user_id
    # The replay revokes the /userinfo token of the first exchange.
    replay = post_token(
        {
            "grant_type": "authorization_code",
            "client_id": spa.client_id,
            "code": code,
            "redirect_uri": SPA_CALLBACK,
            "code_verifier": S256_VERIFIER,
        }
    )
    assert replay.status_code == 403
    assert client.get("/userinfo", headers=bearer).status_code == 401
