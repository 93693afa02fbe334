"""Applications and client grants: types, grant types, secrets stored as digests, one grant
per (application, API), grant scopes that belong to the API."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apis import resource_servers
from apis.resource_servers import ScopeSpec
from applications import clients, credentials
from applications.models import Application, AppType, ClientGrant


def test_machine_to_machine_application_defaults(db):
    application, secret = clients.create_application(name="Worker")

    assert re.fullmatch(r"[A-Za-z0-9]{32}", application.client_id)
    assert re.fullmatch(r"[A-Za-z0-9_-]{64}", secret)
    assert application.app_type == AppType.NON_INTERACTIVE
    assert application.grant_type_list == ["client_credentials"]
    assert application.token_endpoint_auth_method == "client_secret_post"


def test_secret_is_stored_only_as_a_digest(db):
    application, secret = clients.create_application(name="Worker")
    stored = Application.objects.get(pk=application.pk)

    assert secret not in stored.secret_digest
    assert re.fullmatch(r"[0-9a-f]{64}", stored.secret_digest)
    assert credentials.verify_secret(secret, stored.secret_digest)
    assert not credentials.verify_secret(secret[:-1], stored.secret_digest)
    assert not credentials.verify_secret(stored.secret_digest, stored.secret_digest)


def test_secrets_are_unique_per_application(db):
    made = [clients.create_application(name=f"App {n}") for n in range(3)]

    assert len({secret for _, secret in made}) == 3
    assert len({app.client_id for app, _ in made}) == 3


def test_client_secret_is_not_in_to_dict_unless_given(db):
    application, secret = clients.create_application(name="Worker")

    assert "client_secret" not in application.to_dict(None)
    assert application.to_dict(None, client_secret=secret)["client_secret"] == secret


@pytest.mark.parametrize(
    ("app_type", "grant_types", "auth_method"),
    [
        (AppType.NON_INTERACTIVE, ["client_credentials"], "client_secret_post"),
        (
            AppType.REGULAR_WEB,
            ["authorization_code", "refresh_token", "client_credentials"],
            "client_secret_post",
        ),
        (AppType.SPA, ["authorization_code", "implicit", "refresh_token"], "none"),
        (AppType.NATIVE, ["authorization_code", "implicit", "refresh_token"], "none"),
    ],
)
def test_defaults_per_application_type(db, app_type, grant_types, auth_method):
    application, _ = clients.create_application(name="App", app_type=app_type)

    assert application.grant_type_list == grant_types
    assert application.token_endpoint_auth_method == auth_method


@pytest.mark.parametrize("app_type", [AppType.SPA, AppType.NATIVE])
def test_public_clients_never_get_client_credentials(db, app_type):
    with pytest.raises(ValidationError) as excinfo:
        clients.create_application(
            name="Public", app_type=app_type, grant_types=["client_credentials"]
        )

    assert "grant_types" in excinfo.value.message_dict
    assert not Application.objects.filter(name="Public").exists()


@pytest.mark.parametrize("app_type", [AppType.SPA, AppType.NATIVE])
def test_public_client_cannot_be_switched_to_client_credentials(db, app_type):
    application, _ = clients.create_application(name="Public", app_type=app_type)

    with pytest.raises(ValidationError):
        clients.update_application(application, grant_types=["client_credentials"])

    assert "client_credentials" not in Application.objects.get(pk=application.pk).grant_types


def test_machine_to_machine_cannot_become_public_while_using_client_credentials(db):
    application, _ = clients.create_application(name="Worker")

    with pytest.raises(ValidationError):
        clients.update_application(application, app_type=AppType.SPA)

    assert Application.objects.get(pk=application.pk).app_type == AppType.NON_INTERACTIVE


@pytest.mark.parametrize(
    "fields",
    [
        {"name": ""},
        {"name": "a<b"},
        {"name": "n" * 201},
        {"app_type": "robot"},
        {"grant_types": ["magic"]},
        {"grant_types": ["client_credentials", "client_credentials"]},
        {"token_endpoint_auth_method": "none"},
        {"token_endpoint_auth_method": "private_key_jwt"},
        {"description": "d" * 141},
    ],
)
def test_invalid_application_fields(db, fields):
    fields.setdefault("name", "App")

    with pytest.raises(ValidationError):
        clients.create_application(**fields)

    assert not Application.objects.exists()


@pytest.mark.parametrize("separator", ["\u00a0", "\t", "\u3000", "\u0085"])
def test_grant_types_are_separated_by_u0020_only(granted_client, post_token, separator):
    # Stored space-separated, like a scope string. The admin edits the text and plain SQL can
    # write it; the token endpoint, validation and the console's regex filter must all read
    # "authorization_code<U+00A0>client_credentials" as the one (unknown) grant type it is.
    application = granted_client.application
    application.grant_types = f"authorization_code{separator}client_credentials"
    with pytest.raises(ValidationError, match="Unknown grant type"):
        application.full_clean()
    Application.objects.filter(pk=application.pk).update(grant_types=application.grant_types)

    stored = Application.objects.get(pk=application.pk)
    assert not stored.allows_client_credentials
    assert not Application.objects.with_client_credentials().filter(pk=stored.pk).exists()
    response = post_token(
        {
            "grant_type": "client_credentials",
            "client_id": granted_client.client_id,
            "client_secret": granted_client.secret,
            "audience": "https://orders.example/api",
        }
    )
    assert response.status_code == 403
    assert response.json()["error"] == "unauthorized_client"


def test_update_application_keeps_client_id(db):
    application, _ = clients.create_application(name="Worker")

    with pytest.raises(TypeError):
        clients.update_application(application, client_id="x" * 32)
    updated = clients.update_application(
        application, name="Renamed", token_endpoint_auth_method="client_secret_basic"
    )

    assert updated.client_id == application.client_id
    assert Application.objects.get(pk=application.pk).name == "Renamed"


def test_delete_application_deletes_its_grants(granted_client):
    clients.delete_application(granted_client.application)

    assert not ClientGrant.objects.exists()


# --- grants ---------------------------------------------------------------------------------


def test_grant_shape(granted_client, orders_api):
    grant = ClientGrant.objects.get(application=granted_client.application)

    assert re.fullmatch(r"cgr_[A-Za-z0-9]{16}", grant.id)
    assert grant.to_dict() == {
        "id": grant.id,
        "client_id": granted_client.client_id,
        "audience": "https://orders.example/api",
        "scope": ["read:orders", "write:orders"],
    }


def test_one_grant_per_application_and_api(m2m_client, orders_api):
    clients.create_grant(m2m_client.application, orders_api, ["read:orders"])

    with pytest.raises(clients.GrantExists):
        clients.create_grant(m2m_client.application, orders_api, ["write:orders"])

    (grant,) = ClientGrant.objects.all()
    assert grant.to_dict()["scope"] == ["read:orders"]


def test_one_grant_per_pair_is_a_database_constraint(m2m_client, orders_api):
    clients.create_grant(m2m_client.application, orders_api, [])

    with pytest.raises(IntegrityError), transaction.atomic():
        ClientGrant.objects.create(application=m2m_client.application, api=orders_api)


def test_grant_scopes_must_belong_to_the_api(m2m_client, orders_api, tenant):
    with pytest.raises(ValidationError) as excinfo:
        clients.create_grant(m2m_client.application, orders_api, ["read:orders", "read:clients"])

    assert excinfo.value.message_dict == {
        "scope": ["Not a scope of https://orders.example/api: read:clients."]
    }
    assert not ClientGrant.objects.exists()


def test_grant_scopes_must_be_unique(m2m_client, orders_api):
    with pytest.raises(ValidationError):
        clients.create_grant(m2m_client.application, orders_api, ["read:orders", "read:orders"])

    assert not ClientGrant.objects.exists()


def test_update_grant_scopes(m2m_client, orders_api):
    grant = clients.create_grant(m2m_client.application, orders_api, ["read:orders"])

    clients.update_grant_scopes(grant, ["write:orders"])
    with pytest.raises(ValidationError):
        clients.update_grant_scopes(grant, ["write:orders", "nope"])

    assert ClientGrant.objects.get(pk=grant.pk).to_dict()["scope"] == ["write:orders"]


def test_authorize_creates_then_replaces(m2m_client, orders_api):
    first = clients.authorize(m2m_client.application, orders_api, ["read:orders"])
    second = clients.authorize(m2m_client.application, orders_api, ["write:orders"])

    assert first.pk == second.pk
    assert ClientGrant.objects.get().to_dict()["scope"] == ["write:orders"]


def test_same_scope_value_on_another_api_is_not_grantable(m2m_client, orders_api, tenant):
    other, _ = resource_servers.create_api(
        name="Other", identifier="https://other/", scopes=[ScopeSpec("read:orders")]
    )
    grant = clients.create_grant(m2m_client.application, orders_api, ["read:orders"])

    assert list(grant.scopes.values_list("api", flat=True)) == [orders_api.pk]
    assert other.scopes.get().client_grants.count() == 0


def test_grants_for_two_apis(m2m_client, orders_api, hs256_api):
    clients.create_grant(m2m_client.application, orders_api, [])
    clients.create_grant(m2m_client.application, hs256_api.api, ["read:ledger"])

    assert ClientGrant.objects.filter(application=m2m_client.application).count() == 2
