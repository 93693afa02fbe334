"""The console's Settings page: the tenant's default audience, reachable from the nav, a real
form without JavaScript, the same page as an htmx fragment, validated by the domain."""

import pytest

from apis import tenant_settings
from apis.models import TenantSettings

from .conftest import HISTORY_RESTORE, HTMX, assert_full_page, assert_partial, html

pytestmark = pytest.mark.django_db

ORDERS = "https://orders.example/api"
URL = "/settings/"


def stored() -> str:
    return TenantSettings.objects.current().to_dict()["default_audience"]


def test_the_nav_links_to_settings_and_marks_it_current(staff_client, tenant):
    apis_page = assert_full_page(staff_client.get("/apis/"))
    assert '<li><a href="/settings/" >Settings</a></li>' in apis_page
    page = assert_full_page(staff_client.get(URL))
    assert '<li><a href="/settings/" aria-current="page">Settings</a></li>' in page
    assert '<a href="/apis/" aria-current="page">' not in page  # not the APIs section


def test_full_page_partial_and_history_restore(staff_client, orders_api):
    full = assert_full_page(staff_client.get(URL))
    assert "<h1>Settings</h1>" in full
    assert "<title>Settings · Gatehouse</title>" in full
    assert '<label for="id_default_audience">Default Audience</label>' in full
    # The APIs are offered as suggestions, in a datalist the text input points to.
    assert 'list="api-identifiers"' in full
    assert f'<option value="{ORDERS}">Orders</option>' in full
    partial = assert_partial(staff_client.get(URL, headers=HTMX))
    assert '<label for="id_default_audience">Default Audience</label>' in partial
    assert_full_page(staff_client.get(URL, headers=HISTORY_RESTORE))


def test_the_current_default_is_filled_in(staff_client, orders_api):
    tenant_settings.update(default_audience=ORDERS)

    body = html(staff_client.get(URL))

    assert f'name="default_audience" value="{ORDERS}"' in body


def test_saving_redirects_and_says_so(staff_client, orders_api):
    response = staff_client.post(URL, {"default_audience": ORDERS})

    assert response.status_code == 302
    assert response["Location"] == URL
    assert stored() == ORDERS
    assert "Settings saved." in html(staff_client.get(URL))


def test_an_empty_value_clears_the_default(staff_client, orders_api):
    tenant_settings.update(default_audience=ORDERS)

    response = staff_client.post(URL, {"default_audience": ""})

    assert response.status_code == 302
    assert stored() == ""


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("https://nope.example/", "&quot;https://nope.example/&quot;"),
        (ORDERS + " ", "&quot;https://orders.example/api &quot;"),  # nothing is trimmed
        ("\u00a0" + ORDERS, "&quot;\\u00a0https://orders.example/api&quot;"),
    ],
)
def test_an_identifier_no_api_has_is_shown_on_the_field(staff_client, orders_api, value, shown):
    tenant_settings.update(default_audience=ORDERS)

    for headers in ({}, HTMX):
        response = staff_client.post(URL, {"default_audience": value}, headers=headers)
        body = assert_partial(response) if headers else assert_full_page(response)
        assert 'id="id_default_audience_error"' in body
        assert f"No API has the identifier {shown}." in body
        assert 'aria-invalid="true"' in body

    assert stored() == ORDERS


def test_a_too_long_value_is_refused(staff_client, orders_api):
    response = staff_client.post(URL, {"default_audience": "x" * 601})

    assert 'id="id_default_audience_error"' in html(response)
    assert not TenantSettings.objects.exists()


def test_get_and_post_only(staff_client, tenant):
    assert staff_client.put(URL).status_code == 405
