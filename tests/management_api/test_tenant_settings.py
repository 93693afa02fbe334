"""GET and PATCH /api/v2/tenants/settings: Auth0's tenant settings, of which Gatehouse has
`default_audience` (the API identifier used when a token request names none, "" for none).
Exact statuses and bodies; a refusal writes nothing."""

from urllib.parse import quote

import pytest

from apis import tenant_settings
from apis.models import TenantSettings
from tests.management_api.conftest import Mgmt

pytestmark = pytest.mark.django_db

ORDERS = "https://orders.example/api"


def stored() -> dict[str, str]:
    return TenantSettings.objects.current().to_dict()


def assert_invalid_body(response, message: str) -> None:
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": message,
        "errorCode": "invalid_body",
    }


def test_a_new_tenant_has_no_default_audience(mgmt: Mgmt):
    response = mgmt.get("/tenants/settings")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"default_audience": ""}
    assert not TenantSettings.objects.exists()  # reading writes nothing


def test_patch_sets_the_default_audience_and_returns_the_settings(mgmt: Mgmt, orders_api):
    response = mgmt.patch("/tenants/settings", {"default_audience": ORDERS})

    assert response.status_code == 200
    assert response.json() == {"default_audience": ORDERS}
    assert mgmt.get("/tenants/settings").json() == {"default_audience": ORDERS}


def test_an_empty_string_clears_it(mgmt: Mgmt, orders_api):
    tenant_settings.update(default_audience=ORDERS)

    response = mgmt.patch("/tenants/settings", {"default_audience": ""})

    assert response.status_code == 200
    assert response.json() == {"default_audience": ""}
    assert stored() == {"default_audience": ""}


def test_an_empty_patch_changes_nothing(mgmt: Mgmt, orders_api):
    tenant_settings.update(default_audience=ORDERS)

    for raw in ("{}", ""):  # the SDKs send no body at all for some calls
        response = mgmt.patch("/tenants/settings", raw=raw)
        assert response.status_code == 200
        assert response.json() == {"default_audience": ORDERS}


def test_a_form_body_works_too(mgmt: Mgmt, orders_api):
    response = mgmt.patch(
        "/tenants/settings",
        raw=f"default_audience={quote(ORDERS, safe='')}",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert response.json() == {"default_audience": ORDERS}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("https://nope.example/", '"https://nope.example/"'),
        (ORDERS + "\u00a0", '"https://orders.example/api\\u00a0"'),
        (" " + ORDERS, '" https://orders.example/api"'),
    ],
)
def test_an_identifier_no_api_has_is_400_and_writes_nothing(mgmt: Mgmt, orders_api, value, shown):
    tenant_settings.update(default_audience=ORDERS)

    response = mgmt.patch("/tenants/settings", {"default_audience": value})

    assert_invalid_body(
        response,
        f"Payload validation error: 'No API has the identifier {shown}.' on property "
        "default_audience.",
    )
    assert stored() == {"default_audience": ORDERS}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"default_audience": None},
            "Payload validation error: 'Expected type string but found type null' on property "
            "default_audience (The identifier of the API a token request that names no "
            "audience is for; empty for none.).",
        ),
        (
            {"default_audience": 7},
            "Payload validation error: 'Expected type string but found type integer' on "
            "property default_audience (The identifier of the API a token request that names "
            "no audience is for; empty for none.).",
        ),
        (
            {"friendly_name": "Gatehouse"},
            "Payload validation error: 'Additional properties not allowed: friendly_name'.",
        ),
        (
            {"default_audience": "x" * 601},
            "Payload validation error: 'String is too long (601 chars), maximum 600' on "
            "property default_audience (The identifier of the API a token request that names "
            "no audience is for; empty for none.).",
        ),
        (
            {"default_audience": "a\u0000b"},
            "Payload validation error: 'String contains characters that are not allowed (NUL "
            "or lone surrogates)' on property default_audience (The identifier of the API a "
            "token request that names no audience is for; empty for none.).",
        ),
    ],
)
def test_malformed_bodies_are_400_and_write_nothing(mgmt: Mgmt, orders_api, body, message):
    response = mgmt.patch("/tenants/settings", body)

    assert_invalid_body(response, message)
    assert not TenantSettings.objects.exists()


def test_fields_select_as_elsewhere(mgmt: Mgmt, orders_api):
    tenant_settings.update(default_audience=ORDERS)

    only = mgmt.get("/tenants/settings?fields=default_audience&include_fields=true")
    without = mgmt.get("/tenants/settings?fields=default_audience&include_fields=false")

    assert only.json() == {"default_audience": ORDERS}
    assert without.json() == {}


def test_unknown_query_parameters_are_refused(mgmt: Mgmt):
    response = mgmt.get("/tenants/settings?page=1")

    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_query_string"
    assert mgmt.patch("/tenants/settings?fields=x", {}).status_code == 400


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_other_methods_are_json_405s(mgmt: Mgmt, method):
    response = mgmt.call(method, "/tenants/settings")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, PATCH"
    assert response.json()["statusCode"] == 405


def test_deleting_the_default_api_clears_the_setting(mgmt: Mgmt, orders_api):
    mgmt.patch("/tenants/settings", {"default_audience": ORDERS})

    assert mgmt.delete(f"/resource-servers/{orders_api.id}").status_code == 204

    assert mgmt.get("/tenants/settings").json() == {"default_audience": ""}
