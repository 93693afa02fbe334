"""The consent rule of AUTH0_USER_FLOWS.md section 2.3, and the consent page (2.4, 2.5)."""

import pytest
from django.conf import settings

from apis import resource_servers
from apis.resource_servers import ScopeSpec
from applications import user_grants
from applications.models import AuthorizationCode, UserGrant
from users import sessions
from users.models import User

from .front_channel import (
    SPA_CALLBACK,
    WEB_CALLBACK,
    authorize_url,
    base_of,
    hidden,
    location,
    params_of,
    sign_in,
    text,
)
from .front_channel_fixtures import *  # noqa: F403

ORDERS_SCOPE = "openid profile read:orders"


@pytest.fixture
def skipping_api(orders_api):
    return resource_servers.update_api(
        orders_api, skip_consent_for_verifiable_first_party_clients=True
    )


def asks_consent(response) -> bool:
    url = location(response)
    if url.startswith("/u/consent?state="):
        return True
    assert params_of(url).get("code"), url
    return False


def test_first_party_with_the_api_flag_skips_and_still_records_a_grant(
    client, web_app, skipping_api, signed_in, end_user
):
    assert not asks_consent(
        client.get(authorize_url(web_app, audience=skipping_api.identifier, scope=ORDERS_SCOPE))
    )
    grant = UserGrant.objects.get()
    assert (grant.user, grant.application, grant.audience) == (
        end_user,
        web_app,
        skipping_api.identifier,
    )
    assert grant.scopes == ["openid", "profile", "read:orders"]


def test_first_party_without_the_api_flag_asks(client, web_app, orders_api, signed_in):
    assert asks_consent(
        client.get(authorize_url(web_app, audience=orders_api.identifier, scope=ORDERS_SCOPE))
    )
    assert not UserGrant.objects.exists()


@pytest.mark.parametrize("callback", [SPA_CALLBACK, "http://127.0.0.1:3000/callback"])
def test_localhost_and_loopback_always_ask_even_with_the_flag(
    client, spa, skipping_api, signed_in, callback
):
    response = client.get(
        authorize_url(
            spa, audience=skipping_api.identifier, scope=ORDERS_SCOPE, redirect_uri=callback
        )
    )
    assert asks_consent(response)
    page = client.get(location(response))
    assert "local or custom address" in text(page)


def test_custom_scheme_callbacks_always_ask(client, spa, skipping_api, signed_in):
    spa.callbacks = ["com.example.app://callback"]
    spa.save()
    response = client.get(
        authorize_url(
            spa, audience=skipping_api.identifier, redirect_uri="com.example.app://callback"
        )
    )
    assert asks_consent(response)


def test_userinfo_only_first_party_verifiable_skips(client, web_app, signed_in):
    assert not asks_consent(client.get(authorize_url(web_app, scope="openid profile")))
    assert UserGrant.objects.get().audience == settings.USERINFO_AUDIENCE


def test_userinfo_only_on_localhost_asks(client, spa, signed_in):
    assert asks_consent(client.get(authorize_url(spa, scope="openid profile")))


def test_third_party_always_asks_even_with_the_flag(client, web_app, skipping_api, signed_in):
    web_app.is_first_party = False
    web_app.save()
    response = client.get(
        authorize_url(
            web_app,
            audience=skipping_api.identifier,
            code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            code_challenge_method="S256",
        )
    )
    assert asks_consent(response)
    assert "third-party application" in text(client.get(location(response)))


def test_prompt_consent_asks_despite_a_grant_and_the_flag(
    client, web_app, skipping_api, signed_in, end_user
):
    user_grants.record(
        end_user, web_app, skipping_api.identifier, ["openid", "profile", "read:orders"]
    )
    response = client.get(
        authorize_url(
            web_app, audience=skipping_api.identifier, scope=ORDERS_SCOPE, prompt="consent"
        )
    )
    assert asks_consent(response)
    assert "asked to confirm your consent again" in text(client.get(location(response)))


def test_a_remembered_grant_skips_and_widening_asks_again(client, spa, orders_api, signed_in):
    first = client.get(
        authorize_url(spa, audience=orders_api.identifier, scope="openid read:orders")
    )
    assert asks_consent(first)
    page = client.get(location(first))
    accepted = client.post("/u/consent", {"state": hidden(page, "state"), "action": "accept"})
    assert base_of(location(accepted)) == SPA_CALLBACK
    # Remembered, even on localhost (section 2.3): silent auth works next time.
    silent = client.get(
        authorize_url(
            spa, audience=orders_api.identifier, scope="openid read:orders", prompt="none"
        )
    )
    assert params_of(location(silent))["code"]
    # Asking for more asks again; prompt=none says so.
    wider = authorize_url(
        spa, audience=orders_api.identifier, scope="openid read:orders write:orders"
    )
    assert asks_consent(client.get(wider))
    none = client.get(wider + "&prompt=none")
    assert params_of(location(none)) == {
        "error": "consent_required",
        "error_description": "Consent required",
        "state": "xyz-state",
    }
    page = client.get(location(client.get(wider)))
    assert "more than you allowed before" in text(page)
    client.post("/u/consent", {"state": hidden(page, "state"), "action": "accept"})
    assert UserGrant.objects.get().scopes == ["openid", "read:orders", "write:orders"]


