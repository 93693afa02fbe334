"""The Auth0 log events of the browser flows (issue 12 section 1): sign-in at /u/login (s,
fp, fu, f), silent authentication (ssa, fsa) and logout (slo, flo), through HTTP. Each
outcome writes exactly one event; no event holds the password, the session cookie or an
ID token hint, and neither does the server log."""

import time

import pytest
from django.conf import settings

from applications import user_grants
from keys import signing
from tests.applications.front_channel import (
    PASSWORD,
    authorize_url,
    hidden,
    location,
    params_of,
    sign_in,
    submit_login,
)
from tests.applications.front_channel_fixtures import *  # noqa: F403
from users import session_cookie
from users.models import Session

from .event_rows import assert_nowhere, auth_rows, every_event_text, only_event

pytestmark = pytest.mark.django_db

CONNECTION = "Username-Password-Authentication"
WRONG_PASSWORD = "Wr0ng-Horse-!x"  # noqa: S105 - a test value


def login_page(client, application) -> str:
    return location(client.get(authorize_url(application)))


def test_a_sign_in_is_s_with_the_user_and_session(client, web_app, end_user, caplog):
    response = submit_login(client, login_page(client, web_app))
    assert response.status_code == 302
    event = only_event()
    assert event.type == "s"
    assert (event.client_id, event.client_name) == (web_app.client_id, "Acme Web")
    assert (event.user_id, event.user_name) == (end_user.user_id, "ada@example.com")
    assert event.connection == CONNECTION
    assert event.details == {"session_id": Session.objects.get().id}
    assert event.ip == "127.0.0.1"
    cookie = client.cookies[session_cookie.COOKIE_NAME].value
    assert_nowhere([PASSWORD, cookie], caplog)


def test_a_wrong_password_is_fp_for_the_account(client, web_app, end_user, caplog):
    response = submit_login(client, login_page(client, web_app), password=WRONG_PASSWORD)
    assert response.status_code == 200
    event = only_event()
    assert event.type == "fp"
    assert event.description == "Wrong email or password."
    assert (event.user_id, event.user_name) == (end_user.user_id, "ada@example.com")
    assert event.connection == CONNECTION
    assert event.details == {"reason": "wrong_password"}
    assert_nowhere([WRONG_PASSWORD, PASSWORD], caplog)


def test_an_unknown_email_is_fu_with_the_email_as_typed(client, web_app, end_user, caplog):
    response = submit_login(
        client, login_page(client, web_app), email=" Nobody@Example.com ", password=PASSWORD
    )
    assert response.status_code == 200
    event = only_event()
    assert event.type == "fu"
    assert event.user_id == ""
    assert event.user_name == "nobody@example.com"
    assert event.details == {"reason": "unknown_user"}
    assert_nowhere([PASSWORD], caplog)


def test_an_identifier_that_is_no_email_is_not_recorded(client, web_app, end_user, caplog):
    # The password typed into the email field: an fu must not keep it.
    typed = "Tr0ub4dor&3-typed-in-the-wrong-field"
    response = submit_login(client, login_page(client, web_app), email=typed, password=typed)
    assert response.status_code == 200
    event = only_event()
    assert event.type == "fu"
    assert event.user_name == ""
    assert event.details == {"reason": "unknown_user", "identifier": "not an email address"}
    assert_nowhere([typed, typed.lower()], caplog)


def test_a_blocked_user_is_f(client, web_app, end_user, caplog):
    end_user.blocked = True
    end_user.save(update_fields=["blocked"])
    response = submit_login(client, login_page(client, web_app))
    assert params_of(location(response))["error"] == "unauthorized"
    event = only_event()
    assert event.type == "f"
    assert event.description == "user is blocked"
    assert event.user_id == end_user.user_id
    assert event.details == {"reason": "blocked_user"}
    assert_nowhere([PASSWORD], caplog)


def test_showing_the_sign_in_page_records_nothing(client, web_app):
    page = client.get(login_page(client, web_app))
    assert page.status_code == 200
    assert auth_rows().count() == 0


# --- silent authentication (prompt=none) ---------------------------------------------------


def silent(client, spa):
    return client.get(
        authorize_url(
            spa, prompt="none", response_mode="query", redirect_uri="https://spa.example.com/"
        )
    )


def test_silent_auth_with_a_session_and_grant_is_ssa(client, spa, signed_in, end_user):
    user_grants.record(end_user, spa, settings.USERINFO_AUDIENCE, ["openid", "profile", "email"])
    response = silent(client, spa)
    code = params_of(location(response))["code"]
    event = only_event()
    assert event.type == "ssa"
    assert (event.client_id, event.client_name) == (spa.client_id, "Acme SPA")
    assert (event.user_id, event.user_name) == (end_user.user_id, "ada@example.com")
    assert event.description == ""
    assert code not in every_event_text()


