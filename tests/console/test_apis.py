"""The APIs list, Create API, and the API page's Quick Start, Settings and Scopes tabs."""

import re

import pytest

from apis import resource_servers
from apis.models import Api, Scope
from applications import clients

from .conftest import HISTORY_RESTORE, HTMX, assert_full_page, assert_partial, html

pytestmark = pytest.mark.django_db


def test_list_shows_apis_with_system_badge_full_and_partial(staff_client, orders_api):
    full = assert_full_page(staff_client.get("/apis/"))
    assert "<h1>APIs</h1>" in full
    assert f'href="/apis/{orders_api.id}/quickstart/"' in full
    assert "<code>https://orders.example/api</code>" in full
    assert 'Gatehouse Management API</a> <span class="badge badge-system">System API</span>' in full
    assert "+ Create API" in full
    partial = assert_partial(staff_client.get("/apis/", headers=HTMX))
    assert f'href="/apis/{orders_api.id}/quickstart/"' in partial
    assert_full_page(staff_client.get("/apis/", headers=HISTORY_RESTORE))


def test_list_filters_by_name_or_identifier(staff_client, orders_api, hs256_api):
    by_name = html(staff_client.get("/apis/?q=ledg"))
    assert "Ledger" in by_name and "Orders</a>" not in by_name
    by_identifier = html(staff_client.get("/apis/?q=orders.example"))
    assert "Orders</a>" in by_identifier and "Ledger" not in by_identifier
    none = html(staff_client.get("/apis/?q=nothing-like-this"))
    assert "No API matches “nothing-like-this”." in none


def test_list_pages_10000_apis_with_bounded_queries(
    staff_client, tenant, django_assert_max_num_queries
):
    Api.objects.bulk_create(
        Api(name=f"Service {n:05d}", identifier=f"https://svc{n:05d}.example/")
        for n in range(10_000)
    )
    with django_assert_max_num_queries(6):
        first = html(staff_client.get("/apis/"))
    assert "Page 1 of 201" in first  # 10,001 APIs with the system API, 50 a page
    assert first.count('<tr>\n        <td><a href="/apis/') == 50
    with django_assert_max_num_queries(6):
        last = html(staff_client.get("/apis/?page=201", headers=HTMX))
    assert "Service 09999" in last and "Page 201 of 201" in last
    with django_assert_max_num_queries(6):
        filtered = html(staff_client.get("/apis/?q=svc0420"))
    assert filtered.count("<code>https://svc0420") == 10 and "Page" not in filtered


def test_create_api_lands_on_quick_start(staff_client, tenant):
    form = assert_full_page(staff_client.get("/apis/new/"))
    assert "a trailing slash makes a different identifier" in form
    assert 'value="RS256"' in form and "RS256 (recommended)" in form
    response = staff_client.post(
        "/apis/new/",
        {"name": "Payments", "identifier": "https://payments.example/", "signing_alg": "RS256"},
    )
    api = Api.objects.get(identifier="https://payments.example/")
    assert response.status_code == 302
    assert response["Location"] == f"/apis/{api.id}/quickstart/"
    page = html(staff_client.get(response["Location"]))
    assert "API Payments created." in page
    assert 'aria-selected="true">Quick Start</a>' in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "identifier": "https://x.example/"}, "name", "This field is required."),
        ({"name": "X", "identifier": ""}, "identifier", "This field is required."),
        ({"name": "<b>", "identifier": "https://x.example/"}, "name", "must not contain"),
        (
            {"name": "X", "identifier": "https://x.example/", "signing_alg": "none"},
            "signing_alg",
            "Select a valid choice.",
        ),
    ],
)
def test_create_api_invalid_input_is_shown_inline_and_nothing_written(
    staff_client, tenant, data, field, message
):
    before = Api.objects.count()
    response = staff_client.post("/apis/new/", {"signing_alg": "RS256", **data}, headers=HTMX)
    body = assert_partial(response)
    assert f'<ul class="errorlist" id="id_{field}_error">' in body
    assert message in body
    assert "aria-invalid" in body
    assert Api.objects.count() == before


