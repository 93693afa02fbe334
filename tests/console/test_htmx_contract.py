"""The full-page-or-partial contract, for every console page a GET can open: the full page
without HX-Request, the fragment with it, the full page for a history restore, and always
`Vary: HX-Request` so no cache serves one for the other."""

import pytest

from .conftest import HISTORY_RESTORE, HTMX, assert_full_page, assert_partial

pytestmark = pytest.mark.django_db


def test_every_page_is_full_or_partial_and_varies(staff_client, console_urls_filled):
    pages = 0
    for url in console_urls_filled:
        plain = staff_client.get(url)
        if plain.status_code != 200 or not plain["Content-Type"].startswith("text/html"):
            continue  # redirects, POST-only actions and certificate downloads
        pages += 1
        assert_full_page(plain)
        assert_partial(staff_client.get(url, headers=HTMX))
        assert_full_page(staff_client.get(url, headers=HISTORY_RESTORE))
    assert (
        pages == 27
    )  # Settings, Attack Protection, six Users pages, Logs, a log event, three Logs tabs


def test_csrf_token_travels_in_hx_headers(staff_client, tenant):
    body = assert_full_page(staff_client.get("/apis/"))
    assert '<body hx-headers=\'{"X-CSRFToken": "' in body
    assert '<script src="/static/django_htmx/htmx-2.min.js"' in body
    assert '<script src="/static/js/app.js" defer></script>' in body
