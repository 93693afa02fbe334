"""The issue's main scenario, through the UI only, in a real Chromium; then the token
endpoint, rotation and revocation checked over HTTP the way a resource server would."""

import re

import jwt
import pytest
import requests

from .conftest import log_in

pytestmark = pytest.mark.browser

API_NAME = "Inventory"
AUDIENCE = "https://inventory.example/api"


def _verify_over_http(base_url: str, token: str) -> dict:
    # A fresh client each time: PyJWKClient caches the key set, a resource server's cache
    # would expire the same way, only later.
    jwks_client = jwt.PyJWKClient(f"{base_url}/.well-known/jwks.json", cache_jwk_set=False)
    key = jwks_client.get_signing_key_from_jwt(token)
    return jwt.decode(
        token, key.key, algorithms=["RS256"], audience=AUDIENCE, issuer=base_url + "/"
    )


def test_main_scenario(browser, console, shoot):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=console)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=console)
    page = context.new_page()

    # Log in.
    page.goto("/apis/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/apis/$"))
    shoot(page, "01-login")
    log_in(page, console, "/apis/")
    expect(page.get_by_role("heading", name="APIs")).to_be_visible()
    expect(page.get_by_text("System API")).to_be_visible()
    shoot(page, "02-apis-list")

    # Create an API.
    page.get_by_role("link", name="+ Create API").click()
    expect(page).to_have_url(f"{console}/apis/new/")
    page.get_by_role("button", name="Create").click()  # empty: errors inline, focus on the first
    expect(page.locator("#id_name_error")).to_have_text("This field is required.")
    expect(page.get_by_label("Name")).to_be_focused()
    page.get_by_label("Name").fill(API_NAME)
    page.get_by_label("Identifier").fill(AUDIENCE)
    expect(page.get_by_role("radio", name=re.compile("^RS256"))).to_be_checked()
    shoot(page, "03-create-api")
    page.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(r"/apis/[0-9a-f]{24}/quickstart/$"))
    api_url = page.url.removesuffix("quickstart/")
    expect(page.get_by_role("tab", name="Quick Start")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#quickstart-python")).to_contain_text(f'AUDIENCE = "{AUDIENCE}"')
    shoot(page, "04-quick-start")

    # Add two scopes.
    page.get_by_role("tab", name="Permissions (Scopes)").click()
    expect(page).to_have_url(api_url + "scopes/")
    for value, description in [("read:stock", "Read stock"), ("write:stock", "Change stock")]:
        page.get_by_label("Permission (Scope)").fill(value)
        page.get_by_label("Description").fill(description)
        page.get_by_role("button", name="+ Add").click()
        expect(page.get_by_text(f"Scope {value} added.")).to_be_visible()
    expect(page.locator("table td:first-child code")).to_have_text(["read:stock", "write:stock"])
    shoot(page, "05-scopes")

    # Create a Machine to Machine application and copy its secret.
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Applications").click()
    page.get_by_role("link", name="+ Create Application").click()
    page.get_by_label("Name").fill("Stock sync")
    expect(page.get_by_role("radio", name=re.compile("^Machine to Machine"))).to_be_checked()
    shoot(page, "06-create-application")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Copy the client secret now")).to_be_visible()
    client_id = page.locator("#app-client-id").input_value()
    page.get_by_role("button", name="Copy client secret").click()
    secret = page.evaluate("navigator.clipboard.readText()")
    assert secret == page.locator("#client-secret").inner_text() and len(secret) >= 43
    shoot(page, "07-application-secret")
    # Shown once means once in the browser too: htmx keeps no copy in its history cache,
    # and Back asks the server again, which no longer has it.
    page.get_by_role("tab", name="APIs").click()
    expect(page).to_have_url(re.compile(r"/applications/\w+/apis/$"))
    stored = page.evaluate("JSON.stringify(sessionStorage) + JSON.stringify(localStorage)")
    assert "htmx-current-path-for-history" in stored  # the cache is there, but not the secret
    assert secret not in stored
    page.go_back()
    expect(page).to_have_url(re.compile(r"/applications/\w+/settings/$"))
    settings_tab = page.get_by_role("tab", name="Settings", exact=True)
    expect(settings_tab).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("heading", name="Copy the client secret now")).to_have_count(0)
    assert secret not in page.content()

    # Authorize it for one scope on the API's Machine to Machine tab.
    page.goto(api_url + "applications/")
    card = page.locator("article.grant-card", has_text="Stock sync")
    card.get_by_role("switch").click()
    expect(
        page.get_by_text("Stock sync is authorized for Inventory with no scopes.")
    ).to_be_visible()
    expect(card.get_by_role("switch")).to_have_attribute("aria-checked", "true")
    card.get_by_role("checkbox", name="read:stock").check()
    card.get_by_role("button", name="Update").click()
    expect(
        page.get_by_text("Stock sync is authorized for Inventory with read:stock.")
    ).to_be_visible()
    expect(card.get_by_role("checkbox", name="read:stock")).to_be_checked()
    expect(card.get_by_role("checkbox", name="write:stock")).not_to_be_checked()
    shoot(page, "08-m2m-applications")

    # The Test tab mints a token whose scope is exactly that one.
    page.get_by_role("tab", name="Test").click()
    expect(page).to_have_url(api_url + "test/")
    expect(page.get_by_role("combobox", name="Application")).to_have_value(client_id)
    page.get_by_role("button", name="Get a test token").click()
    expect(page.locator("#test-verdict")).to_contain_text("✓ Signature verified")
    test_token = page.locator("#test-token").inner_text()
    assert jwt.decode(test_token, options={"verify_signature": False})["scope"] == "read:stock"
    shoot(page, "09-test-tab")

    # The copied secret gets a token from /oauth/token, like curl would.
    response = requests.post(
        f"{console}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "audience": AUDIENCE,
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "read:stock"
    assert _verify_over_http(console, response.json()["access_token"])["scope"] == "read:stock"

    # Rotate on the Signing Keys page; the earlier token still verifies against the JWKS.
    old_kid = jwt.get_unverified_header(test_token)["kid"]
    page.get_by_role("link", name="Signing Keys").click()
    expect(page.locator(f"#key-{old_kid}")).to_have_attribute("data-state", "current")
    shoot(page, "10-signing-keys")
    page.get_by_text("Rotate signing key").click()
    page.get_by_role("button", name="Yes, rotate the key").click()
    expect(page.get_by_text("Rotated. New tokens are signed with")).to_be_visible()
    expect(page.locator(f"#key-{old_kid}")).to_have_attribute("data-state", "previous")
    shoot(page, "11-rotated")
    assert _verify_over_http(console, test_token)["aud"] == AUDIENCE

    # Revoke the previous key; the earlier token no longer verifies.
    page.locator(f"#key-{old_kid}").get_by_text("Revoke", exact=True).click()
    page.get_by_role("button", name="Yes, revoke").click()
    expect(page.get_by_text(f"Key {old_kid} revoked.")).to_be_visible()
    expect(page.locator(f"#key-{old_kid}")).to_have_attribute("data-state", "revoked")
    shoot(page, "12-revoked")
    with pytest.raises(jwt.PyJWKClientError):
        _verify_over_http(console, test_token)
    context.close()