def test_create_api_duplicate_identifier_error_on_identifier(staff_client, orders_api):
    response = staff_client.post(
        "/apis/new/",
        {"name": "Again", "identifier": "https://orders.example/api", "signing_alg": "RS256"},
    )
    body = assert_full_page(response)
    assert 'id="id_identifier_error"' in body
    assert "already exists" in body
    assert not Api.objects.filter(name="Again").exists()


def test_api_page_tabs_are_real_urls_with_aria(staff_client, orders_api):
    for tab, label in [
        ("quickstart", "Quick Start"),
        ("settings", "Settings"),
        ("scopes", "Permissions (Scopes)"),
        ("applications", "Machine to Machine Applications"),
        ("test", "Test"),
    ]:
        url = f"/apis/{orders_api.id}/{tab}/"
        full = assert_full_page(staff_client.get(url))
        assert 'role="tablist"' in full
        assert (
            f'<a role="tab" id="tab-{tab}" href="{url}" hx-get="{url}" hx-push-url="true" '
            f'aria-controls="tabpanel" aria-selected="true">{label}</a>'
        ) in full
        assert full.count('aria-selected="true"') == 1
        assert f'role="tabpanel" aria-labelledby="tab-{tab}"' in full
        partial = assert_partial(staff_client.get(url, headers=HTMX))
        assert f'aria-labelledby="tab-{tab}"' in partial
        assert_full_page(staff_client.get(url, headers=HISTORY_RESTORE))
    detail = staff_client.get(f"/apis/{orders_api.id}/")
    assert detail["Location"] == f"/apis/{orders_api.id}/quickstart/"
    assert staff_client.get("/apis/000000000000000000000000/settings/").status_code == 404


def test_quick_start_fills_in_audience_issuer_and_jwks(staff_client, orders_api):
    body = html(staff_client.get(f"/apis/{orders_api.id}/quickstart/"))
    assert "JWKS_URL = &quot;http://127.0.0.1:8000/.well-known/jwks.json&quot;" in body
    assert "AUDIENCE = &quot;https://orders.example/api&quot;" in body
    assert "ISSUER = &quot;http://127.0.0.1:8000/&quot;" in body
    assert "createRemoteJWKSet" in body and "from &quot;jose&quot;" in body
    assert "curl" in body and "audience=https://orders.example/api" in body


def test_settings_save_and_inline_errors(staff_client, orders_api):
    url = f"/apis/{orders_api.id}/settings/"
    body = assert_full_page(staff_client.get(url))
    assert 'value="86400"' in body and "maximum 2592000" in body
    assert "Token Expiration (seconds)" in body and "token_lifetime" not in body.split("<label")[1]
    response = staff_client.post(
        url,
        {"name": "Orders v2", "token_lifetime": "3600", "token_lifetime_for_web": "600"},
    )
    assert response.status_code == 302 and response["Location"] == url
    orders_api.refresh_from_db()
    assert (orders_api.name, orders_api.token_lifetime) == ("Orders v2", 3600)
    assert not orders_api.allow_offline_access
    assert "Settings saved." in html(staff_client.get(url))

    too_long = staff_client.post(
        url, {"name": "Orders v3", "token_lifetime": "2592001", "token_lifetime_for_web": "1"}
    )
    assert 'id="id_token_lifetime_error"' in html(too_long)
    web_above = staff_client.post(
        url,
        {"name": "Orders v3", "token_lifetime": "100", "token_lifetime_for_web": "200"},
        headers=HTMX,
    )
    body = assert_partial(web_above)
    assert 'id="id_token_lifetime_for_web_error"' in body
    assert "Must not be greater than the token lifetime." in body
    orders_api.refresh_from_db()
    assert (orders_api.name, orders_api.token_lifetime) == ("Orders v2", 3600)