def test_consent_to_a_deleted_api_is_no_consent_to_one_created_again_with_its_identifier(
    client, spa, orders_api, signed_in
):
    scope = "openid read:orders"
    first = client.get(authorize_url(spa, audience=orders_api.identifier, scope=scope))
    page = client.get(location(first))
    client.post("/u/consent", {"state": hidden(page, "state"), "action": "accept"})
    identifier = orders_api.identifier
    resource_servers.delete_api(orders_api)
    resource_servers.create_api(
        name="Orders again", identifier=identifier, scopes=[ScopeSpec("read:orders")]
    )

    silent = client.get(authorize_url(spa, audience=identifier, scope=scope, prompt="none"))
    assert params_of(location(silent))["error"] == "consent_required"
    # Even a scope the old consent covered is asked for again.
    narrower = client.get(authorize_url(spa, audience=identifier, scope="openid"))
    assert asks_consent(narrower)
    page = client.get(location(narrower))
    assert "more than you allowed before" not in text(page)
    client.post("/u/consent", {"state": hidden(page, "state"), "action": "accept"})
    # The new consent replaces the old one's scopes rather than adding to them.
    assert UserGrant.objects.get(audience=identifier).scopes == ["openid"]


def test_consent_page_lists_application_api_and_scopes(client, web_app, orders_api, signed_in):
    response = client.get(
        authorize_url(
            web_app,
            audience=orders_api.identifier,
            scope="openid profile email offline_access read:orders write:orders",
        )
    )
    page = client.get(location(response))
    body = text(page)
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert page["X-Frame-Options"] == "DENY"
    for expected in (
        "Acme Web",
        "Orders",
        orders_api.identifier,
        "Read orders",
        "write:orders",
        "See your email address",
        "See your profile",
        "ada@example.com",
        "You have not given this application access before.",
    ):
        assert expected in body, expected
    assert "offline_access" not in body  # the API does not allow offline access: dropped


def test_decline(client, web_app, orders_api, signed_in):
    page = client.get(location(client.get(authorize_url(web_app, audience=orders_api.identifier))))
    response = client.post("/u/consent", {"state": hidden(page, "state"), "action": "deny"})
    assert params_of(location(response)) == {
        "error": "access_denied",
        "error_description": "User did not authorize the request",
        "state": "xyz-state",
    }
    assert not UserGrant.objects.exists()
    assert not AuthorizationCode.objects.exists()


def test_consent_is_only_for_the_user_it_was_shown_to(
    client, web_app, orders_api, signed_in, end_user
):
    page = client.get(location(client.get(authorize_url(web_app, audience=orders_api.identifier))))
    state = hidden(page, "state")
    mallory = User.objects.create(email="mallory@example.com", password="!")
    sign_in(client, mallory)
    response = client.post("/u/consent", {"state": state, "action": "accept"})
    assert response.status_code == 400
    assert "couldn't find your session" in text(response)
    assert not UserGrant.objects.exists()
    # Without any session: the same.
    sessions.end_all(mallory)
    assert client.post("/u/consent", {"state": state, "action": "accept"}).status_code == 400
    assert not AuthorizationCode.objects.exists()


def test_a_login_transaction_is_not_a_consent_transaction(client, web_app, orders_api, signed_in):
    # The sign-in page's state names no user: it cannot be posted to the consent page.
    client.cookies.pop("gatehouse_user_session")
    login_url = location(client.get(authorize_url(web_app, audience=orders_api.identifier)))
    state = hidden(client.get(login_url), "state")
    response = client.post("/u/consent", {"state": state, "action": "accept"})
    assert response.status_code == 400
    assert not UserGrant.objects.exists()


def test_consent_post_needs_csrf(web_app, orders_api, end_user):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, end_user)
    page = browser.get(
        location(browser.get(authorize_url(web_app, audience=orders_api.identifier)))
    )
    response = browser.post("/u/consent", {"state": hidden(page, "state"), "action": "accept"})
    assert response.status_code == 403
    assert not UserGrant.objects.exists()
    token = hidden(page, "csrfmiddlewaretoken")
    response = browser.post(
        "/u/consent",
        {"state": hidden(page, "state"), "action": "accept", "csrfmiddlewaretoken": token},
    )
    assert base_of(location(response)) == WEB_CALLBACK
