"""/api/v2/clients: Auth0's client shape (AUTH0_COMPAT.md section 5); the secret only from
create and rotate-secret."""

import re
from urllib.parse import urlencode

import pytest

from applications.models import Application, ClientGrant
from keys.models import KeyState, SigningKey
from tests.management_api.conftest import Mgmt

pytestmark = pytest.mark.django_db

NOT_FOUND = {
    "statusCode": 404,
    "error": "Not Found",
    "message": "The client does not exist",
    "errorCode": "inexistent_client",
}


def client_dict(application: Application, **changes) -> dict:
    key = SigningKey.objects.get(state=KeyState.CURRENT)
    body = {
        "client_id": application.client_id,
        "name": application.name,
        "description": "",
        "app_type": "non_interactive",
        "grant_types": ["client_credentials"],
        "token_endpoint_auth_method": "client_secret_post",
        "is_first_party": True,
        "oidc_conformant": True,
        "sso_disabled": False,
        "cross_origin_authentication": False,
        "is_token_endpoint_ip_header_trusted": False,
        "global": False,
        "callbacks": [],
        "allowed_logout_urls": [],
        "web_origins": [],
        "allowed_origins": [],
        "allow_loopback_any_port": False,
        "allowed_clients": [],
        "client_aliases": [],
        "jwt_configuration": {
            "alg": "RS256",
            "lifetime_in_seconds": 36000,
            "secret_encoded": False,
        },
        "refresh_token": {
            "rotation_type": "non-rotating",
            "expiration_type": "non-expiring",
            "leeway": 0,
            "token_lifetime": 2592000,
            "infinite_token_lifetime": True,
            "idle_token_lifetime": 1296000,
            "infinite_idle_token_lifetime": True,
        },
        "signing_keys": [{"cert": key.cert_pem, "pkcs7": key.pkcs7_pem, "subject": "deprecated"}],
    }
    body.update(changes)
    return body


def token_status(client, client_id: str, secret: str, audience: str) -> int:
    return client.post(
        "/oauth/token",
        urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
                "audience": audience,
            }
        ),
        content_type="application/x-www-form-urlencoded",
    ).status_code


def test_create_returns_the_client_with_its_secret_once(mgmt: Mgmt, client, orders_api):
    response = mgmt.post("/clients", {"name": "Reporting", "description": "Nightly reports"})
    assert response.status_code == 201
    body = response.json()
    secret = body.pop("client_secret")
    assert re.fullmatch(r"[A-Za-z0-9]{32}", body["client_id"])
    application = Application.objects.get(client_id=body["client_id"])
    assert body == client_dict(application, description="Nightly reports")
    fetched = mgmt.get(f"/clients/{body['client_id']}")
    assert fetched.json() == body
    assert "client_secret" not in fetched.json()
    # The returned secret is the one that works at /oauth/token.
    mgmt.post("/client-grants", {"client_id": body["client_id"], "audience": orders_api.identifier})
    assert token_status(client, body["client_id"], secret, orders_api.identifier) == 200


def test_create_a_regular_web_app_with_explicit_fields(mgmt: Mgmt, tenant):
    response = mgmt.post(
        "/clients",
        {
            "name": "Portal",
            "app_type": "regular_web",
            "grant_types": ["authorization_code", "client_credentials"],
            "token_endpoint_auth_method": "client_secret_basic",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["app_type"], body["grant_types"], body["token_endpoint_auth_method"]) == (
        "regular_web",
        ["authorization_code", "client_credentials"],
        "client_secret_basic",
    )


def test_create_accepts_a_form_body(mgmt: Mgmt, tenant):
    response = mgmt.post(
        "/clients",
        raw="name=Formed&grant_types=client_credentials",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201
    assert response.json()["grant_types"] == ["client_credentials"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Payload validation error: 'Missing required property: name'."),
        (
            {"name": "x", "client_id": "chosen"},
            "Payload validation error: 'Additional properties not allowed: client_id'.",
        ),
        (
            {"name": "x", "client_secret": "chosen"},
            "Payload validation error: 'Additional properties not allowed: client_secret'.",
        ),
        (
            {"name": "x", "app_type": "box"},
            "Payload validation error: 'No enum match for: \"box\"' on property app_type (The "
            "type of application this client represents.).",
        ),
        (
            {"name": "x", "grant_types": ["client_credentials", "client_credentials"]},
            "Payload validation error: 'Array items are not unique (indexes 0 and 1)' on "
            "property grant_types (List of grant types supported for this application.).",
        ),
        (
            {"name": "x", "description": "d" * 141},
            "Payload validation error: 'String is too long (141 chars), maximum 140' on "
            "property description (Free text description of this client (max length: 140 "
            "characters).).",
        ),
        (
            {"name": "x", "app_type": "spa", "grant_types": ["client_credentials"]},
            "Payload validation error: 'Single Page and Native applications are public "
            "clients and cannot use the client_credentials grant.' on property grant_types.",
        ),
    ],
)
def test_create_validates_strictly_and_writes_nothing(mgmt: Mgmt, tenant, body, message):
    before = Application.objects.count()
    response = mgmt.post("/clients", body)
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": message,
        "errorCode": "invalid_body",
    }
    assert Application.objects.count() == before


