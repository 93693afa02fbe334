"""The Settings tab's Refresh Token fieldset (AUTH0_USER_FLOWS.md section 4.3) and the API
settings' Allow Offline Access explanation: shown full page and partial, saved, and every
rule refused on the field it concerns with nothing written."""

import pytest

from applications.models import Application
from tests.console.settings_forms import settings_form

from .conftest import HTMX, assert_full_page, assert_partial

pytestmark = pytest.mark.django_db

WHEN = "A refresh token is issued only when all three hold"


@pytest.fixture
def web_app(tenant) -> Application:
    from applications import clients

    application, _ = clients.create_application(name="Storefront", app_type="regular_web")
    return application


def test_the_fieldset_and_when_tokens_are_issued(staff_client, web_app):
    url = f"/applications/{web_app.client_id}/settings/"

    body = assert_full_page(staff_client.get(url))
    partial = assert_partial(staff_client.get(url, headers=HTMX))

    for page in (body, partial):
        assert WHEN in page
        assert "<code>offline_access</code>" in page and "Allow Offline Access" in page
        assert '<option value="non-rotating" selected>Non-rotating</option>' in page
        assert 'name="refresh_leeway" value="0"' in page
        assert 'name="refresh_token_lifetime" value="2592000"' in page
        assert 'name="refresh_idle_token_lifetime" value="1296000"' in page


def test_rotation_with_an_overlap_and_lifetimes_is_saved(staff_client, web_app):
    url = f"/applications/{web_app.client_id}/settings/"

    response = staff_client.post(
        url,
        settings_form(
            refresh_rotation_type="rotating",
            refresh_leeway="15",
            refresh_expiration_type="expiring",
            refresh_token_lifetime="86400",
            refresh_infinite_token_lifetime=None,
            refresh_idle_token_lifetime="3600",
            refresh_infinite_idle_token_lifetime=None,
        ),
    )

    assert response.status_code == 302
    saved = Application.objects.get(pk=web_app.pk)
    assert (saved.refresh_rotation_type, saved.refresh_leeway) == ("rotating", 15)
    assert saved.refresh_expiration_type == "expiring"
    assert (saved.refresh_token_lifetime, saved.refresh_idle_token_lifetime) == (86400, 3600)
    assert not saved.refresh_infinite_token_lifetime
    assert not saved.refresh_infinite_idle_token_lifetime


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"refresh_rotation_type": "rotating"},
            "refresh_expiration_type",
            "Rotating refresh tokens must be expiring",
        ),
        (
            {
                "refresh_token_lifetime": "60",
                "refresh_infinite_token_lifetime": None,
                "refresh_infinite_idle_token_lifetime": None,
            },
            "refresh_idle_token_lifetime",
            "no longer than the refresh token lifetime",
        ),
        ({"refresh_leeway": "3601"}, "refresh_leeway", "less than or equal to 3600"),
        ({"refresh_rotation_type": "always"}, "refresh_rotation_type", "Select a valid choice"),
    ],
)
def test_rules_are_refused_on_their_field(staff_client, web_app, changes, field, message):
    url = f"/applications/{web_app.client_id}/settings/"

    response = staff_client.post(url, settings_form(**changes))

    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert f'id="id_{field}_error"' in body or f"id_{field}" in body
    saved = Application.objects.get(pk=web_app.pk)
    assert saved.refresh_rotation_type == "non-rotating"
    assert saved.refresh_token_lifetime == 2592000


def test_api_settings_explain_allow_offline_access(staff_client, orders_api):
    body = assert_full_page(staff_client.get(f"/apis/{orders_api.pk}/settings/"))

    assert "Allow Offline Access" in body
    assert "offline_access scope" in body and "refresh_token" in body
