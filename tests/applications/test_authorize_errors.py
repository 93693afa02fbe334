"""/authorize refusals in the contract's order (AUTH0_USER_FLOWS.md section 1.2): a bad
client or callback is a 400 page that redirects nowhere; everything later is an error
redirect to the callback with error, error_description and the client's state, verbatim."""

import pytest
from django.test import override_settings

from apis import resource_servers
from apis.models import TenantSettings
from applications.authorize import CALLBACK_MISMATCH
from applications.models import AuthorizationCode

from .front_channel import (
    S256_CHALLENGE,
    WEB_CALLBACK,
    authorize_url,
    base_of,
    location,
    params_of,
    text,
)
from .front_channel_fixtures import *  # noqa: F403


def assert_page(response, description: str) -> None:
    assert response.status_code == 400
    assert "Location" not in response
    assert response["Cache-Control"] == "no-store"
    assert description in text(response)
    assert "Oops!, something went wrong" in text(response)


def assert_redirect_error(
    response, error: str, description: str, state="xyz-state", base=WEB_CALLBACK
):
    url = location(response)
    assert base_of(url) == base
    expected = {"error": error, "error_description": description}
    if state is not None:
        expected["state"] = state
    params = params_of(url)
    params.pop("tenant", None)
    assert params == expected
    assert not AuthorizationCode.objects.exists()


# --- Steps 1 and 2: a page, never a redirect ------------------------------------------------


def test_missing_client_id_is_a_page(client, web_app):
    response = client.get(authorize_url(web_app, client_id=None))
    assert_page(response, "Missing required parameter: client_id")


@pytest.mark.parametrize(
    "client_id",
    [
        "nope",
        "x" * 5000,
        "a\x00b",
        "é",
        "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
    ],
)
def test_unknown_client_is_a_page(client, web_app, client_id):
    assert_page(client.get(authorize_url(web_app, client_id=client_id)), "Unknown client.")


def test_repeated_client_id_is_a_page(client, web_app):
    url = authorize_url(web_app) + f"&client_id={web_app.client_id}"
    assert_page(client.get(url), "more than once")


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://app.example.com/callback/",  # trailing slash
        "http://app.example.com/callback",  # scheme
        "https://app.example.com:443/callback",  # explicit port is a different string
        "https://app.example.com/callback?x=1",  # query
        "https://app.example.com/callback#frag",  # fragment
        "https://app.example.com/callbackx",  # prefix
        "https://app.example.com/callback.evil.com",
        "https://app.example.com.evil.com/callback",
        "https://app.example.com@evil.com/callback",  # userinfo
        "https://evil.com@app.example.com/callback",
        "https://app.example.com\\@evil.com/callback",  # backslash
        "https://app.example.com/callback\\..\\evil",
        "https://APP.example.com/callback",  # exact string comparison
        "https://app.example.com/callback\t",
        "https://app.example.com/cb?tenant=eu&x=1",
        "//evil.com/callback",
        "javascript:alert(1)",
        "https://app.example.com/callback%00",
    ],
)
def test_callback_mismatch_is_a_page(client, web_app, redirect_uri):
    response = client.get(authorize_url(web_app, redirect_uri=redirect_uri))
    assert_page(response, CALLBACK_MISMATCH)


def test_repeated_redirect_uri_is_a_page(client, web_app):
    url = authorize_url(web_app) + "&redirect_uri=https%3A%2F%2Fevil.example%2F"
    assert_page(client.get(url), CALLBACK_MISMATCH)


def test_wildcard_callback_matches_one_label_only(client, web_app, signed_in):
    web_app.callbacks = ["https://*.example.org/callback"]
    web_app.is_first_party = True
    web_app.save()
    ok = client.get(
        authorize_url(web_app, redirect_uri="https://tenant1.example.org/callback", prompt="none")
    )
    assert base_of(location(ok)) == "https://tenant1.example.org/callback"
    for attack in (
        "https://a.b.example.org/callback",
        "https://example.org/callback",
        "https://evil.com/.example.org/callback",
        "https://tenant1.example.org.evil.com/callback",
        "https://x@tenant1.example.org/callback",
    ):
        assert_page(client.get(authorize_url(web_app, redirect_uri=attack)), CALLBACK_MISMATCH)
    # A wildcard pattern is no default callback.
    assert_page(client.get(authorize_url(web_app, redirect_uri=None)), CALLBACK_MISMATCH)


def test_absent_redirect_uri_uses_the_first_callback(client, web_app, signed_in, end_user):
    response = client.get(authorize_url(web_app, redirect_uri=None, prompt="none"))
    url = location(response)
    assert base_of(url) == WEB_CALLBACK
    assert AuthorizationCode.objects.get().redirect_uri == ""  # bound to "nothing was sent"


