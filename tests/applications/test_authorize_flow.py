"""The whole front channel with Django's test client: /authorize, sign-in, consent, code."""

from django.conf import settings

from applications import codes
from applications.models import AuthorizationCode, UserGrant

from .front_channel import (
    S256_VERIFIER,
    SPA_CALLBACK,
    WEB_CALLBACK,
    authorize_url,
    base_of,
    consent,
    location,
    params_of,
    submit_login,
    text,
)
from .front_channel_fixtures import *  # noqa: F403


def test_sign_in_consent_and_code(client, web_app, end_user, orders_api):
    start = client.get(
        authorize_url(
            web_app, audience=orders_api.identifier, scope="openid read:orders bogus", nonce="n-1"
        )
    )
    login_url = location(start)
    assert login_url.startswith("/u/login?state=")
    after_login = submit_login(client, login_url)
    consent_url = location(after_login)
    assert consent_url.startswith("/u/consent?state=")
    page = client.get(consent_url)
    body = text(page)
    assert "Acme Web" in body and "Orders" in body and "Read orders" in body
    assert "bogus" not in body
    done = consent(client, consent_url)
    callback = location(done)
    assert base_of(callback) == WEB_CALLBACK
    params = params_of(callback)
    assert set(params) == {"code", "state"}
    assert params["state"] == "xyz-state"
    row = codes.redeem(
        params["code"], application=web_app, redirect_uri=WEB_CALLBACK, code_verifier=None
    )
    assert row.user == end_user
    assert row.scopes == ["openid", "read:orders"]
    assert row.audience == orders_api.identifier
    assert row.nonce == "n-1"
    assert not row.include_auth_time
    grant = UserGrant.objects.get()
    assert grant.scopes == ["openid", "read:orders"]
    # Next time: the remembered grant skips the page, and the session skips sign-in.
    again = location(
        client.get(
            authorize_url(web_app, audience=orders_api.identifier, scope="openid read:orders")
        )
    )
    assert base_of(again) == WEB_CALLBACK
    assert AuthorizationCode.objects.count() == 2


def test_spa_pkce_userinfo_only(client, spa, end_user):
    login_url = location(client.get(authorize_url(spa)))
    consent_url = location(submit_login(client, login_url))
    callback = location(consent(client, consent_url))
    assert base_of(callback) == SPA_CALLBACK
    code = params_of(callback)["code"]
    row = codes.redeem(
        code, application=spa, redirect_uri=SPA_CALLBACK, code_verifier=S256_VERIFIER
    )
    assert row.audience == ""
    assert UserGrant.objects.get().audience == settings.USERINFO_AUDIENCE
