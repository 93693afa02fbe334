"""/api/v2/resource-servers: Auth0's shapes, statuses and messages (AUTH0_COMPAT.md section 4)."""

import re
from urllib.parse import quote

import pytest

from apis.models import Api
from apis.resource_servers import MANAGEMENT_API_SCOPES
from applications.models import ClientGrant
from tests.management_api.conftest import Mgmt

pytestmark = pytest.mark.django_db

ORDERS = "https://orders.example/api"
NOT_FOUND = {
    "statusCode": 404,
    "error": "Not Found",
    "message": "The resource server does not exist",
    "errorCode": "inexistent_resource_server",
}


def orders_dict(api: Api) -> dict:
    return {
        "id": api.id,
        "name": "Orders",
        "identifier": ORDERS,
        "scopes": [
            {"value": "read:orders", "description": "Read orders"},
            {"value": "write:orders"},
        ],
        "signing_alg": "RS256",
        "allow_offline_access": False,
        "skip_consent_for_verifiable_first_party_clients": False,
        "token_lifetime": 86400,
        "token_lifetime_for_web": 7200,
    }


def bad_body(message: str) -> dict:
    return {
        "statusCode": 400,
        "error": "Bad Request",
        "message": message,
        "errorCode": "invalid_body",
    }


def test_list_is_a_bare_array_with_the_system_api_first(mgmt: Mgmt, orders_api):
    response = mgmt.get("/resource-servers")
    assert response.status_code == 200
    system, orders = response.json()
    assert system["identifier"] == "http://127.0.0.1:8000/api/v2/"
    assert system["is_system"] is True
    assert {"value": "read:resource_servers", "description": "Read Resource Servers"} in (
        system["scopes"]
    )
    assert orders == orders_dict(orders_api)


def test_list_with_totals(mgmt: Mgmt, orders_api):
    response = mgmt.get("/resource-servers?include_totals=true&per_page=1&page=1")
    assert response.json() == {
        "total": 2,
        "start": 1,
        "limit": 1,
        "resource_servers": [orders_dict(orders_api)],
    }


def test_list_filters_by_repeated_identifiers(mgmt: Mgmt, orders_api, hs256_api):
    query = f"identifiers={quote(ORDERS, safe='')}&identifiers={quote('https://ledger.example/')}"
    listed = mgmt.get(f"/resource-servers?{query}").json()
    assert sorted(api["identifier"] for api in listed) == ["https://ledger.example/", ORDERS]
    assert mgmt.get("/resource-servers?identifiers=https://none.example").json() == []


def test_fields_select_what_each_listed_api_carries(mgmt: Mgmt, orders_api):
    listed = mgmt.get("/resource-servers?fields=identifier,name").json()
    assert {"identifier": orders_api.identifier, "name": "Orders"} in listed
    assert all(set(item) == {"identifier", "name"} for item in listed)


def test_include_fields_false_leaves_the_named_fields_out(mgmt: Mgmt, orders_api):
    full = mgmt.get(f"/resource-servers/{orders_api.id}").json()
    trimmed = mgmt.get(
        f"/resource-servers/{orders_api.id}?fields=scopes,signing_alg&include_fields=false"
    ).json()
    assert trimmed == {k: v for k, v in full.items() if k not in ("scopes", "signing_alg")}
    only = mgmt.get(f"/resource-servers/{orders_api.id}?fields=id,nonexistent").json()
    assert only == {"id": orders_api.id}


def test_a_bad_include_fields_is_400(mgmt: Mgmt, orders_api):
    response = mgmt.get("/resource-servers?fields=name&include_fields=maybe")
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_query_string"


