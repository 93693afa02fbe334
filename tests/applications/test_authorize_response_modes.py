"""Response modes (AUTH0_USER_FLOWS.md section 1.7): query (appended to a callback's own
query), form_post and web_message, for codes and errors; custom-scheme callbacks."""

import json
import re

from applications import codes

from .front_channel import (
    SPA_CALLBACK,
    WEB_CALLBACK,
    authorize_url,
    location,
    params_of,
    text,
)
from .front_channel_fixtures import *  # noqa: F403


def test_code_is_appended_to_the_callbacks_own_query(client, web_app, signed_in):
    url = location(
        client.get(authorize_url(web_app, redirect_uri="https://app.example.com/cb?tenant=eu"))
    )
    assert url.startswith("https://app.example.com/cb?tenant=eu&code=")
    assert params_of(url)["tenant"] == "eu"
    assert url.endswith("&state=xyz-state")


def test_custom_scheme_callback(client, spa, signed_in, end_user):
    from django.conf import settings

    from applications import user_grants

    spa.callbacks = ["com.example.app://login/callback"]
    spa.save()
    user_grants.record(end_user, spa, settings.USERINFO_AUDIENCE, ["openid"])
    url = location(
        client.get(
            authorize_url(spa, redirect_uri="com.example.app://login/callback", scope="openid")
        )
    )
    assert url.startswith("com.example.app://login/callback?code=")


def fields_of(body: str) -> dict[str, str]:
    import html

    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body)
    }


def test_form_post_success(client, web_app, signed_in):
    response = client.get(
        authorize_url(web_app, response_mode="form_post", state='"><script>alert(1)</script>')
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert f'<form method="post" action="{WEB_CALLBACK}">' in body
    fields = fields_of(body)
    assert set(fields) == {"code", "state"}
    assert fields["state"] == '"><script>alert(1)</script>'
    assert "<script>alert(1)" not in body  # escaped
    assert "<noscript>" in body and '<button type="submit">Continue</button>' in body
    assert "document.forms[0].submit()" in body
    assert codes.redeem(
        fields["code"], application=web_app, redirect_uri=WEB_CALLBACK, code_verifier=None
    )


def test_form_post_error_without_state(client, web_app):
    response = client.get(
        authorize_url(web_app, response_mode="form_post", prompt="none", state=None)
    )
    assert fields_of(response.content.decode()) == {
        "error": "login_required",
        "error_description": "Login required",
    }


def message_of(body: str) -> tuple[dict, str]:
    message = re.search(
        r'<script id="authorization-response" type="application/json">(.*?)</script>', body, re.S
    )
    origin = re.search(
        r'<script id="target-origin" type="application/json">(.*?)</script>', body, re.S
    )
    return json.loads(message.group(1)), json.loads(origin.group(1))


def test_web_message_success(client, spa, signed_in, end_user):
    from django.conf import settings

    from applications import user_grants

    user_grants.record(end_user, spa, settings.USERINFO_AUDIENCE, ["openid", "profile", "email"])
    response = client.get(
        authorize_url(
            spa,
            response_mode="web_message",
            prompt="none",
            redirect_uri="https://spa.example.com/",
            state="</script><b>",
        )
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "frame-ancestors https://spa.example.com"
    assert "X-Frame-Options" not in response  # framed by the SPA's hidden iframe
    assert response["Cache-Control"] == "no-store"
    assert "</script><b>" not in body
    message, origin = message_of(body)
    assert origin == "https://spa.example.com"
    assert message["type"] == "authorization_response"
    assert set(message["response"]) == {"code", "state"}
    assert message["response"]["state"] == "</script><b>"
    assert "target.postMessage(message, origin)" in body


def test_web_message_errors_for_silent_auth(client, spa):
    spa.web_origins = ["http://localhost:3000"]
    spa.save()
    response = client.get(
        authorize_url(spa, response_mode="web_message", prompt="none", redirect_uri=SPA_CALLBACK)
    )
    message, origin = message_of(response.content.decode())
    assert origin == "http://localhost:3000"
    assert message == {
        "type": "authorization_response",
        "response": {
            "error": "login_required",
            "error_description": "Login required",
            "state": "xyz-state",
        },
    }


def test_web_message_needs_a_web_origin_callback(client, spa):
    spa.callbacks = ["com.example.app://callback"]
    spa.save()
    response = client.get(
        authorize_url(spa, response_mode="web_message", redirect_uri="com.example.app://callback")
    )
    assert (
        params_of(location(response))["error_description"]
        == "response_mode=web_message needs an http(s) redirect_uri."
    )


def test_other_pages_stay_unframeable(client, web_app):
    page = client.get(location(client.get(authorize_url(web_app))))
    assert page["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" not in page
    assert text(page)


def test_the_flow_keeps_a_popups_opener_and_the_console_does_not(client, spa, admin_client):
    # loginWithPopup: every page a popup shows on its way to the web_message page must keep
    # `window.opener` (tests/e2e/test_spa_js.py drives it in Chromium).
    redirect = client.get(
        authorize_url(spa, response_mode="web_message", redirect_uri="https://spa.example.com/")
    )
    sign_in_page = client.get(location(redirect))
    refused = client.put(authorize_url(spa))  # even a 405
    console = admin_client.get("/applications/")

    assert redirect.status_code == 302
    assert sign_in_page.status_code == 200
    assert refused.status_code == 405
    for answer in (redirect, sign_in_page, refused):
        assert answer["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert console.status_code == 200
    assert console["Cross-Origin-Opener-Policy"] == "same-origin"
