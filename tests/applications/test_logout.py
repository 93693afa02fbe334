"""/v2/logout and /oidc/logout (AUTH0_USER_FLOWS.md section 6): the end-user session ends,
and the browser goes only to a URL in the client's Allowed Logout URLs."""

import time

import pytest
from django.conf import settings
from django.test import Client

from applications.logout import not_allowed
from keys import signing
from users import session_cookie
from users.models import Session

from .front_channel import hidden, location, sign_in, text
from .front_channel_fixtures import *  # noqa: F403

COOKIE = session_cookie.COOKIE_NAME


def id_token(application, session, **changes) -> str:
    now = int(time.time())
    claims = {
        "iss": settings.ISSUER,
        "sub": session.user.user_id,
        "aud": application.client_id,
        "iat": now,
        "exp": now + 36000,
        "sid": session.id,
        **changes,
    }
    return signing.sign_rs256({k: v for k, v in claims.items() if v is not None})


def assert_refused(response, text_fragment: str) -> None:
    assert response.status_code == 400
    assert "Location" not in response
    assert text_fragment in text(response)


def assert_signed_out(response) -> None:
    assert response.cookies[COOKIE].value == ""
    assert not Session.objects.exists()


# --- /v2/logout --------------------------------------------------------------------------------


def test_v2_logout_returns_to_an_allowed_url(client, web_app, signed_in):
    response = client.get(
        f"/v2/logout?client_id={web_app.client_id}&returnTo=https%3A%2F%2Fapp.example.com%2F%3Fbye%3D1&federated"
    )
    assert location(response) == "https://app.example.com/?bye=1"  # query ignored when matching
    assert_signed_out(response)


def test_v2_logout_client_id_alone_returns_to_the_first_url(client, web_app, signed_in):
    response = client.get(f"/v2/logout?client_id={web_app.client_id}")
    assert location(response) == "https://app.example.com/"
    assert_signed_out(response)


def test_v2_logout_without_anything_shows_the_signed_out_page(client, signed_in):
    response = client.get("/v2/logout")
    assert response.status_code == 200
    assert "You are logged out" in text(response)
    assert_signed_out(response)


@pytest.mark.parametrize(
    "return_to",
    [
        "https://evil.example/",
        "https://app.example.com.evil.example/",
        "https://app.example.com@evil.example/",
        "https://evil.example\\@app.example.com/",
        "https://app.example.com/other",
        "//evil.example/",
        "javascript:alert(1)",
        "http://app.example.com/",
        # An allowed URL with a line break or another control character in its fragment
        # would be a header injection (the fragment is ignored when matching, not when
        # redirecting).
        "https://app.example.com/#\r\nSet-Cookie: pwned=1",
        "https://app.example.com/#\nX:1",
        "https://app.example.com/#a\tb",
        "https://app.example.com/#two words",
    ],
)
def test_v2_logout_refuses_other_urls(client, web_app, signed_in, return_to):
    from urllib.parse import quote

    response = client.get(f"/v2/logout?client_id={web_app.client_id}&returnTo={quote(return_to)}")
    assert_refused(response, not_allowed("returnTo", return_to))
    assert_signed_out(response)  # the user asked to log out, and is


def test_v2_logout_without_a_client_refuses_any_return_url(client, web_app, signed_in):
    response = client.get("/v2/logout?returnTo=https%3A%2F%2Fapp.example.com%2F")
    assert_refused(
        response,
        (
            'The "returnTo" querystring parameter "https://app.example.com/" is not defined as '
            'a valid URL in "Allowed Logout URLs".'
        ),
    )


def test_v2_logout_unknown_client(client, db):
    assert_refused(
        client.get("/v2/logout?client_id=nope&returnTo=https%3A%2F%2Fx%2F"), "Unknown client."
    )
    assert_refused(client.get("/v2/logout?client_id=a%00b"), "malformed")


# --- /oidc/logout ------------------------------------------------------------------------------


def test_oidc_logout_with_a_hint(client, web_app, signed_in):
    token = id_token(web_app, signed_in)
    response = client.get(
        "/oidc/logout",
        {
            "id_token_hint": token,
            "post_logout_redirect_uri": "https://app.example.com/",
            "state": "s 1",
        },
    )
    assert location(response) == "https://app.example.com/?state=s+1"
    assert_signed_out(response)


def test_oidc_logout_post(client, web_app, signed_in):
    browser = Client(enforce_csrf_checks=True)  # an RP's cross-site form post needs no token
    browser.cookies[COOKIE] = client.cookies[COOKIE].value
    response = browser.post(
        "/oidc/logout",
        {
            "id_token_hint": id_token(web_app, signed_in),
            "post_logout_redirect_uri": "https://app.example.com/",
        },
    )
    assert location(response) == "https://app.example.com/"
    assert_signed_out(response)


def test_an_expired_hint_is_still_a_hint(client, web_app, signed_in):
    old = int(time.time()) - 100000
    token = id_token(web_app, signed_in, iat=old, exp=old + 36000)
    response = client.get("/oidc/logout", {"id_token_hint": token})
    assert "You are logged out" in text(response)
    assert_signed_out(response)


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        "a.b.c",
        "eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.",
    ],
)
def test_a_bad_hint_is_refused_and_changes_nothing(client, web_app, signed_in, token):
    response = client.get(
        "/oidc/logout",
        {"id_token_hint": token, "post_logout_redirect_uri": "https://app.example.com/"},
    )
    assert_refused(response, "The id_token_hint is not a valid ID token.")
    assert Session.objects.exists()


