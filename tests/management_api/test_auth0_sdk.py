"""A round trip with Auth0's official Python SDK (auth0-python 6) against the live server:
token by client credentials, an API with scopes, a client, a grant, a token for that client,
the tenant's default audience, paging, errors, secret rotation, signing-key rotation and
revocation."""

from urllib.parse import urlsplit

import jwt
import pytest
from auth0.authentication import GetToken
from auth0.management import Auth0
from auth0.management.errors import ConflictError, NotFoundError, UnauthorizedError
from auth0.management.types import ResourceServerScope
from django.conf import settings

from applications import clients
from tests.management_api.conftest import ALL_SCOPES

INVENTORY = "https://inventory.example/api/"


def get_token(server: str, client_id: str, secret: str, audience: str) -> dict:
    return GetToken(server, client_id, client_secret=secret, protocol="http").client_credentials(
        audience=audience
    )


def verified_claims(live_url: str, token: str, audience: str) -> dict:
    jwks = jwt.PyJWKClient(live_url + "/.well-known/jwks.json", cache_keys=False)
    return jwt.decode(
        token,
        jwks.get_signing_key_from_jwt(token).key,
        algorithms=["RS256"],
        audience=audience,
        issuer=settings.ISSUER,
    )


@pytest.mark.django_db(transaction=True)
def test_round_trip_with_the_auth0_python_sdk(live_server, tenant):
    server = urlsplit(live_server.url).netloc  # host:port, what GetToken wants
    automation, automation_secret = clients.create_application(name="Terraform")
    clients.authorize(automation, tenant, ALL_SCOPES)

    def management_client() -> Auth0:
        token = get_token(
            server, automation.client_id, automation_secret, settings.MANAGEMENT_API_IDENTIFIER
        )["access_token"]
        return Auth0(base_url=live_server.url + "/api/v2", token=token, max_retries=0)

    mgmt = management_client()

    # An API with scopes.
    api = mgmt.resource_servers.create(
        identifier=INVENTORY,
        name="Inventory",
        scopes=[
            ResourceServerScope(value="read:stock", description="Read stock"),
            ResourceServerScope(value="write:stock"),
        ],
        token_lifetime=3600,
    )
    assert (api.identifier, api.signing_alg, api.token_lifetime) == (INVENTORY, "RS256", 3600)
    assert [s.value for s in api.scopes] == ["read:stock", "write:stock"]
    fetched = mgmt.resource_servers.get(INVENTORY)  # sent as https%3A%2F%2F...
    assert fetched.id == api.id
    renamed = mgmt.resource_servers.update(api.id, name="Inventory service")
    assert renamed.name == "Inventory service"
    listed = [rs.identifier for rs in mgmt.resource_servers.list()]  # pages until empty
    assert listed == [settings.MANAGEMENT_API_IDENTIFIER, INVENTORY]
    with pytest.raises(ConflictError) as conflict:
        mgmt.resource_servers.create(identifier=INVENTORY)
    assert conflict.value.body["errorCode"] == "resource_server_conflict"
    with pytest.raises(NotFoundError) as missing:
        mgmt.resource_servers.get("https://none.example/")
    assert missing.value.body["message"] == "The resource server does not exist"

    # A client, granted one scope, gets a token for it.
    worker = mgmt.clients.create(
        name="Stock worker", app_type="non_interactive", grant_types=["client_credentials"]
    )
    assert worker.client_secret
    assert mgmt.clients.get(worker.client_id).name == "Stock worker"
    assert "Stock worker" in [c.name for c in mgmt.clients.list()]
    grant = mgmt.client_grants.create(
        client_id=worker.client_id, audience=INVENTORY, scope=["read:stock"]
    )
    assert grant.scope == ["read:stock"]
    assert [g.id for g in mgmt.client_grants.list(audience=INVENTORY)] == [grant.id]
    issued = get_token(server, worker.client_id, worker.client_secret, INVENTORY)
    assert (issued["scope"], issued["expires_in"], issued["token_type"]) == (
        "read:stock",
        3600,
        "Bearer",
    )
    claims = verified_claims(live_server.url, issued["access_token"], INVENTORY)
    assert claims["sub"] == f"{worker.client_id}@clients"
    # The tenant's default audience serves a request that names none (audience "").
    assert mgmt.tenants.settings.get().default_audience == ""
    assert mgmt.tenants.settings.update(default_audience=INVENTORY).default_audience == INVENTORY
    defaulted = get_token(server, worker.client_id, worker.client_secret, "")
    assert verified_claims(live_server.url, defaulted["access_token"], INVENTORY)["aud"] == (
        INVENTORY
    )
    updated = mgmt.client_grants.update(grant.id, scope=["read:stock", "write:stock"])
    assert updated.scope == ["read:stock", "write:stock"]

    # Rotating the client secret: the new one works.
    rotated = mgmt.clients.rotate_secret(worker.client_id)
    assert rotated.client_secret != worker.client_secret
    reissued = get_token(server, worker.client_id, rotated.client_secret, INVENTORY)
    assert reissued["scope"] == "read:stock write:stock"

    # Signing keys: rotate, new tokens carry the new kid; revoke the old one.
    keys = mgmt.keys.signing.list()
    (old,) = [k for k in keys if k.current]
    (upcoming,) = [k for k in keys if k.next]
    assert old.fingerprint and old.thumbprint
    new = mgmt.keys.signing.rotate()
    assert new.kid == upcoming.kid
    after = get_token(server, worker.client_id, rotated.client_secret, INVENTORY)
    assert jwt.get_unverified_header(after["access_token"])["kid"] == new.kid
    assert mgmt.keys.signing.get(old.kid).previous is True
    revoked = mgmt.keys.signing.revoke(old.kid)
    assert revoked.kid == old.kid
    with pytest.raises(UnauthorizedError):  # our own token was signed by the revoked key
        mgmt.keys.signing.list()
    mgmt = management_client()
    assert mgmt.keys.signing.get(old.kid).revoked is True

    # Clean up through the SDK; deletes are 204, again 204.
    mgmt.client_grants.delete(grant.id)
    mgmt.client_grants.delete(grant.id)
    mgmt.clients.delete(worker.client_id)
    mgmt.resource_servers.delete(api.id)
    mgmt.resource_servers.delete(api.id)
    assert mgmt.tenants.settings.get(fields="default_audience").default_audience == ""
    assert [rs.identifier for rs in mgmt.resource_servers.list()] == [
        settings.MANAGEMENT_API_IDENTIFIER
    ]
