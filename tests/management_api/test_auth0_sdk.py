"""A round trip with Auth0's official Python SDK (auth0-python 6) against the live server:
token by client credentials, an API with scopes, a client, a grant, a token for that client,
the tenant's default audience, paging, errors, secret rotation, signing-key rotation and
revocation."""

from urllib.parse import urlsplit

import jwt
import pytest
from auth0.authentication import GetToken
from auth0.management import Auth0
from auth0.management.core.api_error import ApiError
from auth0.management.errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    UnauthorizedError,
)
from auth0.management.types import ResourceServerScope
from django.conf import settings

from applications import clients
from applications.models import Application
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


@pytest.mark.django_db(transaction=True)
def test_browser_clients_and_users_grants_with_the_auth0_python_sdk(live_server, tenant):
    from auth0.management.types import ClientJwtConfiguration

    from applications import user_grants
    from users.models import User

    server = urlsplit(live_server.url).netloc
    automation, automation_secret = clients.create_application(name="Deploy CLI")
    clients.authorize(automation, tenant, ALL_SCOPES)
    token = get_token(
        server, automation.client_id, automation_secret, settings.MANAGEMENT_API_IDENTIFIER
    )["access_token"]
    mgmt = Auth0(base_url=live_server.url + "/api/v2", token=token, max_retries=0)

    # A regular web app with its browser settings, HS256 ID tokens, third-party.
    web = mgmt.clients.create(
        name="Storefront",
        app_type="regular_web",
        callbacks=["https://shop.example.com/callback"],
        allowed_logout_urls=["https://shop.example.com/"],
        web_origins=["https://shop.example.com"],
        allowed_origins=["https://admin.shop.example.com"],
        is_first_party=False,
        oidc_conformant=True,
        jwt_configuration=ClientJwtConfiguration(alg="HS256", lifetime_in_seconds=600),
    )
    assert web.client_secret
    assert (web.is_first_party, web.jwt_configuration.alg) == (False, "HS256")
    fetched = mgmt.clients.get(web.client_id)
    assert fetched.callbacks == ["https://shop.example.com/callback"]
    assert fetched.allowed_origins == ["https://admin.shop.example.com"]
    assert fetched.jwt_configuration.lifetime_in_seconds == 600
    updated = mgmt.clients.update(
        web.client_id,
        callbacks=["https://shop.example.com/callback", "https://*.shop.example.com/cb"],
        jwt_configuration=ClientJwtConfiguration(alg="RS256"),
    )
    assert updated.callbacks[1] == "https://*.shop.example.com/cb"
    assert updated.jwt_configuration.alg == "RS256"
    with pytest.raises(BadRequestError) as refused:
        mgmt.clients.update(web.client_id, callbacks=["https://shop.example.com/#x"])
    assert "must not contain a fragment" in refused.value.body["message"]

    # Users' grants, recorded as consent records them.
    ada = User.objects.create(email="ada@example.com", password="!")
    application = Application.objects.get(client_id=web.client_id)
    first = user_grants.record(ada, application, "https://orders.example/api", ["read:orders"])
    second = user_grants.record(ada, application, settings.ISSUER + "userinfo", ["openid"])
    listed = list(mgmt.user_grants.list(user_id=ada.user_id))  # pages until empty
    assert [(g.id, g.client_id, g.user_id, g.scope) for g in listed] == [
        (first.id, web.client_id, ada.user_id, ["read:orders"]),
        (second.id, web.client_id, ada.user_id, ["openid"]),
    ]
    mgmt.user_grants.delete(first.id)
    # Auth0's envelope; the SDK has no NotFoundError for this operation, only ApiError.
    with pytest.raises(ApiError) as gone:
        mgmt.user_grants.delete(first.id)
    assert (gone.value.status_code, gone.value.body["errorCode"]) == (404, "inexistent_grant")
    assert [g.id for g in mgmt.user_grants.list(client_id=web.client_id)] == [second.id]
    mgmt.user_grants.delete_by_user_id(user_id=ada.user_id)
    assert list(mgmt.user_grants.list()) == []