def test_hint_for_another_issuer_or_forged_is_refused(client, web_app, signed_in):
    forged = id_token(web_app, signed_in, iss="https://evil.example/")
    assert_refused(client.get("/oidc/logout", {"id_token_hint": forged}), "not a valid ID token")
    header, payload, signature = id_token(web_app, signed_in).split(".")
    tampered = f"{header}.{payload[:-4]}AAAA.{signature}"
    assert_refused(client.get("/oidc/logout", {"id_token_hint": tampered}), "not a valid ID token")
    assert Session.objects.exists()


def test_client_id_and_logout_hint_must_match_the_hint(client, web_app, spa, signed_in):
    token = id_token(web_app, signed_in)
    assert_refused(
        client.get("/oidc/logout", {"id_token_hint": token, "client_id": spa.client_id}),
        "does not match",
    )
    assert_refused(
        client.get("/oidc/logout", {"id_token_hint": token, "logout_hint": "other-sid"}),
        "does not match",
    )
    assert Session.objects.exists()


def test_oidc_logout_refuses_control_characters_in_an_allowed_url(client, web_app, signed_in):
    url = "https://app.example.com/#\r\nSet-Cookie: pwned=1"
    response = client.get(
        "/oidc/logout",
        {"id_token_hint": id_token(web_app, signed_in), "post_logout_redirect_uri": url},
    )
    assert_refused(response, "post_logout_redirect_uri")
    assert "pwned" not in response.cookies


def test_oidc_logout_refuses_urls_outside_the_list(client, web_app, signed_in):
    response = client.get(
        "/oidc/logout",
        {
            "id_token_hint": id_token(web_app, signed_in),
            "post_logout_redirect_uri": "https://evil.example/",
        },
    )
    assert_refused(response, not_allowed("post_logout_redirect_uri", "https://evil.example/"))
    response = client.get("/oidc/logout", {"post_logout_redirect_uri": "https://app.example.com/"})
    assert_refused(response, not_allowed("post_logout_redirect_uri", "https://app.example.com/"))
    assert Session.objects.exists()


def test_without_a_hint_the_user_confirms(client, web_app, signed_in):
    page = client.get(
        "/oidc/logout",
        {
            "client_id": web_app.client_id,
            "post_logout_redirect_uri": "https://app.example.com/",
            "state": "st",
        },
    )
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert "Acme Web" in text(page) and "Log out?" in text(page)
    assert Session.objects.exists()  # not yet
    response = client.post(
        "/u/logout",
        {
            "request": hidden(page, "request"),
            "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
        },
    )
    assert location(response) == "https://app.example.com/?state=st"
    assert_signed_out(response)


def test_the_confirmation_needs_csrf_and_its_own_signature(web_app, end_user):
    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, end_user)
    page = browser.get("/oidc/logout", {"client_id": web_app.client_id})
    assert browser.post("/u/logout", {"request": hidden(page, "request")}).status_code == 403
    forged = browser.post(
        "/u/logout", {"request": "x", "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken")}
    )
    assert forged.status_code == 400
    assert Session.objects.exists()


def test_a_logout_hint_naming_the_session_needs_no_confirmation(client, web_app, signed_in):
    response = client.get(
        "/oidc/logout", {"logout_hint": signed_in.id, "client_id": web_app.client_id}
    )
    assert "You are logged out" in text(response)
    assert_signed_out(response)


def test_without_a_session_there_is_nothing_to_confirm(client, web_app, db):
    response = client.get(
        "/oidc/logout",
        {"client_id": web_app.client_id, "post_logout_redirect_uri": "https://app.example.com/"},
    )
    assert location(response) == "https://app.example.com/"


@pytest.mark.parametrize("payload", ["[1]", '"x"', "1", "null", '{"aud": ["a", "b"], "iat": 1}'])
def test_hints_that_are_not_claim_sets_are_refused(client, signed_in, payload):
    import base64

    def segment(raw: str) -> str:
        return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()

    header = segment('{"alg":"RS256","kid":"x"}')
    token = f"{header}.{segment(payload)}.c2ln"
    assert_refused(client.get("/oidc/logout", {"id_token_hint": token}), "not a valid ID token")


def test_an_hs256_hint_verifies_with_the_clients_secret(client, web_app, signed_in):
    from keys import vault

    web_app.id_token_alg = "HS256"
    web_app.encrypted_secret = vault.encrypt(b"a-client-secret-of-enough-length-for-hs256")
    web_app.save()
    now = int(time.time())
    claims = {
        "iss": settings.ISSUER,
        "sub": signed_in.user.user_id,
        "aud": web_app.client_id,
        "iat": now,
        "exp": now + 60,
        "sid": signed_in.id,
    }
    token = signing.sign_hs256(claims, web_app.encrypted_secret)
    response = client.get(
        "/oidc/logout",
        {"id_token_hint": token, "post_logout_redirect_uri": "https://app.example.com/"},
    )
    assert location(response) == "https://app.example.com/"
    # An RS256 token for an HS256 client is not accepted (the algorithm is pinned).
    sign_in(client, signed_in.user)
    rs256 = id_token(web_app, signed_in)
    assert_refused(client.get("/oidc/logout", {"id_token_hint": rs256}), "not a valid ID token")
