"""The console without JavaScript (real links and form posts), and Back/Forward across htmx
tabs restoring the right tab."""

import re

import jwt
import pytest

from apis import resource_servers
from apis.resource_servers import ScopeSpec

from .conftest import log_in, settled

pytestmark = pytest.mark.browser


def test_scenario_pages_work_without_javascript(browser, console, shoot):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=console, java_script_enabled=False)
    page = context.new_page()
    log_in(page, console, "/apis/new/")
    expect(page).to_have_url(f"{console}/apis/new/")
    # No clipboard without JavaScript: copy buttons stay hidden instead of doing nothing.
    expect(page.locator("button.copy").first).to_be_hidden()

    page.get_by_label("Name").fill("Warehouse")
    page.get_by_label("Identifier").fill("")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#id_identifier_error")).to_have_text("This field is required.")
    expect(page.get_by_label("Identifier")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Identifier").fill("https://warehouse.example/")
    page.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(r"/apis/[0-9a-f]{24}/quickstart/$"))
    api_url = page.url.removesuffix("quickstart/")

    page.get_by_role("tab", name="Permissions (Scopes)").click()
    expect(page).to_have_url(api_url + "scopes/")
    for value in ("read:bins", "write:bins"):
        page.get_by_label("Permission (Scope)").fill(value)
        page.get_by_role("button", name="+ Add").click()
        expect(page.get_by_text(f"Scope {value} added.")).to_be_visible()

    page.get_by_role("link", name="Applications", exact=True).click()
    page.get_by_role("link", name="+ Create Application").click()
    page.get_by_label("Name").fill("Forklift")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Copy the client secret now")).to_be_visible()
    shoot(page, "nojs-application-secret")
    page.reload()
    expect(page.get_by_role("heading", name="Copy the client secret now")).to_have_count(0)

    page.goto(api_url + "applications/")
    card = page.locator("article.grant-card", has_text="Forklift")
    card.get_by_role("switch").click()
    expect(card.get_by_role("switch")).to_have_attribute("aria-checked", "true")
    expect(card.get_by_text("Select:")).to_be_hidden()  # select all/none needs JavaScript
    card.get_by_role("checkbox", name="write:bins").check()
    card.get_by_role("button", name="Update").click()
    expect(card.get_by_role("checkbox", name="write:bins")).to_be_checked()

    page.get_by_role("tab", name="Test").click()
    page.get_by_role("button", name="Get a test token").click()
    token = page.locator("#test-token").inner_text()
    assert jwt.decode(token, options={"verify_signature": False})["scope"] == "write:bins"
    shoot(page, "nojs-test-tab")

    page.get_by_role("link", name="Signing Keys").click()
    # The confirmations are popovers: HTML opens them without JavaScript.
    page.get_by_role("button", name="Rotate signing key").click()
    page.get_by_role("button", name="Yes, rotate the key").click()
    expect(page.get_by_text("Rotated.")).to_be_visible()
    previous = page.locator("tr[data-state=previous]")
    previous.get_by_role("button", name="Revoke", exact=False).click()
    previous.get_by_role("button", name="Yes, revoke").click()
    expect(page.get_by_text("revoked. It left the JWKS")).to_be_visible()
    expect(page.locator("tr[data-state=revoked]")).to_have_count(1)
    context.close()


def test_back_and_forward_restore_the_right_tab(browser, console):
    from playwright.sync_api import expect

    api, _ = resource_servers.create_api(
        name="Catalog", identifier="https://catalog.example/", scopes=[ScopeSpec("read:items")]
    )
    base = f"{console}/apis/{api.id}/"
    context = browser.new_context(base_url=console)
    page = context.new_page()
    log_in(page, console, "/apis/")
    expect(page).to_have_title("APIs · Gatehouse")

    # Set a marker: it survives only if pages swap in place instead of loading anew.
    settled(page)
    page.evaluate("window.gatehouseMarker = 'still here'")
    page.get_by_role("link", name="Catalog").click()
    expect(page).to_have_url(base + "quickstart/")
    expect(page).to_have_title("Catalog · Gatehouse")

    def selected_tab():
        return page.locator('[role="tab"][aria-selected="true"]')

    settled(page)
    page.get_by_role("tab", name="Settings").click()
    expect(page).to_have_url(base + "settings/")
    expect(selected_tab()).to_have_text("Settings")
    expect(page.get_by_role("heading", name="General Settings")).to_be_visible()
    settled(page)
    page.get_by_role("tab", name="Permissions (Scopes)").click()
    expect(page).to_have_url(base + "scopes/")
    expect(page.get_by_role("cell", name="read:items", exact=True)).to_be_visible()
    assert page.evaluate("window.gatehouseMarker") == "still here"

    page.go_back()
    expect(page).to_have_url(base + "settings/")
    expect(selected_tab()).to_have_text("Settings")
    expect(page.get_by_role("heading", name="General Settings")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(base + "quickstart/")
    expect(selected_tab()).to_have_text("Quick Start")
    expect(page.locator("#quickstart-python")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(f"{console}/apis/")
    expect(page.get_by_role("link", name="Catalog")).to_be_visible()
    page.go_forward()
    expect(page).to_have_url(base + "quickstart/")
    page.go_forward()
    expect(page).to_have_url(base + "settings/")
    expect(selected_tab()).to_have_text("Settings")
    page.go_forward()
    expect(page).to_have_url(base + "scopes/")
    expect(selected_tab()).to_have_text("Permissions (Scopes)")

    # A reload of a pushed URL is a full page, the same tab.
    page.reload()
    expect(selected_tab()).to_have_text("Permissions (Scopes)")
    expect(page.locator("nav.sidenav a[aria-current=page]")).to_have_text("APIs")
    context.close()
