"""Silent authentication (AUTH0_USER_FLOWS.md sections 1.6 and 1.7): `prompt=none` with
`response_mode=web_message` in the SPA's hidden iframe. The page is frameable by the
registered web origin only, posts `{type: "authorization_response", response}` to exactly
that origin, and delivers login_required and consent_required the same way. An origin that
is not among the Allowed Web Origins gets nothing posted: the error goes to the callback."""

import pytest
from django.conf import settings

from applications import codes, user_grants

from .front_channel import S256_VERIFIER, authorize_url, location, params_of
from .front_channel_fixtures import *  # noqa: F403
from .test_authorize_response_modes import message_of

SPA_ROOT = "https://spa.example.com/"
SPA_ORIGIN = "https://spa.example.com"


def silent(client, spa, **params):
    query = {
        "response_mode": "web_message",
        "prompt": "none",
        "redirect_uri": SPA_ROOT,
        "state": "silent-state",
        **params,
    }
    return client.get(authorize_url(spa, **query))


def assert_frameable_only_by(response, origin: str) -> None:
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == f"frame-ancestors {origin}"
    assert "X-Frame-Options" not in response
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_signed_in_with_a_grant_gets_a_code(client, spa, signed_in, end_user):
    user_grants.record(end_user, spa, settings.USERINFO_AUDIENCE, ["openid", "profile", "email"])

    response = silent(client, spa)

    assert_frameable_only_by(response, SPA_ORIGIN)
    message, origin = message_of(response.content.decode())
    assert origin == SPA_ORIGIN
    assert message["type"] == "authorization_response"
    assert set(message["response"]) == {"code", "state"}
    assert message["response"]["state"] == "silent-state"
    assert codes.redeem(
        message["response"]["code"],
        application=spa,
        redirect_uri=SPA_ROOT,
        code_verifier=S256_VERIFIER,
    )


def test_no_session_is_login_required(client, spa):
    response = silent(client, spa)

    assert_frameable_only_by(response, SPA_ORIGIN)
    assert message_of(response.content.decode()) == (
        {
            "type": "authorization_response",
            "response": {
                "error": "login_required",
                "error_description": "Login required",
                "state": "silent-state",
            },
        },
        SPA_ORIGIN,
    )


def test_session_without_consent_is_consent_required(client, spa, signed_in):
    # A localhost callback always needs consent (section 2.2), and none was given yet.
    spa.web_origins = [*spa.web_origins, "http://localhost:3000"]
    spa.save()

    response = silent(client, spa, redirect_uri="http://localhost:3000/callback")

    assert_frameable_only_by(response, "http://localhost:3000")
    message, _ = message_of(response.content.decode())
    assert message["response"] == {
        "error": "consent_required",
        "error_description": "Consent required",
        "state": "silent-state",
    }


def test_an_expired_session_is_login_required(client, spa, signed_in, end_user):
    from django.utils import timezone

    user_grants.record(end_user, spa, settings.USERINFO_AUDIENCE, ["openid", "profile", "email"])
    signed_in.expires_at = timezone.now()
    signed_in.save()

    message, _ = message_of(silent(client, spa).content.decode())
    assert message["response"]["error"] == "login_required"


@pytest.mark.parametrize(
    "callback",
    [
        "http://localhost:3000/callback",  # a callback, but its origin is no web origin
        "https://spa.example.com/other",  # same origin, other path: allowed
    ],
)
def test_only_allowed_web_origins_receive_messages(client, spa, callback):
    spa.callbacks = [*spa.callbacks, callback]
    spa.save()

    response = silent(client, spa, redirect_uri=callback)

    if callback.startswith(SPA_ORIGIN):
        assert_frameable_only_by(response, SPA_ORIGIN)
        return
    # Nothing is posted to an origin the client did not list: the error goes to the
    # registered callback by query, in a response no page may frame.
    url = location(response)
    assert url.startswith("http://localhost:3000/callback?")
    assert params_of(url) == {
        "error": "invalid_request",
        "error_description": "response_mode=web_message needs the redirect_uri's origin in "
        "the application's Allowed Web Origins.",
        "state": "silent-state",
    }
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" not in response


def test_no_web_origins_no_web_message(client, spa):
    spa.web_origins = []
    spa.save()

    response = silent(client, spa)

    assert params_of(location(response))["error"] == "invalid_request"
    assert response["Location"].startswith(SPA_ROOT + "?")


def test_wildcard_web_origin_frames_the_concrete_origin_only(client, spa):
    spa.callbacks = [*spa.callbacks, "https://eu.tenant.example/"]
    spa.web_origins = ["https://*.tenant.example"]
    spa.save()

    response = silent(client, spa, redirect_uri="https://eu.tenant.example/")

    assert_frameable_only_by(response, "https://eu.tenant.example")
    assert message_of(response.content.decode())[1] == "https://eu.tenant.example"


def test_query_responses_and_pages_stay_unframeable(client, spa):
    # prompt=none by query: a redirect, DENY as everything but the web_message page.
    response = client.get(authorize_url(spa, prompt="none", redirect_uri=SPA_ROOT))
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" not in response
    # web_message without prompt=none (auth0-spa-js's popup) shows the sign-in page: DENY.
    page = client.get(
        location(client.get(authorize_url(spa, response_mode="web_message", redirect_uri=SPA_ROOT)))
    )
    assert page.status_code == 200
    assert page["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" not in page
