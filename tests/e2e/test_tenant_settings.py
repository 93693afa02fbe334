"""The Settings page in Chromium: reached from the nav, saved with htmx (the page swaps in
place) and without JavaScript (a real form post), and used by /oauth/token at once."""

import jwt
import pytest
import requests

from apis import resource_servers
from applications import clients

from .conftest import log_in, settled

pytestmark = pytest.mark.browser

CATALOG = "https://catalog.example/"


def test_default_audience_set_in_the_console_serves_token_requests(browser, console, shoot):
    from playwright.sync_api import expect

    api, _ = resource_servers.create_api(name="Catalog", identifier=CATALOG)
    application, secret = clients.create_application(name="Indexer")
    clients.authorize(application, api, [])
    form = {"grant_type": "client_credentials", "client_id": application.client_id}
    form["client_secret"] = secret

    context = browser.new_context(base_url=console)
    page = context.new_page()
    log_in(page, console, "/apis/")
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page).to_have_url(f"{console}/settings/")
    expect(page.locator("nav.sidenav a[aria-current=page]")).to_have_text("Settings")
    settled(page)
    page.evaluate("window.gatehouseMarker = 'still here'")

    page.get_by_label("Default Audience").fill("https://nowhere.example/")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_default_audience_error")).to_contain_text(
        'No API has the identifier "https://nowhere.example/".'
    )
    settled(page)
    page.get_by_label("Default Audience").fill(CATALOG)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    expect(page).to_have_url(f"{console}/settings/")
    expect(page.get_by_label("Default Audience")).to_have_value(CATALOG)
    assert page.evaluate("window.gatehouseMarker") == "still here"  # swapped by htmx
    shoot(page, "settings-default-audience")
    context.close()

    token = requests.post(f"{console}/oauth/token", data=form, timeout=10).json()
    assert jwt.decode(token["access_token"], options={"verify_signature": False})["aud"] == CATALOG

    plain = browser.new_context(base_url=console, java_script_enabled=False)
    page = plain.new_page()
    log_in(page, console, "/settings/")
    page.get_by_label("Default Audience").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    plain.close()

    refused = requests.post(f"{console}/oauth/token", data=form, timeout=10)
    assert refused.status_code == 403
    assert refused.json()["error_description"].startswith("No audience parameter")