def test_list_never_shows_secrets_and_filters_by_app_type(mgmt: Mgmt, m2m_client):
    mgmt.post("/clients", {"name": "Browser", "app_type": "spa"})
    listed = mgmt.get("/clients").json()
    assert [c["name"] for c in listed] == ["Automation", "Billing worker", "Browser"]
    assert all("client_secret" not in c for c in listed)
    assert listed[1] == client_dict(m2m_client.application)
    assert [c["name"] for c in mgmt.get("/clients?app_type=spa,native").json()] == ["Browser"]
    totals = mgmt.get("/clients?include_totals=true&per_page=2").json()
    assert (totals["total"], totals["start"], totals["limit"], len(totals["clients"])) == (
        3,
        0,
        2,
        2,
    )


def test_fields_select_what_a_client_carries(mgmt: Mgmt, m2m_client):
    client_id = m2m_client.client_id
    assert mgmt.get(f"/clients/{client_id}?fields=client_id,name").json() == {
        "client_id": client_id,
        "name": "Billing worker",
    }
    listed = mgmt.get("/clients?fields=signing_keys,callbacks&include_fields=false").json()
    assert {"client_id": client_id} | {
        k: v
        for k, v in client_dict(m2m_client.application).items()
        if k not in ("signing_keys", "callbacks")
    } in listed
    assert all("signing_keys" not in item for item in listed)


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("is_global=false", True),
        ("is_global=true", False),
        ("is_first_party=true", True),
        ("is_first_party=false", False),
        ("is_first_party=true&is_global=false&app_type=non_interactive,spa", True),
    ],
)
def test_is_global_and_is_first_party_filter_as_the_client_says(
    mgmt: Mgmt, m2m_client, query, listed
):
    clients = mgmt.get(f"/clients?{query}").json()
    assert (m2m_client.client_id in [c["client_id"] for c in clients]) is listed
    # The filters agree with what each client reports about itself.
    assert all(not c["global"] and c["is_first_party"] for c in clients)


def test_get_unknown_is_404(mgmt: Mgmt, tenant):
    response = mgmt.get("/clients/" + "A" * 32)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_an_id_of_another_shape_is_404_and_an_overlong_one_invalid_uri(mgmt: Mgmt, tenant):
    # Only what cannot be any id is a 400 (tests/management_api/test_path_ids.py has the rest).
    assert mgmt.get("/clients/not-a-client-id").json() == NOT_FOUND
    response = mgmt.get("/clients/" + "a" * 65)
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": "Path validation error: 'String is too long (65 chars), maximum 64' "
        "on property id (ID of the client.).",
        "errorCode": "invalid_uri",
    }


def test_patch_updates_and_never_returns_the_secret(mgmt: Mgmt, m2m_client):
    path = f"/clients/{m2m_client.client_id}"
    response = mgmt.patch(path, {"name": "Billing", "description": "Renamed"})
    assert response.status_code == 200
    expected = client_dict(m2m_client.application, name="Billing", description="Renamed")
    assert response.json() == expected
    assert mgmt.get(path).json() == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"client_id": "x"},
            "Payload validation error: 'Additional properties not allowed: client_id'.",
        ),
        (
            {"name": "Changed", "app_type": "spa"},
            "Payload validation error: 'Single Page and Native applications are public "
            "clients and cannot use the client_credentials grant.' on property grant_types.",
        ),
    ],
)
def test_patch_rejections_change_nothing(mgmt: Mgmt, m2m_client, body, message):
    path = f"/clients/{m2m_client.client_id}"
    response = mgmt.patch(path, body)
    assert response.status_code == 400
    assert response.json()["message"] == message
    assert mgmt.get(path).json() == client_dict(m2m_client.application)


def test_patch_unknown_is_404(mgmt: Mgmt, tenant):
    response = mgmt.patch("/clients/" + "A" * 32, {"name": "x"})
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_rotate_secret_returns_a_new_working_secret_and_kills_the_old(
    mgmt: Mgmt, client, granted_client, orders_api
):
    audience = orders_api.identifier
    response = mgmt.post(f"/clients/{granted_client.client_id}/rotate-secret")
    assert response.status_code == 200
    body = response.json()
    new_secret = body.pop("client_secret")
    assert body == client_dict(granted_client.application)
    assert new_secret != granted_client.secret
    assert token_status(client, granted_client.client_id, granted_client.secret, audience) == 401
    assert token_status(client, granted_client.client_id, new_secret, audience) == 200


def test_rotate_secret_of_unknown_is_404(mgmt: Mgmt, tenant):
    response = mgmt.post("/clients/" + "A" * 32 + "/rotate-secret")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_delete_is_204_twice_and_takes_the_grants(mgmt: Mgmt, granted_client):
    path = f"/clients/{granted_client.client_id}"
    response = mgmt.delete(path)
    assert (response.status_code, response.content) == (204, b"")
    assert not Application.objects.filter(client_id=granted_client.client_id).exists()
    assert not ClientGrant.objects.filter(application_id=granted_client.application.pk).exists()
    assert mgmt.delete(path).status_code == 204
    assert mgmt.get(path).status_code == 404
