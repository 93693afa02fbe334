"""The sign-in flow's rules seen from outside, over HTTP against the live server: when the
consent page appears (AUTH0_USER_FLOWS.md section 2.3), what a reused code revokes
(section 3.4), the redirect-URI attacks of section 9, and that an end user's session, codes
and passwords stay where they belong (issue 10, section 4, "Security")."""

import logging
import secrets
from urllib.parse import urlsplit

import pytest
import requests
from auth0.authentication import GetToken, Users
from auth0.authentication.exceptions import Auth0Error
from bs4 import BeautifulSoup

from apis import resource_servers
from apis.models import Api
from applications.models import AppType

from .end_user import (
    AUDIENCE,
    PASSWORD,
    TIMEOUT,
    Person,
    SignInFailed,
    authorize_url,
    create_browser_client,
    s256,
)

WEB_CALLBACK = "https://app.example/callback"
CALLBACK_MISMATCH = (
    "Callback URL mismatch. The provided redirect_uri is not in the list of allowed callback URLs."
)


def _skip_consent(api: Api) -> None:
    resource_servers.update_api(api, skip_consent_for_verifiable_first_party_clients=True)


def _web_app(callback: str = WEB_CALLBACK, first_party: bool = True):
    return create_browser_client(
        "Stock web", AppType.REGULAR_WEB, callbacks=[callback], first_party=first_party
    )


def _sign_in(gatehouse, app, callback, person=None, scope="openid read:stock", **params):
    """One journey with PKCE (third-party clients need it; the others accept it)."""
    person = person or Person()
    verifier = secrets.token_urlsafe(48)
    url = authorize_url(
        gatehouse,
        app.client_id,
        callback,
        scope=scope,
        audience=AUDIENCE,
        state="st-1",
        code_challenge=s256(verifier),
        code_challenge_method="S256",
        **params,
    )
    return person.authorize(url, callback)


# Consent (section 2.3) -------------------------------------------------------------------------


def test_verifiable_first_party_skips_consent_when_the_api_allows(gatehouse, inventory, ada):
    _skip_consent(inventory)
    journey = _sign_in(gatehouse, _web_app(), WEB_CALLBACK)
    assert journey.pages == ["login"]
    assert set(journey.params) == {"code", "state"}


def test_first_party_asks_when_the_api_does_not_allow_skipping(gatehouse, inventory, ada):
    journey = _sign_in(gatehouse, _web_app(), WEB_CALLBACK)
    assert journey.pages == ["login", "consent"]
    assert "You have not given this application access before." in journey.consent_text


@pytest.mark.parametrize(
    "callback",
    ["http://localhost:3000/callback", "http://127.0.0.1:3000/callback", "http://[::1]:3000/cb"],
)
def test_local_callbacks_always_ask_even_when_the_api_allows_skipping(
    gatehouse, inventory, ada, callback
):
    _skip_consent(inventory)
    journey = _sign_in(gatehouse, _web_app(callback), callback)
    assert journey.pages == ["login", "consent"]
    assert "cannot prove which application it is" in journey.consent_text


def test_third_party_always_asks(gatehouse, inventory, ada):
    _skip_consent(inventory)
    journey = _sign_in(gatehouse, _web_app(first_party=False), WEB_CALLBACK)
    assert journey.pages == ["login", "consent"]


def test_remembered_grant_skips_until_more_is_asked_or_prompt_consent(gatehouse, inventory, ada):
    app, person = _web_app(), Person()
    assert _sign_in(gatehouse, app, WEB_CALLBACK, person).pages == ["login", "consent"]
    # Signed in and granted: straight back with a code.
    again = _sign_in(gatehouse, app, WEB_CALLBACK, person)
    assert again.pages == [] and set(again.params) == {"code", "state"}
    # prompt=consent asks again, although the grant covers the scopes.
    prompted = _sign_in(gatehouse, app, WEB_CALLBACK, person, prompt="consent")
    assert prompted.pages == ["consent"]
    assert "The application asked to confirm your consent again." in prompted.consent_text
    # A scope beyond the grant asks again.
    wider = _sign_in(gatehouse, app, WEB_CALLBACK, person, scope="openid read:stock write:stock")
    assert wider.pages == ["consent"]
    assert "The application asks for more than you allowed before." in wider.consent_text
    assert "Change stock" in wider.consent_text