def test_create_returns_201_with_the_object(mgmt: Mgmt, tenant):
    response = mgmt.post(
        "/resource-servers",
        {
            "name": "Payments",
            "identifier": "https://payments.example/",
            "scopes": [{"value": "charge", "description": "Charge a card"}, {"value": "refund"}],
            "token_lifetime": 3600,
            "token_lifetime_for_web": 600,
            "allow_offline_access": True,
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"[0-9a-f]{24}", body.pop("id"))
    assert body == {
        "name": "Payments",
        "identifier": "https://payments.example/",
        "scopes": [{"value": "charge", "description": "Charge a card"}, {"value": "refund"}],
        "signing_alg": "RS256",
        "allow_offline_access": True,
        "skip_consent_for_verifiable_first_party_clients": False,
        "token_lifetime": 3600,
        "token_lifetime_for_web": 600,
    }
    assert mgmt.get("/resource-servers/https%3A%2F%2Fpayments.example%2F").json()["scopes"] == [
        {"value": "charge", "description": "Charge a card"},
        {"value": "refund"},
    ]


def test_create_with_only_an_identifier_takes_auth0s_defaults(mgmt: Mgmt, tenant):
    response = mgmt.post("/resource-servers", {"identifier": "urn:minimal"})
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "urn:minimal"  # Gatehouse names every API
    assert (body["signing_alg"], body["token_lifetime"], body["token_lifetime_for_web"]) == (
        "RS256",
        86400,
        7200,
    )
    assert body["scopes"] == []


def test_a_long_identifier_without_a_name_is_named_by_its_start(mgmt: Mgmt, tenant):
    identifier = "urn:" + "x" * 596
    body = mgmt.post("/resource-servers", {"identifier": identifier}).json()
    assert (body["identifier"], body["name"]) == (identifier, identifier[:200])


def test_a_short_token_lifetime_lowers_the_default_web_lifetime(mgmt: Mgmt, tenant):
    body = mgmt.post("/resource-servers", {"identifier": "urn:short", "token_lifetime": 60}).json()
    assert (body["token_lifetime"], body["token_lifetime_for_web"]) == (60, 60)


def test_create_hs256_returns_the_secret_once(mgmt: Mgmt, tenant):
    body = mgmt.post("/resource-servers", {"identifier": "urn:hs", "signing_alg": "HS256"}).json()
    assert body["signing_alg"] == "HS256"
    assert len(body["signing_secret"]) >= 32
    assert "signing_secret" not in mgmt.get(f"/resource-servers/{body['id']}").json()
    assert all("signing_secret" not in api for api in mgmt.get("/resource-servers").json())


def test_create_with_a_taken_identifier_is_409_and_writes_nothing(mgmt: Mgmt, orders_api):
    response = mgmt.post("/resource-servers", {"identifier": ORDERS, "name": "Again"})
    assert response.status_code == 409
    assert response.json() == {
        "statusCode": 409,
        "error": "Conflict",
        "message": "A resource server with the same identifier already exists",
        "errorCode": "resource_server_conflict",
    }
    assert Api.objects.get(identifier=ORDERS).name == "Orders"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Payload validation error: 'Missing required property: identifier'."),
        (
            {"identifier": ""},
            "Payload validation error: 'String is too short (0 chars), minimum 1' on property "
            "identifier (Unique identifier for the API used as the audience parameter on "
            "authorization calls. Can not be changed once set.).",
        ),
        (
            {"identifier": "urn:c\u0001d"},
            "Payload validation error: 'Identifier must not contain control characters.' on "
            "property identifier.",
        ),
        (
            {"identifier": "https://api.example/\n"},
            "Payload validation error: 'Identifier must not contain control characters.' on "
            "property identifier.",
        ),
        (
            {"identifier": "urn:x", "name": "<script>"},
            "Payload validation error: 'String does not match pattern ^[^<>\\u0000]+$: "
            "<script>' on property name (Friendly name for this resource server.).",
        ),
        (
            {"identifier": "urn:x", "token_lifetime": 2592001},
            "Payload validation error: 'Value 2592001 is greater than maximum 2592000' on "
            "property token_lifetime (Expiration value (in seconds) for access tokens issued "
            "for this API from the token endpoint.).",
        ),
        (
            {"identifier": "urn:x", "token_lifetime": -1},
            "Payload validation error: 'Value -1 is less than minimum 0' on property "
            "token_lifetime (Expiration value (in seconds) for access tokens issued for this "
            "API from the token endpoint.).",
        ),
        (
            {"identifier": "urn:x", "token_lifetime": True},
            "Payload validation error: 'Expected type integer but found type boolean' on "
            "property token_lifetime (Expiration value (in seconds) for access tokens issued "
            "for this API from the token endpoint.).",
        ),
        (
            {"identifier": "urn:x", "token_lifetime": 3.5},
            "Payload validation error: 'Expected type integer but found type number' on "
            "property token_lifetime (Expiration value (in seconds) for access tokens issued "
            "for this API from the token endpoint.).",
        ),
        (
            {"identifier": "urn:x", "signing_alg": "PS256"},
            "Payload validation error: 'No enum match for: \"PS256\"' on property signing_alg "
            "(Algorithm used to sign JWTs. RS256 (default) or HS256.).",
        ),
        (
            {"identifier": "urn:x", "id": "0" * 24},
            "Payload validation error: 'Additional properties not allowed: id'.",
        ),
        (
            {"identifier": "urn:x", "is_system": True},
            "Payload validation error: 'Additional properties not allowed: is_system'.",
        ),
        (
            {"identifier": "urn:x", "scopes": [{"value": "has space"}]},
            "Payload validation error: 'String does not match pattern "
            "^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$: has space' on property scopes[0].value (Value "
            "of this scope.).",
        ),
        (
            {"identifier": "urn:x", "scopes": [{"value": "a", "extra": 1}]},
            "Payload validation error: 'Additional properties not allowed: extra' on property "
            "scopes[0].",
        ),
        (
            {"identifier": "urn:x", "scopes": "read:x"},
            "Payload validation error: 'Expected type array but found type string' on property "
            "scopes (List of permissions (scopes) that this API uses.).",
        ),
        (
            {"identifier": "urn:x", "scopes": [{"value": "a"}, {"value": "a", "description": "b"}]},
            "Payload validation error: 'Duplicate scope: a.' on property scopes.",
        ),
        (
            {"identifier": "urn:x", "token_lifetime": 100, "token_lifetime_for_web": 200},
            "Payload validation error: 'Must not be greater than the token lifetime.' on "
            "property token_lifetime_for_web.",
        ),
        ([], "Payload validation error: 'Expected type object but found type array'."),
    ],
)
def test_create_validates_strictly_and_writes_nothing(mgmt: Mgmt, tenant, body, message):
    before = Api.objects.count()
    response = mgmt.post("/resource-servers", body)
    assert response.status_code == 400
    assert response.json() == bad_body(message)
    assert Api.objects.count() == before


