"""@auth0/auth0-spa-js 2.x, the real bundle, as a single-page application in Debian's
Chromium (AUTH0_USER_FLOWS.md section 8): loginWithRedirect and loginWithPopup, the sign-in
and consent pages, handleRedirectCallback (a cross-origin POST /oauth/token with its
Auth0-Client header, so a CORS preflight), the ID token checks auth0-spa-js makes (RS256
only, `iss` with the slash, nonce), /userinfo from the page, and logout() through
/v2/logout. Then silent authentication: getTokenSilently through the hidden iframe
(`prompt=none`, `response_mode=web_message`) with a session and without one
(login_required); and refresh tokens with rotation (useRefreshTokens), parallel
getTokenSilently calls included."""

import json
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest

from apis import resource_servers
from applications import clients
from applications.models import AppType

from .end_user import (
    AUDIENCE,
    EMAIL,
    PASSWORD,
    authorize_url,
    create_browser_client,
    s256,
    verify_rs256,
)
from .sample_client import SpaHost

pytestmark = pytest.mark.browser


def test_auth0_spa_js_signs_in_calls_userinfo_and_logs_out(browser, gatehouse, inventory, ada):
    from playwright.sync_api import expect

    app = create_browser_client("Stock SPA", AppType.SPA, callbacks=[])
    host = SpaHost(gatehouse, app.client_id, AUDIENCE)
    spa = host.url + "/"
    clients.update_application(
        app.application,
        callbacks=[spa],
        allowed_logout_urls=[spa],
        web_origins=[host.url],
        allowed_origins=[host.url],
    )
    context = browser.new_context()
    try:
        page = context.new_page()
        result = sign_in_with_redirect(page, gatehouse, spa)
        out = page.locator("#out")

        assert result["claims"]["iss"] == gatehouse + "/"
        assert result["claims"]["aud"] == app.client_id
        assert result["user"]["sub"] == ada.user_id
        assert result["user"]["email"] == EMAIL
        claims = verify_rs256(gatehouse, result["accessToken"], AUDIENCE)
        assert claims["aud"] == [AUDIENCE, gatehouse + "/userinfo"]
        assert claims["azp"] == app.client_id
        assert result["userinfoStatus"] == 200
        assert result["userinfo"]["sub"] == ada.user_id

        # logout(): /v2/logout?client_id=…&returnTo=…, back to the SPA, session over.
        page.get_by_role("button", name="Log out").click()
        expect(page).to_have_url(spa)
        expect(out).to_have_attribute("data-state", "ready")
        silent = authorize_url(
            gatehouse,
            app.client_id,
            spa,
            scope="openid",
            prompt="none",
            state="after-logout",
            code_challenge=s256(secrets.token_urlsafe(48)),
            code_challenge_method="S256",
        )
        page.goto(silent)
        expect(page).to_have_url(
            spa + "?error=login_required&error_description=Login+required&state=after-logout"
        )
    finally:
        context.close()
        host.stop()


def sign_in_with_redirect(page, gatehouse: str, spa: str) -> dict:
    """loginWithRedirect, the sign-in page, consent (a loopback callback always asks), and
    handleRedirectCallback; returns what the page reports once signed in."""
    from playwright.sync_api import expect

    page.goto(spa)
    out = page.locator("#out")
    expect(out).to_have_attribute("data-state", "ready")
    page.get_by_role("button", name="Log in", exact=True).click()
    sign_in_and_consent(page, gatehouse)
    return signed_in(out)


def sign_in_and_consent(window, gatehouse: str) -> None:
    """The sign-in page as Ada, then consent (a loopback callback always asks), in `window`
    (the SPA's page, or its popup)."""
    from playwright.sync_api import expect

    expect(window).to_have_url(re.compile("^" + re.escape(gatehouse + "/u/login")))
    window.get_by_label("Email address").fill(EMAIL)
    window.get_by_label("Password").fill(PASSWORD)
    window.get_by_role("button", name="Continue").click()
    window.get_by_role("button", name="Accept").click()


def signed_in(out) -> dict:
    """What the SPA reports (its `#out`) once its sign-in has finished, which must be a
    success."""
    from playwright.sync_api import expect

    expect(out).not_to_have_attribute("data-state", "loading", timeout=15000)
    result = json.loads(out.text_content())
    assert out.get_attribute("data-state") == "signed-in", result
    return result


def test_login_with_popup(browser, gatehouse, inventory, ada):
    """loginWithPopup: /authorize with response_mode=web_message in a popup, the sign-in and
    consent pages there, then the web_message page posts the code to the opener: the popup
    must keep its `window.opener` through every page it shows."""
    from playwright.sync_api import expect

    app = create_browser_client("Popup SPA", AppType.SPA, callbacks=[])
    host = SpaHost(gatehouse, app.client_id, AUDIENCE)
    spa = host.url + "/"
    clients.update_application(
        app.application, callbacks=[spa], web_origins=[host.url], allowed_origins=[host.url]
    )
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(spa)
        out = page.locator("#out")
        expect(out).to_have_attribute("data-state", "ready")
        with page.expect_popup() as opened:
            page.get_by_role("button", name="Log in with a popup").click()
        popup = opened.value
        sign_in_and_consent(popup, gatehouse)
        result = signed_in(out)

        assert result["user"]["sub"] == ada.user_id
        assert result["claims"]["aud"] == app.client_id
        claims = verify_rs256(gatehouse, result["accessToken"], AUDIENCE)
        assert claims["azp"] == app.client_id
        assert result["userinfoStatus"] == 200
        # The SDK closes its popup once the code has arrived.
        if not popup.is_closed():
            popup.wait_for_event("close", timeout=5000)
    finally:
        context.close()
        host.stop()