def test_decline_redirects_access_denied_with_state(gatehouse, inventory, ada):
    person = Person()
    verifier = secrets.token_urlsafe(48)
    url = authorize_url(
        gatehouse,
        _web_app().client_id,
        WEB_CALLBACK,
        scope="openid read:stock",
        audience=AUDIENCE,
        state="st-9",
        code_challenge=s256(verifier),
        code_challenge_method="S256",
    )
    journey = person.authorize(url, WEB_CALLBACK, consent="Decline")
    assert journey.params == {
        "error": "access_denied",
        "error_description": "User did not authorize the request",
        "state": "st-9",
    }


# Codes (section 3.4) --------------------------------------------------------------------------


def test_reused_code_revokes_the_userinfo_token_issued_from_it(gatehouse, ada):
    """auth0-python, no audience: an opaque /userinfo token. Redeeming the code a second
    time fails and revokes that token (RFC 6749 section 4.1.2)."""
    app = _web_app()
    journey = Person().authorize(
        authorize_url(gatehouse, app.client_id, WEB_CALLBACK, scope="openid email"),
        WEB_CALLBACK,
    )
    domain = urlsplit(gatehouse).netloc
    get_token = GetToken(domain, app.client_id, client_secret=app.secret, protocol="http")
    tokens = get_token.authorization_code(code=journey.params["code"], redirect_uri=WEB_CALLBACK)
    users = Users(domain, protocol="http")
    assert users.userinfo(tokens["access_token"])["sub"] == ada.user_id

    with pytest.raises(Auth0Error) as reused:
        get_token.authorization_code(code=journey.params["code"], redirect_uri=WEB_CALLBACK)
    assert (reused.value.status_code, reused.value.error_code) == (403, "invalid_grant")
    with pytest.raises(Auth0Error) as revoked:
        users.userinfo(tokens["access_token"])
    assert revoked.value.status_code == 401