@pytest.mark.parametrize(
    "ref",
    [
        "{id}",
        "https%3A%2F%2Forders.example%2Fapi",  # what the SDKs send
        "https://orders.example/api",  # what a hand-written curl may send
    ],
)
def test_get_by_id_or_identifier(mgmt: Mgmt, orders_api, ref):
    response = mgmt.get("/resource-servers/" + ref.format(id=orders_api.id))
    assert response.status_code == 200
    assert response.json() == orders_dict(orders_api)


def test_get_the_system_api_by_its_encoded_identifier(mgmt: Mgmt, tenant):
    response = mgmt.get("/resource-servers/" + quote("http://127.0.0.1:8000/api/v2/", safe=""))
    assert response.json()["id"] == tenant.id


def test_get_unknown_is_404(mgmt: Mgmt, tenant):
    for ref in ("0" * 24, "https%3A%2F%2Fnone.example%2F"):
        response = mgmt.get(f"/resource-servers/{ref}")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND


def test_an_overlong_or_nul_path_is_invalid_uri(mgmt: Mgmt, tenant):
    for ref in ("x" * 601, "%00"):
        response = mgmt.get(f"/resource-servers/{ref}")
        assert response.status_code == 400
        assert response.json()["errorCode"] == "invalid_uri"
        assert response.json()["message"].startswith("Path validation error: '")


