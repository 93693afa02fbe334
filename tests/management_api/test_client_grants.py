"""/api/v2/client-grants: Auth0's grant shape and statuses (AUTH0_COMPAT.md section 6)."""

import re
from urllib.parse import quote, urlencode

import pytest

from applications.models import ClientGrant
from tests.management_api.conftest import Mgmt

pytestmark = pytest.mark.django_db

ORDERS = "https://orders.example/api"
NOT_FOUND = {
    "statusCode": 404,
    "error": "Not Found",
    "message": "The grant does not exist.",
    "errorCode": "inexistent_client_grant",
}


def token_response(client, client_id: str, secret: str):
    return client.post(
        "/oauth/token",
        urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
                "audience": ORDERS,
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )


def test_create_is_201_and_the_grant_issues_tokens(mgmt: Mgmt, client, m2m_client, orders_api):
    response = mgmt.post(
        "/client-grants",
        {"client_id": m2m_client.client_id, "audience": ORDERS, "scope": ["read:orders"]},
    )
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"cgr_[A-Za-z0-9]{16}", body["id"])
    assert body == {
        "id": body["id"],
        "client_id": m2m_client.client_id,
        "audience": ORDERS,
        "scope": ["read:orders"],
    }
    token = token_response(client, m2m_client.client_id, m2m_client.secret)
    assert token.status_code == 200
    assert token.json()["scope"] == "read:orders"


def test_create_without_scope_grants_none(mgmt: Mgmt, m2m_client, orders_api):
    body = mgmt.post(
        "/client-grants", {"client_id": m2m_client.client_id, "audience": ORDERS}
    ).json()
    assert body["scope"] == []


def test_create_for_an_unknown_audience_is_404(mgmt: Mgmt, m2m_client):
    response = mgmt.post(
        "/client-grants", {"client_id": m2m_client.client_id, "audience": "https://none/"}
    )
    assert response.status_code == 404
    assert response.json() == {
        "statusCode": 404,
        "error": "Not Found",
        "message": "No resource with identifier https://none/",
        "errorCode": "inexistent_resource_server",
    }


@pytest.mark.parametrize("client_id", ["A" * 32, "not-a-client-id"])
def test_create_for_an_unknown_client_is_404(mgmt: Mgmt, orders_api, client_id):
    response = mgmt.post("/client-grants", {"client_id": client_id, "audience": ORDERS})
    assert response.status_code == 404
    assert response.json() == {
        "statusCode": 404,
        "error": "Not Found",
        "message": "The client does not exist",
        "errorCode": "inexistent_client",
    }


def test_a_duplicate_pair_is_409_and_changes_nothing(mgmt: Mgmt, granted_client, orders_api):
    response = mgmt.post(
        "/client-grants",
        {"client_id": granted_client.client_id, "audience": ORDERS, "scope": []},
    )
    assert response.status_code == 409
    assert response.json() == {
        "statusCode": 409,
        "error": "Conflict",
        "message": "A client grant for this client and audience already exists",
        "errorCode": "client_grant_conflict",
    }
    grant = ClientGrant.objects.get(application=granted_client.application, api=orders_api)
    assert sorted(grant.scopes.values_list("value", flat=True)) == ["read:orders", "write:orders"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"audience": ORDERS},
            "Payload validation error: 'Missing required property: client_id'.",
        ),
        (
            {"client_id": "{client}", "audience": ORDERS, "scope": "read:orders"},
            "Payload validation error: 'Expected type array but found type string' on property "
            "scope (Scopes allowed for this client grant.).",
        ),
        (
            {"client_id": "{client}", "audience": ORDERS, "scope": ["delete:orders"]},
            "Payload validation error: 'Not a scope of https://orders.example/api: "
            "delete:orders.' on property scope.",
        ),
        (
            {"client_id": "{client}", "audience": ORDERS, "organization_usage": "allow"},
            "Payload validation error: 'No enum match for: \"allow\"' on property "
            "organization_usage (Gatehouse has no organizations: only deny.).",
        ),
        (
            {"client_id": "{client}", "audience": ORDERS, "allow_all_scopes": True},
            "Payload validation error: 'No enum match for: true' on property allow_all_scopes "
            "(Grants list their scopes: only false.).",
        ),
        (
            {"client_id": "{client}", "audience": ORDERS, "subject_type": "user"},
            "Payload validation error: 'No enum match for: \"user\"' on property subject_type "
            "(Machine-to-machine grants only: client.).",
        ),
        (
            {"client_id": "{client}", "audience": ORDERS, "is_system": False},
            "Payload validation error: 'Additional properties not allowed: is_system'.",
        ),
    ],
)
def test_create_validates_strictly_and_writes_nothing(
    mgmt: Mgmt, m2m_client, orders_api, body, message
):
    body = {
        k: (v.format(client=m2m_client.client_id) if k == "client_id" else v)
        for k, v in body.items()
    }
    response = mgmt.post("/client-grants", body)
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": message,
        "errorCode": "invalid_body",
    }
    assert not ClientGrant.objects.filter(application=m2m_client.application).exists()


