"""APIs (resource servers) and scopes: field limits, uniqueness, immutability, scope rules,
the system Management API, and what a failed change leaves behind (nothing)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apis import resource_servers
from apis.models import Api, Scope
from apis.resource_servers import ScopeSpec, SystemApiProtected
from applications import clients
from applications.models import ClientGrant

MANAGEMENT_SCOPES = {
    "read:resource_servers",
    "create:resource_servers",
    "update:resource_servers",
    "delete:resource_servers",
    "read:clients",
    "create:clients",
    "update:clients",
    "delete:clients",
    "read:client_keys",
    "update:client_keys",
    "read:client_summary",
    "read:client_credentials",
    "create:client_credentials",
    "update:client_credentials",
    "delete:client_credentials",
    "read:client_grants",
    "create:client_grants",
    "update:client_grants",
    "delete:client_grants",
    "read:grants",
    "delete:grants",
    "read:signing_keys",
    "create:signing_keys",
    "update:signing_keys",
    "read:tenant_settings",
    "update:tenant_settings",
    "read:users",
    "create:users",
    "update:users",
    "read:refresh_tokens",
    "delete:refresh_tokens",
    "read:sessions",
    "delete:sessions",
    "delete:users",
    "read:logs",
    "read:attack_protection",
    "update:attack_protection",
}


def create(**fields) -> Api:
    fields.setdefault("name", "Orders")
    fields.setdefault("identifier", "https://x/api")
    api, _ = resource_servers.create_api(**fields)
    return api


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


# --- API fields -----------------------------------------------------------------------------


def test_defaults_as_auth0(db):
    api = create()

    assert re.fullmatch(r"[0-9a-f]{24}", api.id)
    assert api.to_dict() == {
        "id": api.id,
        "name": "Orders",
        "identifier": "https://x/api",
        "scopes": [],
        "signing_alg": "RS256",
        "allow_offline_access": False,
        "skip_consent_for_verifiable_first_party_clients": False,
        "token_lifetime": 86400,
        "token_lifetime_for_web": 7200,
    }
    assert api.encrypted_signing_secret == ""


def test_hs256_api_gets_a_256_bit_secret(db):
    api, secret = resource_servers.create_api(
        name="Ledger", identifier="https://ledger/", signing_alg="HS256"
    )

    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)  # 32 random bytes, base64url
    assert "signing_secret" not in api.to_dict()
    assert resource_servers.reveal_signing_secret(api) == secret


def test_rs256_api_has_no_secret_to_reveal_or_rotate(db):
    api = create()

    with pytest.raises(ValueError):
        resource_servers.reveal_signing_secret(api)
    with pytest.raises(ValueError):
        resource_servers.rotate_signing_secret(api)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "a" * 201}, "name"),
        ({"name": "<script>"}, "name"),
        ({"name": "x > y"}, "name"),
        ({"identifier": ""}, "identifier"),
        ({"identifier": "   "}, "identifier"),
        ({"identifier": "i" * 601}, "identifier"),
        ({"signing_alg": "RS512"}, "signing_alg"),
        ({"signing_alg": "none"}, "signing_alg"),
        ({"token_lifetime": -1}, "token_lifetime"),
        ({"token_lifetime": 2_592_001}, "token_lifetime"),
        ({"token_lifetime": 3600}, "token_lifetime_for_web"),  # default web lifetime is 7200
        ({"token_lifetime_for_web": 86401}, "token_lifetime_for_web"),
    ],
)
def test_invalid_fields_are_refused_and_nothing_is_written(db, fields, field):
    before = Api.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        create(**fields)

    assert field in error_fields(excinfo)
    assert Api.objects.count() == before


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "a" * 200},
        {"identifier": "i" * 600},
        {"identifier": "x"},
        {"token_lifetime": 0, "token_lifetime_for_web": 0},
        {"token_lifetime": 2_592_000},
        {"token_lifetime": 2_592_000, "token_lifetime_for_web": 2_592_000},
        {"token_lifetime": 7200, "token_lifetime_for_web": 7200},
    ],
)
def test_limits_are_inclusive(db, fields):
    api = create(**fields)

    for name, value in fields.items():
        assert getattr(Api.objects.get(pk=api.pk), name) == value


def test_identifier_is_unique(db):
    create()

    with pytest.raises(ValidationError) as excinfo:
        create(name="Again")

    assert "identifier" in error_fields(excinfo)
    assert Api.objects.filter(identifier="https://x/api").count() == 1


def test_trailing_slash_makes_a_different_api(db):
    without = create(identifier="https://x/api")
    with_slash = create(identifier="https://x/api/")

    assert without.pk != with_slash.pk
    assert {api.identifier for api in Api.objects.filter(is_system=False)} == {
        "https://x/api",
        "https://x/api/",
    }


def test_identifier_uniqueness_is_a_database_constraint(db):
    create()

    with pytest.raises(IntegrityError), transaction.atomic():
        Api.objects.create(name="Raw", identifier="https://x/api")


def test_web_lifetime_above_lifetime_is_a_database_constraint(db):
    api = create()

    with pytest.raises(IntegrityError), transaction.atomic():
        Api.objects.filter(pk=api.pk).update(token_lifetime=60)


def test_update_changes_editable_settings(db):
    api = create()

    updated = resource_servers.update_api(
        api,
        name="Orders v2",
        token_lifetime=3600,
        token_lifetime_for_web=600,
        allow_offline_access=True,
        skip_consent_for_verifiable_first_party_clients=True,
    )

    stored = Api.objects.get(pk=api.pk)
    assert updated.to_dict() == stored.to_dict()
    assert (stored.name, stored.token_lifetime, stored.token_lifetime_for_web) == (
        "Orders v2",
        3600,
        600,
    )
    assert stored.allow_offline_access and stored.skip_consent_for_verifiable_first_party_clients


def test_update_refuses_web_lifetime_above_lifetime_and_saves_nothing(db):
    api = create()

    with pytest.raises(ValidationError) as excinfo:
        resource_servers.update_api(api, name="Renamed", token_lifetime=3600)

    assert "token_lifetime_for_web" in error_fields(excinfo)
    assert Api.objects.get(pk=api.pk).name == "Orders"


@pytest.mark.parametrize("field", ["identifier", "signing_alg", "is_system", "id"])
def test_immutable_fields_cannot_be_updated(db, field):
    api = create()

    with pytest.raises(TypeError):
        resource_servers.update_api(api, **{field: "changed"})

    assert Api.objects.get(pk=api.pk).identifier == "https://x/api"


# --- scopes ---------------------------------------------------------------------------------


def test_scopes_are_created_with_the_api(db):
    api = create(scopes=[ScopeSpec("read:orders", "Read orders"), ScopeSpec("write:orders")])

    assert api.to_dict()["scopes"] == [
        {"value": "read:orders", "description": "Read orders"},
        {"value": "write:orders"},
    ]


@pytest.mark.parametrize(
    "value",
    ["", "read orders", "read\torders", "read\norders", "s" * 281, 'say"what', "back\\slash", "é"],
)
def test_invalid_scope_values_are_refused(db, value):
    before = Api.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        create(scopes=[ScopeSpec("ok"), ScopeSpec(value)])

    assert "scopes" in error_fields(excinfo)
    assert Api.objects.count() == before
    assert not Scope.objects.filter(value="ok").exists()


def test_scope_value_limits_are_inclusive(db):
    api = create(
        scopes=[ScopeSpec("s" * 280, "d" * 500), ScopeSpec("!#$%&'()*+,-./:;<=>?@[]^_`{|}~")]
    )

    assert api.scopes.count() == 2


def test_scope_description_is_limited(db):
    with pytest.raises(ValidationError):
        create(scopes=[ScopeSpec("read", "d" * 501)])


def test_duplicate_scopes_in_one_request_are_refused(db):
    with pytest.raises(ValidationError) as excinfo:
        create(scopes=[ScopeSpec("read"), ScopeSpec("read", "again")])

    assert excinfo.value.message_dict == {"scopes": ["Duplicate scope: read."]}
    assert not Api.objects.filter(identifier="https://x/api").exists()


def test_add_scope_refuses_an_existing_value(db):
    api = create(scopes=[ScopeSpec("read")])

    with pytest.raises(ValidationError):
        resource_servers.add_scope(api, "read", "twice")

    assert list(api.scopes.values_list("description", flat=True)) == [""]


def test_same_scope_value_on_two_apis(db):
    create(identifier="https://a/", scopes=[ScopeSpec("read")])
    create(identifier="https://b/", scopes=[ScopeSpec("read")])

    assert Scope.objects.filter(value="read").count() == 2


def test_scope_uniqueness_is_a_database_constraint(db):
    api = create(scopes=[ScopeSpec("read")])

    with pytest.raises(IntegrityError), transaction.atomic():
        Scope.objects.create(api=api, value="read")


def test_deleting_a_scope_removes_it_from_every_grant(db, orders_api):
    first, _ = clients.create_application(name="First")
    second, _ = clients.create_application(name="Second")
    clients.authorize(first, orders_api, ["read:orders", "write:orders"])
    clients.authorize(second, orders_api, ["write:orders"])

    resource_servers.delete_scope(orders_api.scopes.get(value="write:orders"))

    grants = {g.application.name: g.to_dict()["scope"] for g in ClientGrant.objects.all()}
    assert grants == {"First": ["read:orders"], "Second": []}


def test_replacing_scopes_drops_removed_ones_from_grants(db, orders_api, m2m_client):
    clients.authorize(m2m_client.application, orders_api, ["read:orders", "write:orders"])

    resource_servers.replace_scopes(
        orders_api, [ScopeSpec("read:orders", "Read them all"), ScopeSpec("cancel:orders")]
    )

    assert Api.objects.get(pk=orders_api.pk).to_dict()["scopes"] == [
        {"value": "cancel:orders"},
        {"value": "read:orders", "description": "Read them all"},
    ]
    grant = ClientGrant.objects.get(application=m2m_client.application)
    assert grant.to_dict()["scope"] == ["read:orders"]


def test_replacing_scopes_with_an_invalid_one_changes_nothing(db, orders_api):
    with pytest.raises(ValidationError):
        resource_servers.replace_scopes(orders_api, [ScopeSpec("new"), ScopeSpec("bad value")])

    assert set(orders_api.scopes.values_list("value", flat=True)) == {
        "read:orders",
        "write:orders",
    }


def test_deleting_an_api_deletes_its_scopes_and_grants(db, granted_client, orders_api):
    resource_servers.delete_api(orders_api)

    assert not Api.objects.filter(identifier="https://orders.example/api").exists()
    assert not Scope.objects.filter(value="read:orders").exists()
    assert not ClientGrant.objects.exists()


# --- the system Management API --------------------------------------------------------------


def test_management_api_is_ensured_with_its_scopes(tenant):
    assert tenant.is_system
    assert tenant.identifier == "http://127.0.0.1:8000/api/v2/"
    assert set(tenant.scopes.values_list("value", flat=True)) == MANAGEMENT_SCOPES
    assert tenant.to_dict()["is_system"] is True
    assert tenant.signing_alg == "RS256"


def test_ensure_management_api_is_idempotent(tenant):
    again = resource_servers.ensure_management_api()

    assert again.pk == tenant.pk
    assert Api.objects.filter(is_system=True).count() == 1
    assert tenant.scopes.count() == len(MANAGEMENT_SCOPES)


def test_ensure_management_api_adds_scopes_a_newer_version_brought(tenant):
    # A tenant bootstrapped before the tenant settings scopes existed gets them on the next
    # `bootstrap`; grants keep what they had (an operator adds the new scopes to them).
    Scope.objects.filter(api=tenant, value__endswith=":tenant_settings").delete()

    resource_servers.ensure_management_api()

    assert set(tenant.scopes.values_list("value", flat=True)) == MANAGEMENT_SCOPES


def test_system_api_cannot_be_deleted(tenant):
    with pytest.raises(SystemApiProtected):
        resource_servers.delete_api(tenant)

    assert Api.objects.filter(pk=tenant.pk).exists()


def test_system_api_scopes_cannot_be_changed(tenant):
    scope = tenant.scopes.get(value="read:clients")

    with pytest.raises(SystemApiProtected):
        resource_servers.add_scope(tenant, "extra")
    with pytest.raises(SystemApiProtected):
        resource_servers.delete_scope(scope)
    with pytest.raises(SystemApiProtected):
        resource_servers.replace_scopes(tenant, [ScopeSpec("only")])

    assert set(tenant.scopes.values_list("value", flat=True)) == MANAGEMENT_SCOPES


def test_system_api_identifier_cannot_be_updated(tenant):
    with pytest.raises(TypeError):
        resource_servers.update_api(tenant, identifier="https://elsewhere/")

    assert Api.objects.get(pk=tenant.pk).identifier == "http://127.0.0.1:8000/api/v2/"


def test_no_second_system_api_by_create(tenant):
    with pytest.raises(ValidationError):
        create(identifier="http://127.0.0.1:8000/api/v2/")


# --- signing secrets, token dialects, RBAC (issue 9 item 7) ---------------------------------

RBAC = "needs RBAC permissions, which Gatehouse does not support yet"


def test_a_supplied_hs256_secret_is_stored_encrypted_and_not_returned(db):
    api, generated = resource_servers.create_api(
        name="Ledger",
        identifier="https://l/",
        signing_alg="HS256",
        signing_secret="sixteen chars..!",
    )
    assert generated is None  # the caller chose it: nothing to show
    assert "sixteen" not in api.encrypted_signing_secret
    assert resource_servers.reveal_signing_secret(api) == "sixteen chars..!"


@pytest.mark.parametrize(
    ("alg", "secret", "message"),
    [
        ("HS256", "fifteen chars..", "The signing secret must be at least 16 characters long."),
        (
            "RS256",
            "sixteen chars..!",
            "Only HS256 APIs have a signing secret: this API's tokens are signed with the "
            "tenant's RS256 keys.",
        ),
    ],
)
def test_a_bad_supplied_secret_is_refused(db, alg, secret, message):
    with pytest.raises(ValidationError) as excinfo:
        resource_servers.create_api(
            name="L", identifier="https://l/", signing_alg=alg, signing_secret=secret
        )
    assert excinfo.value.message_dict == {"signing_secret": [message]}
    assert not Api.objects.filter(identifier="https://l/").exists()


def test_rotating_to_a_chosen_secret(db, hs256_api):
    resource_servers.set_signing_secret(hs256_api.api, "a chosen secret!")
    api = Api.objects.get(pk=hs256_api.api.pk)
    assert resource_servers.reveal_signing_secret(api) == "a chosen secret!"
    with pytest.raises(ValidationError):
        resource_servers.set_signing_secret(api, "short")
    assert resource_servers.reveal_signing_secret(api) == "a chosen secret!"


def test_token_dialect_is_unset_until_chosen(db):
    api = create()
    assert (api.token_dialect, api.enforce_policies) == ("", None)
    assert "token_dialect" not in api.to_dict()
    api = resource_servers.update_api(api, token_dialect="rfc9068_profile", enforce_policies=False)
    assert api.to_dict()["token_dialect"] == "rfc9068_profile"
    assert api.to_dict()["enforce_policies"] is False


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"token_dialect": "access_token_authz"}, f"token_dialect access_token_authz {RBAC}"),
        ({"token_dialect": "rfc9068_profile_authz"}, f"token_dialect rfc9068_profile_authz {RBAC}"),
        (
            {"enforce_policies": True},
            "enforce_policies true needs RBAC roles and permissions, which Gatehouse does not "
            "support yet",
        ),
    ],
)
def test_rbac_settings_are_refused_everywhere(db, fields, message):
    field = next(iter(fields))
    with pytest.raises(ValidationError) as excinfo:
        create(**fields)
    assert excinfo.value.message_dict == {field: [message]}
    api = create()
    with pytest.raises(ValidationError) as excinfo:
        resource_servers.update_api(api, **fields)
    assert excinfo.value.message_dict == {field: [message]}
    assert Api.objects.get(pk=api.pk).to_dict() == api.to_dict()


@pytest.mark.parametrize(
    ("column", "value"), [("token_dialect", "access_token_authz"), ("enforce_policies", True)]
)
def test_rbac_settings_are_a_database_constraint(db, column, value):
    api = create()
    with pytest.raises(IntegrityError), transaction.atomic():
        Api.objects.filter(pk=api.pk).update(**{column: value})