def test_patch_changes_settings_and_returns_the_object(mgmt: Mgmt, orders_api):
    response = mgmt.patch(
        f"/resource-servers/{quote(ORDERS, safe='')}",
        {
            "name": "Orders v2",
            "token_lifetime": 7200,
            "skip_consent_for_verifiable_first_party_clients": True,
        },
    )
    assert response.status_code == 200
    expected = orders_dict(orders_api) | {
        "name": "Orders v2",
        "token_lifetime": 7200,
        "skip_consent_for_verifiable_first_party_clients": True,
    }
    assert response.json() == expected
    assert mgmt.get(f"/resource-servers/{orders_api.id}").json() == expected


def test_patch_scopes_replaces_them_and_removes_dropped_ones_from_grants(
    mgmt: Mgmt, granted_client, orders_api
):
    response = mgmt.patch(
        f"/resource-servers/{orders_api.id}",
        {"scopes": [{"value": "write:orders", "description": "Write"}, {"value": "new"}]},
    )
    assert response.status_code == 200
    assert response.json()["scopes"] == [
        {"value": "new"},
        {"value": "write:orders", "description": "Write"},
    ]
    grant = ClientGrant.objects.get(api=orders_api)
    assert mgmt.get(f"/client-grants/{grant.id}").json()["scope"] == ["write:orders"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"identifier": "https://other/"},
            "Payload validation error: 'Additional properties not allowed: identifier'.",
        ),
        (
            {"signing_alg": "HS256"},
            "Payload validation error: 'Additional properties not allowed: signing_alg'.",
        ),
        (
            {"name": "Renamed", "scopes": [{"value": "a"}, {"value": "a", "description": "x"}]},
            "Payload validation error: 'Duplicate scope: a.' on property scopes.",
        ),
        (
            {"name": "Renamed", "token_lifetime_for_web": 90000},
            "Payload validation error: 'Must not be greater than the token lifetime.' on "
            "property token_lifetime_for_web.",
        ),
    ],
)
def test_patch_rejections_change_nothing(mgmt: Mgmt, granted_client, orders_api, body, message):
    response = mgmt.patch(f"/resource-servers/{orders_api.id}", body)
    assert response.status_code == 400
    assert response.json() == bad_body(message)
    assert mgmt.get(f"/resource-servers/{orders_api.id}").json() == orders_dict(orders_api)


def test_the_system_api_rejects_scope_changes(mgmt: Mgmt, tenant):
    response = mgmt.patch(f"/resource-servers/{tenant.id}", {"scopes": []})
    assert response.status_code == 400
    assert response.json() == bad_body(
        "Payload validation error: 'Additional properties not allowed: scopes'."
    )
    assert tenant.scopes.count() == len(MANAGEMENT_API_SCOPES)


def test_patch_unknown_is_404(mgmt: Mgmt, tenant):
    response = mgmt.patch("/resource-servers/urn:none", {"name": "x"})
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_delete_is_204_then_204_again_and_takes_the_grants(mgmt: Mgmt, granted_client, orders_api):
    response = mgmt.delete(f"/resource-servers/{quote(ORDERS, safe='')}")
    assert response.status_code == 204
    assert response.content == b""
    assert not Api.objects.filter(identifier=ORDERS).exists()
    assert not ClientGrant.objects.filter(application=granted_client.application).exists()
    assert mgmt.delete(f"/resource-servers/{orders_api.id}").status_code == 204


def test_the_system_api_cannot_be_deleted(mgmt: Mgmt, tenant):
    response = mgmt.delete(f"/resource-servers/{tenant.id}")
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": "The system resource server cannot be deleted.",
        "errorCode": "operation_not_supported",
    }
    assert Api.objects.filter(pk=tenant.pk).exists()