def test_settings_show_and_change_the_token_dialect(staff_client, orders_api):
    url = f"/apis/{orders_api.id}/settings/"
    body = assert_full_page(staff_client.get(url))
    assert '<label for="id_token_dialect">Token Dialect</label>' in body
    assert '<option value="access_token" selected>' in body  # unset means access_token
    assert '<option value="rfc9068_profile">' in body
    assert "access_token_authz" not in body
    form = {"name": "Orders", "token_lifetime": "86400", "token_lifetime_for_web": "7200"}
    response = staff_client.post(url, {**form, "token_dialect": "rfc9068_profile"})
    assert response.status_code == 302
    orders_api.refresh_from_db()
    assert orders_api.token_dialect == "rfc9068_profile"
    assert '<option value="rfc9068_profile" selected>' in html(staff_client.get(url))

    # The domain's rule, not only the form's choices, decides.
    refused = staff_client.post(url, {**form, "token_dialect": "access_token_authz"}, headers=HTMX)
    body = assert_partial(refused)
    assert 'id="id_token_dialect_error"' in body
    assert (
        "token_dialect access_token_authz needs RBAC permissions, which Gatehouse does not "
        "support yet"
    ) in body
    orders_api.refresh_from_db()
    assert orders_api.token_dialect == "rfc9068_profile"

    # A form without the field (an older page) leaves the dialect as it is.
    assert staff_client.post(url, form).status_code == 302
    orders_api.refresh_from_db()
    assert orders_api.token_dialect == "rfc9068_profile"


def test_settings_form_has_no_immutable_or_secret_fields(staff_client, hs256_api):
    body = html(staff_client.get(f"/apis/{hs256_api.api.id}/settings/"))
    assert 'name="identifier"' not in body
    assert 'name="signing_alg"' not in body
    assert 'id="api-identifier" type="text" value="https://ledger.example/" readonly' in body


def test_hs256_secret_hidden_until_revealed(staff_client, hs256_api):
    api, secret = hs256_api.api, hs256_api.secret
    for tab in ("quickstart", "settings", "scopes", "applications", "test"):
        assert secret not in html(staff_client.get(f"/apis/{api.id}/{tab}/"))
    assert "Reveal secret" in html(staff_client.get(f"/apis/{api.id}/settings/"))
    assert staff_client.get(f"/apis/{api.id}/settings/secret/").status_code == 405
    revealed = staff_client.post(f"/apis/{api.id}/settings/secret/", headers=HTMX)
    body = assert_partial(revealed)
    assert f'<code id="signing-secret">{secret}</code>' in body
    assert "no-store" in revealed["Cache-Control"]
    assert secret not in html(staff_client.get(f"/apis/{api.id}/settings/"))


def test_rs256_api_has_no_secret_to_reveal(staff_client, orders_api):
    assert "Reveal secret" not in html(staff_client.get(f"/apis/{orders_api.id}/settings/"))
    assert staff_client.post(f"/apis/{orders_api.id}/settings/secret/").status_code == 404


def test_rotate_hs256_secret(staff_client, hs256_api):
    api = hs256_api.api
    response = staff_client.post(f"/apis/{api.id}/settings/secret/rotate/")
    assert response.status_code == 302
    assert response["Location"] == f"/apis/{api.id}/settings/"
    api.refresh_from_db()
    new_secret = resource_servers.reveal_signing_secret(api)
    assert new_secret != hs256_api.secret
    page = html(staff_client.get(response["Location"]))
    assert "Signing secret rotated." in page and new_secret not in page


def test_delete_api_needs_its_name_typed(staff_client, orders_api, m2m_client):
    clients.authorize(m2m_client.application, orders_api, ["read:orders"])
    url = f"/apis/{orders_api.id}/delete/"
    wrong = staff_client.post(url, {"confirm_name": "orders"}, headers=HTMX)
    body = assert_partial(wrong)
    assert 'id="id_confirm_name_error"' in body and "The name does not match." in body
    # Shown open, not as a popover that only a click could open.
    assert 'id="confirm-delete-api" role="dialog"' in body
    assert Api.objects.filter(pk=orders_api.pk).exists()
    response = staff_client.post(url, {"confirm_name": "Orders"})
    assert response.status_code == 302 and response["Location"] == "/apis/"
    assert not Api.objects.filter(pk=orders_api.pk).exists()
    assert m2m_client.application.grants.count() == 0
    assert "API Orders deleted" in html(staff_client.get("/apis/"))


