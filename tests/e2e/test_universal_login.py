"""An end user signs in and consents in Debian's Chromium, with JavaScript and without it,
and the sign-in and consent pages pass the axe accessibility check."""

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from apis import resource_servers
from apis.resource_servers import ScopeSpec
from applications import clients, codes
from applications.models import AppType
from users import passwords
from users.models import User

from .test_accessibility import ambiguous_controls, axe_violations, describe

pytestmark = pytest.mark.browser

USER_PASSWORD = "Correct-Horse-9"


@pytest.fixture
def login_tenant(console, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    api, _ = resource_servers.create_api(
        name="Orders",
        identifier="https://orders.example/api",
        scopes=[ScopeSpec("read:orders", "Read your orders")],
    )
    application, _ = clients.create_application(name="Acme Web", app_type=AppType.REGULAR_WEB)
    callback = console + "/callback"
    application.callbacks = [callback]
    application.save()
    User.objects.create(email="ada@example.com", password=passwords.hash_password(USER_PASSWORD))
    query = urlencode(
        {
            "client_id": application.client_id,
            "response_type": "code",
            "redirect_uri": callback,
            "scope": "openid profile read:orders",
            "audience": api.identifier,
            "state": "e2e-state",
        }
    )
    return {
        "application": application,
        "authorize": f"{console}/authorize?{query}",
        "callback": callback,
    }


def capture_callback(page, callback: str) -> list:
    """Records the requests that reach the client's callback (a 404 page of the live server:
    only the URL and the posted body matter)."""
    seen: list = []
    page.on(
        "request",
        lambda request: seen.append(request) if request.url.startswith(callback) else None,
    )
    return seen


def assert_code_delivered(seen, tenant) -> None:
    assert seen, "the callback was never reached"
    url = seen[-1].url
    assert url.startswith(tenant["callback"] + "?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert set(params) == {"code", "state"} and params["state"] == "e2e-state"
    row = codes.redeem(
        params["code"],
        application=tenant["application"],
        redirect_uri=tenant["callback"],
        code_verifier=None,
    )
    assert row.scopes == ["openid", "profile", "read:orders"]


def test_sign_in_and_consent_with_javascript(browser, login_tenant, shoot):
    from playwright.sync_api import expect

    context = browser.new_context()
    page = context.new_page()
    seen = capture_callback(page, login_tenant["callback"])
    problems = []
    page.goto(login_tenant["authorize"])
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    problems += [describe(axe_violations(page)), *ambiguous_controls(page)]
    shoot(page, "universal-login")
    page.get_by_label("Email address").fill("ada@example.com")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    problems += [describe(axe_violations(page)), *ambiguous_controls(page)]
    page.get_by_label("Password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Authorize Acme Web")).to_be_visible()
    expect(page.get_by_text("Read your orders")).to_be_visible()
    problems += [describe(axe_violations(page)), *ambiguous_controls(page)]
    shoot(page, "universal-consent")
    page.get_by_role("button", name="Accept").click()
    expect(page).to_have_url(re.compile(r"/callback"))
    assert_code_delivered(seen, login_tenant)
    # Signed in now: the next request goes straight back with a code (the grant is remembered).
    page.goto(login_tenant["authorize"])
    expect(page).to_have_url(re.compile(r"/callback"))
    assert len(seen) == 2
    context.close()
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def test_sign_in_and_consent_without_javascript(browser, login_tenant):
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    seen = capture_callback(page, login_tenant["callback"])
    page.goto(login_tenant["authorize"])
    page.get_by_label("Email address").fill("ada@example.com")
    page.get_by_label("Password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Authorize Acme Web")).to_be_visible()
    page.get_by_role("button", name="Accept").click()
    expect(page).to_have_url(re.compile(r"/callback"))
    assert_code_delivered(seen, login_tenant)
    # form_post without JavaScript: the noscript button posts the code.
    page.goto(login_tenant["authorize"] + "&response_mode=form_post")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/callback"))
    posted = seen[-1]
    assert posted.method == "POST" and posted.url == login_tenant["callback"]
    fields = parse_qs(posted.post_data)
    assert fields["state"] == ["e2e-state"] and fields["code"][0]
    context.close()