def test_auth0s_organization_options_are_accepted_when_they_say_not_used(
    mgmt: Mgmt, client, m2m_client, orders_api
):
    # What Terraform and the SDKs send when set explicitly: no organizations, listed scopes.
    not_used = {
        "organization_usage": "deny",
        "allow_any_organization": False,
        "allow_all_scopes": False,
    }
    response = mgmt.post(
        "/client-grants",
        {
            "client_id": m2m_client.client_id,
            "audience": ORDERS,
            "scope": ["read:orders"],
            "subject_type": "client",
            **not_used,
        },
    )
    assert response.status_code == 201
    grant_id = response.json()["id"]
    assert mgmt.patch(f"/client-grants/{grant_id}", not_used).json()["scope"] == ["read:orders"]
    token = token_response(client, m2m_client.client_id, m2m_client.secret)
    assert token.json()["scope"] == "read:orders"


def test_get_and_404(mgmt: Mgmt, granted_client):
    grant = granted_client.application.grants.get()
    assert mgmt.get(f"/client-grants/{grant.id}").json() == {
        "id": grant.id,
        "client_id": granted_client.client_id,
        "audience": ORDERS,
        "scope": ["read:orders", "write:orders"],
    }
    response = mgmt.get("/client-grants/cgr_0000000000000000")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_patch_scope_takes_effect_on_the_next_token(mgmt: Mgmt, client, granted_client):
    grant = granted_client.application.grants.get()
    response = mgmt.patch(f"/client-grants/{grant.id}", {"scope": ["write:orders"]})
    assert response.status_code == 200
    assert response.json()["scope"] == ["write:orders"]
    token = token_response(client, granted_client.client_id, granted_client.secret)
    assert token.json()["scope"] == "write:orders"
    assert mgmt.patch(f"/client-grants/{grant.id}", {"scope": None}).json()["scope"] == []
    assert mgmt.patch(f"/client-grants/{grant.id}", {}).json()["scope"] == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"client_id": "x"},
            "Payload validation error: 'Additional properties not allowed: client_id'.",
        ),
        (
            {"audience": "x"},
            "Payload validation error: 'Additional properties not allowed: audience'.",
        ),
        (
            {"scope": ["read:orders", "nope"]},
            "Payload validation error: 'Not a scope of https://orders.example/api: nope.' on "
            "property scope.",
        ),
    ],
)
def test_patch_rejections_change_nothing(mgmt: Mgmt, granted_client, body, message):
    grant = granted_client.application.grants.get()
    response = mgmt.patch(f"/client-grants/{grant.id}", body)
    assert response.status_code == 400
    assert response.json()["message"] == message
    assert mgmt.get(f"/client-grants/{grant.id}").json()["scope"] == [
        "read:orders",
        "write:orders",
    ]


def test_patch_unknown_is_404(mgmt: Mgmt, tenant):
    response = mgmt.patch("/client-grants/cgr_0000000000000000", {"scope": []})
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_delete_is_204_twice_and_the_next_token_request_is_refused(
    mgmt: Mgmt, client, granted_client
):
    grant = granted_client.application.grants.get()
    response = mgmt.delete(f"/client-grants/{grant.id}")
    assert (response.status_code, response.content) == (204, b"")
    assert mgmt.delete(f"/client-grants/{grant.id}").status_code == 204
    assert (
        token_response(client, granted_client.client_id, granted_client.secret).status_code == 403
    )


def test_list_filters_by_audience_and_client(mgmt: Mgmt, granted_client, tenant):
    everything = mgmt.get("/client-grants").json()
    assert {g["audience"] for g in everything} == {ORDERS, "http://127.0.0.1:8000/api/v2/"}
    by_audience = mgmt.get(f"/client-grants?audience={quote(ORDERS, safe='')}").json()
    assert [g["client_id"] for g in by_audience] == [granted_client.client_id]
    by_client = mgmt.get(f"/client-grants?client_id={granted_client.client_id}").json()
    assert [g["audience"] for g in by_client] == [ORDERS]
    totals = mgmt.get("/client-grants?include_totals=true&per_page=1").json()
    assert (totals["total"], totals["start"], totals["limit"], len(totals["client_grants"])) == (
        2,
        0,
        1,
        1,
    )