def test_silent_auth_without_a_session_is_fsa_login_required(client, spa):
    response = silent(client, spa)
    assert params_of(location(response))["error"] == "login_required"
    event = only_event()
    assert event.type == "fsa"
    assert event.description == "Login required"
    assert event.details == {"error": "login_required"}
    assert event.user_id == ""


def test_silent_auth_without_consent_is_fsa_consent_required(client, spa, signed_in, end_user):
    response = client.get(
        authorize_url(
            spa, prompt="none", response_mode="query", redirect_uri="http://localhost:3000/callback"
        )
    )
    assert params_of(location(response))["error"] == "consent_required"
    event = only_event()
    assert (event.type, event.description) == ("fsa", "Consent required")
    assert event.user_id == end_user.user_id


# --- logout --------------------------------------------------------------------------------


def id_token_hint(application, session) -> str:
    now = int(time.time())
    claims = {
        "iss": settings.ISSUER,
        "sub": session.user.user_id,
        "aud": application.client_id,
        "iat": now,
        "exp": now + 600,
        "sid": session.id,
    }
    return signing.sign_rs256(claims)


def test_v2_logout_is_slo_and_a_refused_return_url_flo(client, web_app, end_user, caplog):
    sign_in(client, end_user)
    cookie = client.cookies[session_cookie.COOKIE_NAME].value
    response = client.get(f"/v2/logout?client_id={web_app.client_id}")
    assert location(response) == "https://app.example.com/"
    event = only_event()
    assert event.type == "slo"
    assert (event.client_id, event.client_name) == (web_app.client_id, "Acme Web")
    assert event.user_id == end_user.user_id
    assert event.details == {"session_ended": True}
    assert_nowhere([cookie], caplog)
    event.delete()

    sign_in(client, end_user)
    refused = client.get(
        f"/v2/logout?client_id={web_app.client_id}&returnTo=https%3A%2F%2Fevil.example%2F"
    )
    assert refused.status_code == 400
    event = only_event()
    assert event.type == "flo"
    assert event.client_id == web_app.client_id
    assert event.user_id == end_user.user_id
    assert event.details == {"error": "invalid_request", "session_ended": True}
    assert "evil.example" in event.description
    event.delete()

    # A token a client put in its returnTo's query or fragment stays out of the log.
    sign_in(client, end_user)
    carried = "eyJhbGciOiJSUzI1NiJ9.carried-in-return-to"
    returned = f"https://evil.example/cb?access_token={carried}#id_token={carried}"
    refused = client.get("/v2/logout", {"client_id": web_app.client_id, "returnTo": returned})
    assert refused.status_code == 400
    event = only_event()
    assert event.type == "flo"
    assert "https://evil.example/cb?[redacted]" in event.description
    assert_nowhere([carried], caplog)


def test_oidc_logout_is_slo_and_a_bad_hint_flo(client, web_app, end_user, caplog):
    session = sign_in(client, end_user)
    hint = id_token_hint(web_app, session)
    forged = hint[:-4] + ("AAAA" if not hint.endswith("AAAA") else "BBBB")
    refused = client.get("/oidc/logout", {"id_token_hint": forged})
    assert refused.status_code == 400
    event = only_event()
    assert event.type == "flo"
    assert event.description == "The id_token_hint is not a valid ID token."
    assert event.details == {"error": "invalid_request", "session_ended": False}
    event.delete()

    response = client.get(
        "/oidc/logout",
        {"id_token_hint": hint, "post_logout_redirect_uri": "https://app.example.com/"},
    )
    assert location(response) == "https://app.example.com/"
    event = only_event()
    assert (event.type, event.client_id) == ("slo", web_app.client_id)
    assert event.user_id == end_user.user_id
    assert_nowhere([hint, forged], caplog)


def test_a_confirmed_logout_is_slo_and_asking_records_nothing(client, web_app, end_user):
    sign_in(client, end_user)
    page = client.get("/oidc/logout", {"client_id": web_app.client_id})
    assert page.status_code == 200
    assert auth_rows().count() == 0
    response = client.post(
        "/u/logout",
        {
            "request": hidden(page, "request"),
            "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
        },
    )
    assert response.status_code in (200, 302)
    event = only_event()
    assert event.type == "slo"
    assert event.user_id == end_user.user_id


def test_a_nul_in_a_logout_parameter_is_replaced_not_stored(client, db):
    # PostgreSQL stores no NUL: as sent, this client_id would make the event's write fail.
    response = client.get("/v2/logout", {"client_id": "abc\x00def"}, HTTP_USER_AGENT="agent\x00007")
    assert response.status_code == 400
    event = only_event()
    assert event.type == "flo"
    assert event.user_agent == "agent\ufffd007"
    # Not the shape of a client_id (letters and digits): not kept at all.
    assert event.client_id == ""