# Redirect URIs (sections 1.2 and 9) -------------------------------------------------------------


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://app.example/callback/",  # trailing slash
        "http://app.example/callback",  # scheme
        "https://app.example:8443/callback",  # port
        "https://app.example.evil.example/callback",  # prefix of the host
        "https://app.example/callbackevil",  # prefix of the path
        "https://evil.example@app.example/callback",  # userinfo
        "https://app.example/callback#x",  # fragment
        "https://app.example/callback?next=https://evil.example/",  # query
    ],
)
def test_redirect_uri_attacks_get_the_error_page_not_a_redirect(gatehouse, inventory, redirect_uri):
    app = _web_app()
    response = requests.get(
        authorize_url(gatehouse, app.client_id, redirect_uri, scope="openid", state="s"),
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert CALLBACK_MISMATCH in BeautifulSoup(response.text, "html.parser").get_text(" ")


def test_unknown_audience_is_a_redirect_with_auth0s_text(gatehouse, inventory):
    app = _web_app()
    response = requests.get(
        authorize_url(
            gatehouse,
            app.client_id,
            WEB_CALLBACK,
            scope="openid",
            audience="https://nope.example/",
            state="s-3",
        ),
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == (
        WEB_CALLBACK + "?error=access_denied"
        "&error_description=Service+not+found%3A+https%3A%2F%2Fnope.example%2F&state=s-3"
    )


# Security (issue 10, section 4) ------------------------------------------------------------


def test_an_end_user_session_never_reaches_the_console(gatehouse, inventory, ada):
    person = Person()
    _sign_in(gatehouse, _web_app(), WEB_CALLBACK, person)
    assert person.http.cookies  # signed in at Gatehouse
    page = person.http.get(gatehouse + "/applications/", allow_redirects=False, timeout=TIMEOUT)
    assert page.status_code == 302
    assert page.headers["Location"] == "/login/?next=/applications/"
    api = person.http.get(gatehouse + "/api/v2/clients", allow_redirects=False, timeout=TIMEOUT)
    assert api.status_code == 401
    admin = person.http.get(gatehouse + "/admin/", allow_redirects=False, timeout=TIMEOUT)
    assert admin.status_code == 302
    assert admin.headers["Location"].startswith("/admin/login/")


def test_login_csrf_is_refused(gatehouse, inventory, ada):
    """A page elsewhere that posts the attacker's credentials to /u/login (login CSRF)
    cannot know the CSRF token that goes with the victim's cookie."""
    victim = requests.Session()
    start = victim.get(
        authorize_url(gatehouse, _web_app().client_id, WEB_CALLBACK, scope="openid"),
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    login_url = gatehouse + start.headers["Location"]
    page = BeautifulSoup(victim.get(login_url, timeout=TIMEOUT).text, "html.parser")
    state = page.find("input", attrs={"name": "state"})["value"]
    forged = {"state": state, "username": ada.email, "password": PASSWORD, "action": "default"}
    action = gatehouse + "/u/login"
    with_cookie = victim.post(action, data=forged, allow_redirects=False, timeout=TIMEOUT)
    assert with_cookie.status_code == 403
    cross_site = victim.post(
        action,
        data=forged,
        headers={"Origin": "https://evil.example"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert cross_site.status_code == 403
    without_cookie = requests.post(action, data=forged, allow_redirects=False, timeout=TIMEOUT)
    assert without_cookie.status_code == 403
    # The same post with the page's token signs in: the refusals above were the CSRF check.
    token = page.find("input", attrs={"name": "csrfmiddlewaretoken"})["value"]
    genuine = victim.post(
        action,
        data={**forged, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert genuine.status_code == 302


def test_codes_passwords_and_session_secrets_are_never_logged(gatehouse, inventory, ada, caplog):
    caplog.set_level(logging.DEBUG)
    app, person = _web_app(), Person()
    verifier = secrets.token_urlsafe(48)
    journey = person.authorize(
        authorize_url(
            gatehouse,
            app.client_id,
            WEB_CALLBACK,
            scope="openid profile read:stock",
            audience=AUDIENCE,
            code_challenge=s256(verifier),
            code_challenge_method="S256",
        ),
        WEB_CALLBACK,
    )
    code = journey.params["code"]
    tokens = requests.post(
        gatehouse + "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "client_id": app.client_id,
            "client_secret": app.secret,
            "code": code,
            "redirect_uri": WEB_CALLBACK,
            "code_verifier": verifier,
        },
        timeout=TIMEOUT,
    ).json()
    # A failed sign-in and a reused code are logged too; still without the secrets.
    with pytest.raises(SignInFailed):
        Person(password="Wrong-password-1").authorize(
            authorize_url(gatehouse, app.client_id, WEB_CALLBACK, scope="openid"), WEB_CALLBACK
        )
    requests.post(
        gatehouse + "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "client_id": app.client_id,
            "client_secret": app.secret,
            "code": code,
            "redirect_uri": WEB_CALLBACK,
            "code_verifier": verifier,
        },
        timeout=TIMEOUT,
    )
    logged = caplog.text
    assert "authorization code issued" in logged  # the log was captured at all
    secrets_seen = {
        "code": code,
        "code_verifier": verifier,
        "password": PASSWORD,
        "client_secret": app.secret,
        "access_token": tokens["access_token"],
        "id_token": tokens["id_token"],
        **{f"cookie {cookie.name}": cookie.value for cookie in person.http.cookies},
    }
    leaked = [name for name, value in secrets_seen.items() if value in logged]
    assert leaked == []
