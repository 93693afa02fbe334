"""End-to-end tests: Debian's Chromium driven by Playwright against pytest-django's live
server. Playwright's own browser download does not work here; CI installs `chromium`.
Without it these tests skip, except under CI=true (set by .ci/run), where they fail."""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from apis import resource_servers
from keys import signing

from .end_user import create_api, create_end_user, serve_tenant_at

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PASSWORD = "e2e-password-not-secret"


@pytest.fixture(scope="package")
def browser():
    if not os.path.exists(CHROMIUM):
        missing = f"{CHROMIUM} is not installed (apt-get install chromium)"
        # A developer's machine may lack the browser; CI must not turn green without these tests.
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}, and CI=true: the browser tests must run")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # inside one unless told that this (test-only) use is deliberate. Only while the
    # browser lives: the variable must not leak into later tests or their subprocesses.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def console(live_server, settings, transactional_db, password_hash):
    """The tenant as after `make run`, served at the live server's address."""
    settings.PUBLIC_URL = live_server.url
    settings.ISSUER = live_server.url + "/"
    settings.JWKS_URI = live_server.url + "/.well-known/jwks.json"
    settings.TOKEN_ENDPOINT = live_server.url + "/oauth/token"
    signing.ensure_keys()
    resource_servers.ensure_management_api()
    get_user_model().objects.create(
        username="admin",
        email="",
        password=password_hash(PASSWORD),
        is_staff=True,
        is_superuser=True,
    )
    return live_server.url


@pytest.fixture
def shoot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


def settled(page) -> None:
    """Wait until htmx has boosted the page and no swap is in flight. A click before htmx has
    boosted a link is an ordinary page load, which a busy machine makes likely. After a full
    load htmx boosts the body on DOMContentLoaded, while ``window.htmx`` exists as soon as its
    deferred script ran, so the document must have finished loading. After a swap htmx boosts
    the new content once it has settled (20 ms later). A person is never that quick; tests wait
    as they would."""
    page.wait_for_function(
        "document.readyState === 'complete' && window.htmx"
        " && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def log_in(page, base_url: str, next_path: str = "/") -> None:
    page.goto(base_url + next_path)
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def gatehouse(live_server, settings, transactional_db):
    """The tenant served at the live server's address, for the sign-in flow's tests."""
    serve_tenant_at(live_server.url, settings)
    return live_server.url


@pytest.fixture
def inventory(gatehouse):
    """An RS256 API with scopes read:stock and write:stock (end_user.AUDIENCE)."""
    return create_api()


@pytest.fixture
def ada(gatehouse):
    """An end user who signs in with end_user.EMAIL and end_user.PASSWORD."""
    return create_end_user(name="Ada Lovelace", nickname="ada", email_verified=True)
