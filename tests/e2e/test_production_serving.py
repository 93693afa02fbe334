"""The console as an operator runs it: the README's deploy steps (`bootstrap`, `ensure_admin`),
then gunicorn with DEBUG off. Static files must come from the application itself (WhiteNoise):
hashed names, compressed, cached for a year, so the console is styled and htmx swaps tabs.

The server gets its own SQLite file whatever DATABASE_URL the suite runs on: static serving
does not depend on the database, and a subprocess cannot share pytest-django's test database
on SQLite (it lives in memory)."""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest
from cryptography.fernet import Fernet

from .conftest import settled

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
ADMIN_PASSWORD = "production-e2e-password-not-secret"
# WhiteNoise's header for a file whose name carries its content hash: it never changes.
IMMUTABLE = "max-age=315360000, public, immutable"


def _free_port() -> int:
    # gunicorn cannot bind port 0 and report it; take one the kernel says is free now.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> Iterator[str]:
    """gunicorn with DEBUG off after the documented deploy steps; yields its base URL."""
    workdir = tmp_path_factory.mktemp("production")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env = {
        **inherited,
        "DEBUG": "false",
        "SECRET_KEY": "production-e2e-" + "s" * 60,
        "KEY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "PUBLIC_URL": base_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{workdir / 'gatehouse.sqlite3'}",
        "STATIC_ROOT": str(workdir / "static"),
        # Plain http on loopback: no TLS redirect, no HSTS, cookies that http may carry.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in ("bootstrap", "ensure_admin"):
        subprocess.run([*manage, command], env=env, cwd=ROOT, check=True, capture_output=True)
    server = subprocess.Popen(
        [str(GUNICORN), "config.wsgi:application", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                urlopen(f"{base_url}/.well-known/jwks.json", timeout=1).read()  # noqa: S310
                break
            except OSError:
                assert server.poll() is None, "gunicorn exited"
                time.sleep(0.1)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_console_is_styled_and_swaps_tabs_under_gunicorn(browser, production):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=production)
    page = context.new_page()
    statics = {}
    page.on(
        "response",
        lambda response: (
            statics.setdefault(response.url, response) if "/static/" in response.url else None
        ),
    )
    page.goto(production + "/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="APIs", exact=True).click()
    expect(page).to_have_url(production + "/apis/")

    # Hashed names (app.<12 hex>.css), answered 200, gzip-compressed, cached for a year.
    stylesheet = page.locator('link[rel="stylesheet"]').get_attribute("href")
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", stylesheet), stylesheet
    htmx = page.locator('script[src*="htmx"]').first.get_attribute("src")
    assert re.fullmatch(r"/static/django_htmx/htmx-\d\.min\.[0-9a-f]{12}\.js", htmx), htmx
    for path in (stylesheet, htmx):
        response = statics[production + path]
        assert response.status == 200, path
        headers = response.all_headers()
        assert headers["cache-control"] == IMMUTABLE, path
        assert headers["content-encoding"] == "gzip", path
    # The stylesheet applies (an unstyled page has a transparent white body and serif font).
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(246, 247, 249)"
    assert page.evaluate("typeof window.htmx") == "object"

    # A tab swaps in place: the URL is pushed and the page is not loaded anew.
    settled(page)
    page.evaluate("window.gatehouseMarker = 'still here'")
    page.get_by_role("link", name="Gatehouse Management API").first.click()
    expect(page).to_have_url(re.compile(r"/apis/[0-9a-f]{24}/quickstart/$"))
    settled(page)
    page.get_by_role("tab", name="Settings").click()
    expect(page).to_have_url(re.compile(r"/apis/[0-9a-f]{24}/settings/$"))
    expect(page.get_by_role("heading", name="General Settings")).to_be_visible()
    assert page.evaluate("window.gatehouseMarker") == "still here"
    context.close()
