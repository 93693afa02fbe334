"""Django admin for the tenant's settings: one page, no list, nothing to add or delete, saved
as the console saves it, and a default audience set there serves /oauth/token at once."""

import jwt
import pytest

from apis.models import TenantSettings
from tests.conftest import assert_no_secret_on

pytestmark = pytest.mark.django_db

LIST = "/admin/apis/tenantsettings/"
PAGE = "/admin/apis/tenantsettings/1/change/"


def default_audience() -> str:
    return TenantSettings.objects.current().to_dict()["default_audience"]


def token_audience(client, granted_client) -> str | dict:
    """The `aud` of a token asked for without an audience, or the refusal's JSON."""
    form = {
        "grant_type": "client_credentials",
        "client_id": granted_client.client_id,
        "client_secret": granted_client.secret,
    }
    response = client.post("/oauth/token", form, content_type="application/json")
    if response.status_code != 200:
        return response.json()

    token = response.json()["access_token"]
    return jwt.decode(token, options={"verify_signature": False})["aud"]


def test_the_list_is_the_one_page(admin_client, tenant):
    response = admin_client.get(LIST)

    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert f'href="{LIST}"' in admin_client.get("/admin/").content.decode()


def test_the_page_shows_the_defaults_before_anything_was_saved(admin_client, orders_api):
    response = admin_client.get(PAGE)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="default_audience"' in body
    assert f'value="{orders_api.pk}">Orders' in body
    assert not TenantSettings.objects.exists()  # reading never writes


def test_a_default_audience_saved_here_serves_the_token_endpoint(
    admin_client, granted_client, orders_api
):
    refused = token_audience(admin_client, granted_client)
    assert refused["error"] == "access_denied", refused

    response = admin_client.post(PAGE, {"default_audience": orders_api.pk})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert default_audience() == orders_api.identifier
    assert token_audience(admin_client, granted_client) == orders_api.identifier

    cleared = admin_client.post(PAGE, {"default_audience": ""})
    assert cleared.status_code == 302
    assert default_audience() == ""


CHOICE = "Select a valid choice. That choice is not one of the available choices."


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nope", CHOICE),
        ("999999", CHOICE),
        ("x" * 300, CHOICE),
        ("\x00", "Null characters are not allowed."),
    ],
)
def test_an_api_that_does_not_exist_is_a_form_error_and_changes_nothing(
    admin_client, orders_api, value, message
):
    admin_client.post(PAGE, {"default_audience": orders_api.pk})

    response = admin_client.post(PAGE, {"default_audience": value})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert default_audience() == orders_api.identifier


@pytest.mark.parametrize(
    "url",
    [
        "/admin/apis/tenantsettings/add/",
        "/admin/apis/tenantsettings/1/delete/",
        "/admin/apis/tenantsettings/2/change/",
        "/admin/apis/tenantsettings/x%00/change/",
    ],
)
def test_no_other_row_can_be_added_deleted_or_opened(admin_client, orders_api, url):
    admin_client.post(PAGE, {"default_audience": orders_api.pk})

    page = admin_client.get(url)
    post = admin_client.post(url, {"default_audience": "", "post": "yes"})

    assert page.status_code in (302, 403)
    assert post.status_code in (302, 403)
    assert TenantSettings.objects.count() == 1
    assert default_audience() == orders_api.identifier


def test_staff_without_the_permission_cannot_change_it(client, django_user_model, orders_api):
    staff = django_user_model.objects.create_user("helpdesk", password=None, is_staff=True)
    client.force_login(staff)

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"default_audience": orders_api.pk}).status_code == 403
    assert default_audience() == ""


def test_no_secret_on_the_page(admin_client, everything, orders_api):
    admin_client.post(PAGE, {"default_audience": orders_api.pk})
    assert_no_secret_on(admin_client, [PAGE, PAGE.replace("change", "history")], everything)