def test_client_without_callbacks_is_a_page(client, m2m_client):
    response = client.get(authorize_url(m2m_client.application, redirect_uri=None))
    assert_page(response, CALLBACK_MISMATCH)


# --- Steps 3 to 5: redirects with state -----------------------------------------------------


@pytest.mark.parametrize(
    "response_type", ["token", "id_token", "code id_token", "code token", "bogus"]
)
def test_unsupported_response_type(client, web_app, response_type):
    response = client.get(authorize_url(web_app, response_type=response_type))
    assert_redirect_error(
        response, "unsupported_response_type", f"Unsupported response type: {response_type}"
    )


def test_missing_response_type(client, web_app):
    response = client.get(authorize_url(web_app, response_type=None))
    assert_redirect_error(response, "invalid_request", "Missing required parameter: response_type")


def test_client_without_the_code_grant(client, web_app):
    web_app.grant_types = "client_credentials"
    web_app.save()
    assert_redirect_error(
        client.get(authorize_url(web_app)),
        "unauthorized_client",
        "Grant type 'authorization_code' not allowed for the client.",
    )


def test_fragment_mode_is_refused_in_the_fragment(client, web_app):
    url = location(client.get(authorize_url(web_app, response_mode="fragment")))
    assert url == (
        WEB_CALLBACK + "#error=invalid_request&error_description=response_mode%3Dfragment+is+not"
        "+supported+with+response_type%3Dcode.&state=xyz-state"
    )


def test_unknown_response_mode(client, web_app):
    assert_redirect_error(
        client.get(authorize_url(web_app, response_mode="jwt")),
        "invalid_request",
        "Unsupported response_mode: jwt",
    )


@pytest.mark.parametrize(
    ("prompt", "ok"),
    [
        ("none login", False),
        ("consent none", False),
        ("none", True),
        ("login consent", True),
        ("select_account", True),
        ("create", True),
    ],
)
def test_prompt_none_stands_alone(client, web_app, prompt, ok):
    response = client.get(authorize_url(web_app, prompt=prompt))
    if ok:
        assert location(response).startswith(("/u/login", WEB_CALLBACK + "?error=login_required"))
    else:
        assert_redirect_error(
            response,
            "invalid_request",
            "Parameter 'prompt' may not combine none with other values.",
        )


@pytest.mark.parametrize("max_age", ["-1", "1.5", "abc", "１２", "99999999999", " 5"])
def test_max_age_must_be_a_non_negative_integer(client, web_app, max_age):
    assert_redirect_error(
        client.get(authorize_url(web_app, max_age=max_age)),
        "invalid_request",
        "Parameter 'max_age' must be a non-negative integer.",
    )


@pytest.mark.parametrize("name", ["organization", "invitation"])
def test_organizations_are_refused(client, web_app, name):
    assert_redirect_error(
        client.get(authorize_url(web_app, **{name: "org_123"})),
        "invalid_request",
        f"Parameter '{name}' is not supported: there are no organizations.",
    )


def test_pkce_required_for_public_clients(client, spa):
    response = client.get(authorize_url(spa, code_challenge=None, code_challenge_method=None))
    assert_redirect_error(
        response,
        "invalid_request",
        "Parameter 'code_challenge' is required",
        base="http://localhost:3000/callback",
    )


def test_pkce_required_for_third_party_clients_and_never_plain(client, web_app):
    web_app.is_first_party = False
    web_app.save()
    assert_redirect_error(
        client.get(authorize_url(web_app)),
        "invalid_request",
        "Parameter 'code_challenge' is required",
    )
    verifier = "a" * 43
    assert_redirect_error(
        client.get(authorize_url(web_app, code_challenge=verifier, code_challenge_method="plain")),
        "invalid_request",
        "Third-party applications must use code_challenge_method=S256.",
    )
    assert_redirect_error(
        client.get(authorize_url(web_app, code_challenge=verifier)),  # absent method = plain
        "invalid_request",
        "Third-party applications must use code_challenge_method=S256.",
    )


@pytest.mark.parametrize(
    ("challenge", "method"),
    [
        ("short", "S256"),
        (S256_CHALLENGE + "=", "S256"),
        (S256_CHALLENGE, "S512"),
        ("", "S256"),
        ("a" * 129, "plain"),
    ],
)
def test_malformed_pkce(client, web_app, challenge, method):
    response = client.get(
        authorize_url(web_app, code_challenge=challenge, code_challenge_method=method)
    )
    url = location(response)
    assert params_of(url)["error"] == "invalid_request"
    assert params_of(url)["state"] == "xyz-state"


