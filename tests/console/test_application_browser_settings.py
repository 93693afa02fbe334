"""The Settings tab's browser-flow settings: the four URL lists, first/third party, the ID
token algorithm and lifetime, and switching to HS256 with a rotation (shown once)."""

import re

import pytest

from applications.models import Application
from keys import vault
from tests.console.settings_forms import settings_form

from .conftest import HTMX, assert_full_page, assert_partial, html

pytestmark = pytest.mark.django_db

SECRET_RE = re.compile(r'<code id="client-secret">([^<]+)</code>')


@pytest.fixture
def web_app(tenant) -> Application:
    from applications import clients

    application, _ = clients.create_application(
        name="Storefront",
        app_type="regular_web",
        callbacks=["https://shop.example.com/cb", "https://*.shop.example.com/cb"],
        web_origins=["https://shop.example.com"],
    )
    return application


def test_settings_show_the_browser_fields_full_page_and_partial(staff_client, web_app):
    url = f"/applications/{web_app.client_id}/settings/"
    body = assert_full_page(staff_client.get(url))
    assert_partial(staff_client.get(url, headers=HTMX))
    assert "Allowed Callback URLs" in body and "Allowed Origins (CORS)" in body
    assert ">\nhttps://shop.example.com/cb\nhttps://*.shop.example.com/cb</textarea>" in body
    assert 'value="First-party" readonly' in body
    assert '<option value="RS256" selected>RS256</option>' in body
    assert 'name="id_token_lifetime" value="36000"' in body
    assert 'name="is_first_party"' not in body  # fixed at creation, never a form field


def test_url_lists_one_per_line_or_comma_separated(staff_client, web_app):
    url = f"/applications/{web_app.client_id}/settings/"
    response = staff_client.post(
        url,
        settings_form(
            callbacks="https://shop.example.com/cb\r\n\r\n  https://shop.example.com/two ",
            allowed_logout_urls="https://shop.example.com/, https://shop.example.com/bye",
            web_origins="https://shop.example.com",
            allowed_origins="https://admin.example.com",
            allow_loopback_any_port="on",
            id_token_lifetime="600",
        ),
    )
    assert (response.status_code, response["Location"]) == (302, url)
    web_app.refresh_from_db()
    assert web_app.callbacks == ["https://shop.example.com/cb", "https://shop.example.com/two"]
    assert web_app.allowed_logout_urls == [
        "https://shop.example.com/",
        "https://shop.example.com/bye",
    ]
    assert (web_app.allowed_origins, web_app.allow_loopback_any_port) == (
        ["https://admin.example.com"],
        True,
    )
    assert web_app.id_token_lifetime == 600
    assert "Settings saved." in html(staff_client.get(url))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"callbacks": "https://shop.example.com/cb#top"},
            "callbacks",
            "Allowed Callback URL &quot;https://shop.example.com/cb#top&quot; must not contain "
            "a fragment (#).",
        ),
        (
            {"allowed_logout_urls": "https://eve@shop.example.com/"},
            "allowed_logout_urls",
            "must not contain user information (user@).",
        ),
        (
            {"web_origins": "https://*.com"},
            "web_origins",
            "may not use a wildcard for a top-level or registrable domain (*.com).",
        ),
        (
            {"allowed_origins": "https://a.example.com/app"},
            "allowed_origins",
            "must be an origin (scheme, host and port) without a path or query.",
        ),
        ({"id_token_lifetime": "0"}, "id_token_lifetime", "greater than or equal to 1"),
        (
            {"id_token_alg": "HS256"},
            "id_token_alg",
            "rotate the secret in the same change to switch to HS256.",
        ),
    ],
)
def test_errors_re_render_precisely_and_write_nothing(
    staff_client, web_app, changes, field, message
):
    url = f"/applications/{web_app.client_id}/settings/"
    before = Application.objects.values().get(pk=web_app.pk)
    response = staff_client.post(url, settings_form(name="Renamed", **changes), headers=HTMX)
    body = assert_partial(response)
    assert f'id="id_{field}_error"' in body
    assert message in body
    assert Application.objects.values().get(pk=web_app.pk) == before
    assert "gatehouse.one_time_client_secret" not in staff_client.session


def test_switching_to_hs256_rotates_and_shows_the_new_secret_once(staff_client, web_app):
    url = f"/applications/{web_app.client_id}/settings/"
    response = staff_client.post(url, settings_form(id_token_alg="HS256", rotate_secret="on"))
    assert (response.status_code, response["Location"]) == (302, url)
    page = staff_client.get(url)
    body = html(page)
    assert "The client secret was rotated" in body and "no-store" in page["Cache-Control"]
    (secret,) = SECRET_RE.findall(body)
    web_app.refresh_from_db()
    assert web_app.id_token_alg == "HS256"
    assert vault.decrypt(web_app.encrypted_secret).decode() == secret
    again = html(staff_client.get(url))
    assert secret not in again and web_app.encrypted_secret not in again
    assert '<option value="HS256" selected>HS256</option>' in again
    # Back to RS256: the readable copy is gone.
    staff_client.post(url, settings_form(id_token_alg="RS256"))
    web_app.refresh_from_db()
    assert (web_app.id_token_alg, web_app.encrypted_secret) == ("RS256", "")


def test_create_a_third_party_application(staff_client, tenant):
    form = html(staff_client.get("/applications/new/"))
    assert "Third-party application" in form
    staff_client.post(
        "/applications/new/", {"name": "Partner", "app_type": "regular_web", "third_party": "on"}
    )
    partner = Application.objects.get(name="Partner")
    assert partner.is_first_party is False
    page = html(staff_client.get(f"/applications/{partner.client_id}/settings/"))
    assert 'value="Third-party" readonly' in page
    staff_client.post("/applications/new/", {"name": "Ours", "app_type": "regular_web"})
    assert Application.objects.get(name="Ours").is_first_party is True


def test_a_single_page_app_cannot_sign_id_tokens_with_hs256(staff_client, tenant):
    from applications import clients

    spa, _ = clients.create_application(name="Dashboard", app_type="spa")
    url = f"/applications/{spa.client_id}/settings/"
    form = settings_form(
        name="Dashboard",
        app_type="spa",
        token_endpoint_auth_method="none",
        id_token_alg="HS256",
        rotate_secret="on",
    )
    body = html(staff_client.post(url, form))
    assert 'id="id_id_token_alg_error"' in body
    assert "a public client (token_endpoint_auth_method none) has none. Use RS256." in body
    spa.refresh_from_db()
    assert (spa.id_token_alg, spa.encrypted_secret) == ("RS256", "")
    assert "gatehouse.one_time_client_secret" not in staff_client.session