def test_system_api_cannot_be_deleted_or_rescoped(staff_client, tenant):
    body = html(staff_client.get(f"/apis/{tenant.id}/settings/"))
    assert "Delete this API" not in body
    response = staff_client.post(
        f"/apis/{tenant.id}/delete/", {"confirm_name": "Gatehouse Management API"}
    )
    assert response.status_code == 302
    assert "The system API cannot be deleted." in html(staff_client.get(response["Location"]))
    assert Api.objects.filter(pk=tenant.pk).exists()
    added = staff_client.post(f"/apis/{tenant.id}/scopes/", {"value": "x:y"})
    assert added.status_code == 302
    assert "The system API&#x27;s scopes cannot be changed." in html(
        staff_client.get(added["Location"])
    )
    assert not Scope.objects.filter(api=tenant, value="x:y").exists()
    scope = tenant.scopes.first()
    staff_client.post(f"/apis/{tenant.id}/scopes/{scope.pk}/delete/")
    assert Scope.objects.filter(pk=scope.pk).exists()


def test_add_scope(staff_client, orders_api):
    url = f"/apis/{orders_api.id}/scopes/"
    response = staff_client.post(url, {"value": "refund:orders", "description": "Refund"})
    assert response.status_code == 302 and response["Location"] == url
    assert orders_api.scopes.filter(value="refund:orders", description="Refund").exists()
    page = html(staff_client.get(url))
    assert "Scope refund:orders added." in page
    assert "<td><code>refund:orders</code></td>\n      <td>Refund</td>" in page
    # Sorted by value, whatever the database's order for a GROUP BY query.
    assert re.findall(r"<td><code>([^<]+)</code></td>", page) == [
        "read:orders",
        "refund:orders",
        "write:orders",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("read orders", "without whitespace"),
        (" read:x", "without whitespace"),
        ("read:orders", "The scope read:orders already exists."),
        ("x" * 281, "at most 280 characters"),
        ("", "This field is required."),
    ],
)
def test_add_scope_invalid_is_shown_on_the_value_field(staff_client, orders_api, value, message):
    before = sorted(orders_api.scopes.values_list("value", flat=True))
    response = staff_client.post(
        f"/apis/{orders_api.id}/scopes/", {"value": value, "description": "d"}, headers=HTMX
    )
    body = assert_partial(response)
    assert '<ul class="errorlist" id="id_value_error">' in body
    assert message in body
    assert sorted(orders_api.scopes.values_list("value", flat=True)) == before


def test_scope_delete_confirmation_counts_applications(staff_client, orders_api, m2m_client):
    other, _ = clients.create_application(name="Reports")
    clients.authorize(m2m_client.application, orders_api, ["read:orders"])
    clients.authorize(other, orders_api, ["read:orders", "write:orders"])
    body = html(staff_client.get(f"/apis/{orders_api.id}/scopes/"))
    assert "2 applications will lose <code>read:orders</code>." in body
    assert "1 application will lose <code>write:orders</code>." in body
    scope = orders_api.scopes.get(value="read:orders")
    response = staff_client.post(f"/apis/{orders_api.id}/scopes/{scope.pk}/delete/")
    assert response.status_code == 302
    assert not Scope.objects.filter(pk=scope.pk).exists()
    grant = other.grants.get()
    assert list(grant.scopes.values_list("value", flat=True)) == ["write:orders"]
    assert staff_client.get(f"/apis/{orders_api.id}/scopes/{scope.pk}/delete/").status_code == 405