def test_unknown_audience_is_service_not_found(client, web_app):
    assert_redirect_error(
        client.get(authorize_url(web_app, audience="https://nope.example/")),
        "access_denied",
        "Service not found: https://nope.example/",
    )


def test_resource_is_an_alias_for_audience(client, web_app):
    assert_redirect_error(
        client.get(authorize_url(web_app, resource="https://nope.example/")),
        "access_denied",
        "Service not found: https://nope.example/",
    )


def test_the_management_api_is_never_granted_to_end_users(client, web_app, tenant, signed_in):
    response = client.get(
        authorize_url(web_app, audience=tenant.identifier, scope="openid read:users")
    )
    assert_redirect_error(response, "access_denied", f"Service not found: {tenant.identifier}")


def test_default_audience_applies(client, web_app, orders_api, signed_in):
    TenantSettings.objects.create(default_audience=orders_api)
    resource_servers.update_api(orders_api, skip_consent_for_verifiable_first_party_clients=True)
    url = location(client.get(authorize_url(web_app, scope="openid read:orders")))
    assert base_of(url) == WEB_CALLBACK
    row = AuthorizationCode.objects.get()
    assert row.audience == orders_api.identifier
    assert row.scopes == ["openid", "read:orders"]


def test_unknown_scopes_are_dropped_and_offline_access_needs_the_api_flag(
    client, web_app, orders_api, signed_in
):
    resource_servers.update_api(orders_api, skip_consent_for_verifiable_first_party_clients=True)
    scope = "openid write:orders offline_access read:users openid email"
    location(client.get(authorize_url(web_app, audience=orders_api.identifier, scope=scope)))
    assert AuthorizationCode.objects.get().scopes == ["openid", "write:orders", "email"]
    resource_servers.update_api(orders_api, allow_offline_access=True)
    location(client.get(authorize_url(web_app, audience=orders_api.identifier, scope=scope)))
    assert AuthorizationCode.objects.latest("created_at").scopes == [
        "openid",
        "write:orders",
        "offline_access",
        "email",
    ]


# --- state -----------------------------------------------------------------------------------


def test_state_is_echoed_verbatim(client, web_app):
    state = "a b+c&d=e%20/?#é😀"
    url = location(client.get(authorize_url(web_app, state=state, response_type="token")))
    assert params_of(url)["state"] == state


def test_no_state_is_added(client, web_app):
    url = location(client.get(authorize_url(web_app, state=None, response_type="token")))
    assert "state" not in params_of(url)


def test_repeated_parameters_are_refused(client, web_app):
    url = authorize_url(web_app) + "&scope=email"
    assert_redirect_error(
        client.get(url), "invalid_request", "Parameter 'scope' was sent more than once."
    )
    url = authorize_url(web_app) + "&state=other"
    assert_redirect_error(
        client.get(url), "invalid_request", "Parameter 'state' was sent more than once.", state=None
    )


def test_an_overlong_state_is_a_page(client, web_app):
    assert_page(
        client.get(authorize_url(web_app, state="s" * 3000)), "Parameter 'state' is too long."
    )


def test_control_characters_and_huge_values_are_refused(client, web_app):
    for name, value in (("nonce", "a\x00b"), ("nonce", "n" * 3000), ("scope", "openid\x01")):
        assert_redirect_error(
            client.get(authorize_url(web_app, **{name: value})),
            "invalid_request",
            f"Parameter '{name}' is malformed.",
        )


def test_ignored_parameters_never_fail(client, web_app):
    response = client.get(
        authorize_url(
            web_app,
            connection="Username-Password-Authentication",
            login_hint="ada@example.com",
            screen_hint="signup",
            ui_locales="fr",
            acr_values="x",
            auth0Client="eyJuYW1lIjoiYXV0aDAtc3BhLWpzIn0=",
            dpop_jkt="abc",
        )
    )
    assert location(response).startswith("/u/login?state=")


def test_post_is_accepted(client, web_app):
    response = client.post(
        "/authorize",
        {"client_id": web_app.client_id, "response_type": "code", "redirect_uri": WEB_CALLBACK},
    )
    assert location(response).startswith("/u/login?state=")


def test_other_methods_are_refused(client, web_app):
    assert client.put(authorize_url(web_app)).status_code == 405


@override_settings(DEBUG=False)
def test_non_utf8_query_is_no_500(client, web_app):
    response = client.get("/authorize?client_id=%ff%fe&redirect_uri=%c3%28")
    assert response.status_code == 400
    response = client.get(
        f"/authorize?client_id={web_app.client_id}&response_type=code&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&state=%ff"
    )
    assert params_of(location(response))  # delivered, whatever the state decoded to
