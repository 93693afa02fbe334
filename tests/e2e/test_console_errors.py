"""A console request htmx sends that fails (4xx, 5xx) shows its error page in the console's
main region, as a browser shows a failed page load, instead of leaving the click without an
answer; and the address stays at the page the user was on. A request that gets no answer at
all is announced, and the page keeps what was typed."""

import pytest

from apis import resource_servers
from apis.models import Api
from apis.resource_servers import ScopeSpec

from .conftest import PASSWORD, log_in, settled

pytestmark = pytest.mark.browser


def test_a_tab_of_a_deleted_api_shows_not_found(browser, console):
    from playwright.sync_api import expect

    api, _ = resource_servers.create_api(
        name="Catalog", identifier="https://catalog.example/", scopes=[ScopeSpec("read:items")]
    )
    settings_url = f"{console}/apis/{api.id}/settings/"
    context = browser.new_context(base_url=console)
    page = context.new_page()
    log_in(page, console, f"/apis/{api.id}/settings/")
    expect(page.get_by_role("heading", name="General Settings")).to_be_visible()
    settled(page)
    page.evaluate("window.gatehouseMarker = 'still here'")

    resource_servers.delete_api(api)  # by someone else, while this page is open
    page.get_by_role("tab", name="Permissions (Scopes)").click()

    main = page.locator("main#main")
    expect(main.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page).to_have_title("Not found · Gatehouse")
    # Swapped in place (the console's navigation is still there), not a new page load.
    assert page.evaluate("window.gatehouseMarker") == "still here"
    expect(page.locator("nav.sidenav")).to_be_visible()
    expect(page).to_have_url(settings_url)
    # The console still works after the error.
    settled(page)
    page.get_by_role("link", name="APIs", exact=True).click()
    expect(main.get_by_role("heading", name="APIs")).to_be_visible()
    expect(page).to_have_url(f"{console}/apis/")
    context.close()


def test_a_form_with_a_stale_csrf_token_says_so_and_saves_nothing(browser, console):
    from playwright.sync_api import expect

    api, _ = resource_servers.create_api(name="Catalog", identifier="https://catalog.example/")
    settings_url = f"{console}/apis/{api.id}/settings/"
    context = browser.new_context(base_url=console)
    page = context.new_page()
    log_in(page, console, f"/apis/{api.id}/settings/")
    expect(page.get_by_role("heading", name="General Settings")).to_be_visible()

    # Signing in again in another tab rotates the CSRF token the first tab's page carries.
    other = context.new_page()
    other.goto(f"{console}/apis/")
    other.get_by_role("button", name="Log out").click()
    other.get_by_label("Username").fill("admin")
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Log in").click()
    expect(other.get_by_role("heading", name="APIs")).to_be_visible()
    other.close()

    settled(page)
    page.get_by_role("textbox", name="Name", exact=True).fill("Renamed")
    page.get_by_role("button", name="Save").click()

    main = page.locator("main#main")
    expect(main.get_by_role("heading", name="This page is out of date")).to_be_visible()
    expect(main.get_by_role("link", name="Reload the page")).to_have_attribute("href", "")
    expect(page).to_have_url(settings_url)
    assert Api.objects.get(pk=api.pk).name == "Catalog"

    main.get_by_role("link", name="Reload the page").click()
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value("Catalog")
    page.get_by_role("textbox", name="Name", exact=True).fill("Renamed")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    assert Api.objects.get(pk=api.pk).name == "Renamed"
    context.close()


def test_no_answer_at_all_is_announced_and_keeps_the_form(browser, console):
    from playwright.sync_api import expect

    api, _ = resource_servers.create_api(name="Catalog", identifier="https://catalog.example/")
    context = browser.new_context(base_url=console)
    page = context.new_page()
    log_in(page, console, f"/apis/{api.id}/settings/")
    name = page.get_by_role("textbox", name="Name", exact=True)
    expect(name).to_have_value("Catalog")
    settled(page)
    name.fill("Typed, not yet saved")

    # The connection fails: no status, no page (as when the server is stopped).
    page.route("**/settings/", lambda route: route.abort("connectionrefused"))
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_have_text(
        "Gatehouse did not answer. Check your connection and try again; nothing on this page "
        "was lost."
    )
    expect(name).to_have_value("Typed, not yet saved")
    assert Api.objects.get(pk=api.pk).name == "Catalog"

    page.unroute("**/settings/")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    assert Api.objects.get(pk=api.pk).name == "Typed, not yet saved"
    context.close()