SILENT_TOKEN = """async () => {
  try {
    return await window.spa.getTokenSilently({cacheMode: "off", detailedResponse: true});
  } catch (e) {
    return {error: e.error, error_description: e.error_description, message: e.message};
  }
}"""


def test_silent_authentication_in_a_hidden_iframe(browser, gatehouse, inventory, ada):
    from playwright.sync_api import expect

    # Same site as the tenant (both localhost, other ports): the iframe's request to
    # /authorize carries the SameSite=Lax session cookie. A cross-site SPA would need
    # refresh tokens instead (README, "Silent authentication").
    assert urlsplit(gatehouse).hostname == "localhost"
    app = create_browser_client("Silent SPA", AppType.SPA, callbacks=[])
    host = SpaHost(gatehouse, app.client_id, AUDIENCE, hostname="localhost")
    spa = host.url + "/"
    # No Allowed Origins: the callback's origin is enough for CORS.
    clients.update_application(
        app.application, callbacks=[spa], allowed_logout_urls=[spa], web_origins=[host.url]
    )
    context = browser.new_context()
    try:
        page = context.new_page()
        first = sign_in_with_redirect(page, gatehouse, spa)

        frames = []
        page.on(
            "response",
            lambda r: frames.append(r) if "response_mode=web_message" in r.url else None,
        )
        silent = page.evaluate(SILENT_TOKEN)
        assert "access_token" in silent, silent
        assert silent["access_token"] != first["accessToken"]
        claims = verify_rs256(gatehouse, silent["access_token"], AUDIENCE)
        assert claims["sub"] == ada.user_id
        assert claims["azp"] == app.client_id
        # The hidden iframe loaded /authorize?prompt=none&response_mode=web_message: a page
        # only the SPA's origin may frame.
        [frame] = frames
        assert "prompt=none" in frame.url
        assert frame.status == 200
        headers = frame.all_headers()
        assert headers["content-security-policy"] == f"frame-ancestors {host.url}"
        assert "x-frame-options" not in headers

        # Another browser, never signed in: the iframe answers login_required.
        stranger = browser.new_context()
        try:
            other = stranger.new_page()
            other.goto(spa)
            expect(other.locator("#out")).to_have_attribute("data-state", "ready")
            refused = other.evaluate(SILENT_TOKEN)
            assert refused["error"] == "login_required", refused
            assert refused["error_description"] == "Login required"
        finally:
            stranger.close()

        # Signed out through the SDK: the session is over for the iframe too.
        page.get_by_role("button", name="Log out").click()
        expect(page).to_have_url(spa)
        expect(page.locator("#out")).to_have_attribute("data-state", "ready")
        assert page.evaluate(SILENT_TOKEN)["error"] == "login_required"
    finally:
        context.close()
        host.stop()


REFRESH_CALLS = """async () => {
  const detailed = await window.spa.getTokenSilently({cacheMode: "off", detailedResponse: true});
  // Several components asking at once (AUTH0_USER_FLOWS.md section 9, complaint 1).
  const parallel = await Promise.allSettled(
    Array.from({length: 5}, () => window.spa.getTokenSilently({cacheMode: "off"})));
  const after = await window.spa.getTokenSilently({cacheMode: "off"});
  return {
    detailed,
    parallel: parallel.map(r => r.status === "fulfilled" ? {token: r.value}
                                  : {error: r.reason.error, message: r.reason.message}),
    after,
    authenticated: await window.spa.isAuthenticated(),
  };
}"""


def test_refresh_tokens_with_rotation_keep_the_spa_signed_in(browser, gatehouse, inventory, ada):
    """useRefreshTokens: getTokenSilently exchanges the rotating refresh token at
    /oauth/token (CORS from another site: the SPA at 127.0.0.1, the tenant at localhost, so
    no iframe and no third-party cookie is involved); parallel calls do not log out."""
    resource_servers.update_api(inventory, allow_offline_access=True)
    app = create_browser_client("Refreshing SPA", AppType.SPA, callbacks=[])
    assert app.application.refresh_rotation_type == "rotating"  # a SPA's default
    host = SpaHost(gatehouse, app.client_id, AUDIENCE, options={"useRefreshTokens": True})
    spa = host.url + "/"
    assert urlsplit(spa).hostname != urlsplit(gatehouse).hostname
    clients.update_application(app.application, callbacks=[spa], allowed_logout_urls=[spa])
    context = browser.new_context()
    try:
        page = context.new_page()
        token_requests: list[str] = []
        page.on(
            "request",
            lambda r: (
                token_requests.append(r.post_data or "")
                if r.url == gatehouse + "/oauth/token" and r.method == "POST"
                else None
            ),
        )
        first = sign_in_with_redirect(page, gatehouse, spa)

        result = page.evaluate(REFRESH_CALLS)

        detailed = result["detailed"]
        assert detailed["access_token"] != first["accessToken"]
        claims = verify_rs256(gatehouse, detailed["access_token"], AUDIENCE)
        assert claims["sub"] == ada.user_id
        assert claims["gty"] == "refresh_token"
        assert all("token" in call for call in result["parallel"]), result["parallel"]
        assert verify_rs256(gatehouse, result["after"], AUDIENCE)["sub"] == ada.user_id
        assert result["authenticated"] is True
        grants = [parse_qs(body).get("grant_type", [""])[0] for body in token_requests]
        assert grants[0] == "authorization_code"
        assert set(grants[1:]) == {"refresh_token"}
        assert len(grants) >= 8  # the code, then one refresh per getTokenSilently
        # Rotation: later refreshes send the newer tokens they were given. (Parallel calls may
        # share one inside the overlap period; that is what it is for.)
        sent = [parse_qs(body)["refresh_token"][0] for body in token_requests[1:]]
        assert sent[0] != sent[-1]
    finally:
        context.close()
        host.stop()
