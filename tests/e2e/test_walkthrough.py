"""Issue 10's "Done when", in Debian's Chromium: a staff member creates a regular web
application (with the sample application's callback URL on its Settings tab) and an end
user in the console; the person opens the sample application, signs in through /authorize,
consents; the application verifies the ID token and calls an API with the access token,
which the API verifies. Once with JavaScript, once without (every page on the way must work
as plain HTML forms). The API itself comes from apis.resource_servers: its console pages are
the main scenario's (test_scenario.py)."""

import re

import pytest

from .conftest import log_in
from .end_user import (
    AUDIENCE,
    EMAIL,
    PASSWORD,
    create_api,
    serve_tenant_at,
)
from .sample_client import SampleApp, StockApi

pytestmark = pytest.mark.browser


@pytest.fixture
def console_at_gatehouse(console, settings):
    serve_tenant_at(console, settings)
    return console


def create_application_in_console(page, name: str) -> tuple[str, str]:
    """The console's Create Application page; returns the client id and the one-time
    secret as shown on the page."""
    from playwright.sync_api import expect

    page.goto("/applications/new/")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("radio", name=re.compile("^Regular Web Application")).check()
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Copy the client secret now")).to_be_visible()
    client_id = page.locator("#app-client-id").input_value()
    secret = page.locator("#client-secret").inner_text()
    assert len(secret) >= 43
    return client_id, secret


def create_user_in_console(page, email: str, password: str, name: str) -> str:
    """The console's Create User page; returns the new user's `user_id`."""
    from playwright.sync_api import expect

    page.goto("/users/new/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text(f"User {email} created.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/users/[0-9a-f]{24}/details/$"))
    return "auth0|" + page.url.rstrip("/").split("/")[-2]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_done_when_walkthrough(browser, console_at_gatehouse, shoot, javascript):
    from playwright.sync_api import expect

    gatehouse = console_at_gatehouse
    suffix = "js" if javascript else "nojs"
    api = StockApi(gatehouse + "/", AUDIENCE)
    create_api()
    app = None
    staff = browser.new_context(base_url=gatehouse, java_script_enabled=javascript)
    try:
        # The staff member: signs in to the console and creates the application.
        console = staff.new_page()
        log_in(console, gatehouse, "/applications/")
        client_id, secret = create_application_in_console(console, "Stock app")
        shoot(console, f"walkthrough-{suffix}-01-application")
        app = SampleApp(gatehouse + "/", client_id, secret, AUDIENCE, api.url)
        # The sample application's callback, on the Settings tab.
        console.get_by_label("Allowed Callback URLs").fill(app.redirect_uri)
        console.get_by_role("button", name="Save").click()
        expect(console.get_by_text("Settings saved.")).to_be_visible()
        expect(console.get_by_label("Allowed Callback URLs")).to_have_value(app.redirect_uri)
        shoot(console, f"walkthrough-{suffix}-01b-callback")
        user_id = create_user_in_console(console, EMAIL, PASSWORD, "Ada Lovelace")
        shoot(console, f"walkthrough-{suffix}-01c-user")

        # The person, in a browser of their own (a staff login is not an end-user session).
        visitor = browser.new_context(java_script_enabled=javascript)
        try:
            page = visitor.new_page()
            page.goto(app.url + "/")
            page.get_by_role("link", name="Log in").click()
            expect(page).to_have_url(re.compile("^" + re.escape(gatehouse + "/u/login")))
            shoot(page, f"walkthrough-{suffix}-02-sign-in")
            # A wrong password first: the page says so and stays.
            page.get_by_label("Email address").fill(EMAIL)
            page.get_by_label("Password").fill("Wrong-password-1")
            page.get_by_role("button", name="Continue").click()
            expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
            expect(page).to_have_url(re.compile("^" + re.escape(gatehouse + "/u/login")))
            expect(page.get_by_label("Email address")).to_have_value(EMAIL)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Continue").click()

            # Consent: a localhost/127.0.0.1 callback always asks (section 2.2).
            expect(page).to_have_url(re.compile("^" + re.escape(gatehouse + "/u/consent")))
            expect(page.get_by_text("Stock app").first).to_be_visible()
            expect(page.get_by_text("Inventory").first).to_be_visible()
            expect(page.get_by_text("Read stock").first).to_be_visible()
            shoot(page, f"walkthrough-{suffix}-03-consent")
            page.get_by_role("button", name="Accept").click()

            # Back at the application: ID token verified, API called.
            expect(page).to_have_url(re.compile("^" + re.escape(app.redirect_uri + "?")))
            expect(page.locator("#who")).to_have_text(f"Signed in as Ada Lovelace ({user_id})")
            shoot(page, f"walkthrough-{suffix}-04-signed-in")
            # Signed in at Gatehouse as an end user is not signed in to its console.
            page.goto(gatehouse + "/applications/")
            expect(page).to_have_url(gatehouse + "/login/?next=/applications/")
        finally:
            visitor.close()
    finally:
        staff.close()
        api.stop()
        if app is not None:
            app.stop()

    [sign_in] = app.sign_ins
    assert sign_in.id_token_claims["aud"] == client_id
    assert sign_in.id_token_claims["sub"] == user_id
    assert sign_in.id_token_claims["email"] == EMAIL
    assert sign_in.token_response["scope"] == "openid profile email read:stock"
    assert (sign_in.api_status, sign_in.api_body["for"]) == (200, user_id)
    assert sign_in.id_token_at_api_status == 401
    assert api.refusals == ["Audience doesn't match"]
