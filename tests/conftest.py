"""Plain fixtures shared by every test: the tenant as `manage.py bootstrap` leaves it, APIs,
applications with their one-time secrets, and grants, all made through the domain modules."""

import base64
import json
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

from apis import resource_servers
from apis.models import Api
from apis.resource_servers import ScopeSpec
from applications import clients
from applications.models import Application
from keys import signing


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    # Each test has its own database; keys cached by a previous test must not leak in.
    signing.forget_cached_keys()
    yield
    signing.forget_cached_keys()


@pytest.fixture
def tenant(db) -> Api:
    """Signing keys and the Management API, as after `manage.py bootstrap`."""
    signing.ensure_keys()
    return resource_servers.ensure_management_api()


@pytest.fixture
def orders_api(tenant) -> Api:
    api, _ = resource_servers.create_api(
        name="Orders",
        identifier="https://orders.example/api",
        scopes=[ScopeSpec("read:orders", "Read orders"), ScopeSpec("write:orders")],
    )
    return api


@dataclass
class HS256Api:
    api: Api
    secret: str


@pytest.fixture
def hs256_api(tenant) -> HS256Api:
    api, secret = resource_servers.create_api(
        name="Ledger",
        identifier="https://ledger.example/",
        signing_alg="HS256",
        scopes=[ScopeSpec("read:ledger")],
    )
    return HS256Api(api, secret)


@dataclass
class Client:
    application: Application
    secret: str

    @property
    def client_id(self) -> str:
        return self.application.client_id


@pytest.fixture
def m2m_client(tenant) -> Client:
    application, secret = clients.create_application(name="Billing worker")
    return Client(application, secret)


@pytest.fixture
def granted_client(m2m_client, orders_api) -> Client:
    clients.authorize(m2m_client.application, orders_api, ["read:orders", "write:orders"])
    return m2m_client


def basic_header(client_id: str, client_secret: str) -> str:
    """An HTTP Basic Authorization header value (RFC 7617)."""
    return "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()


@pytest.fixture
def post_token(client):
    """POST /oauth/token with `params` form-encoded (or as JSON with as_json=True).

    `params` may be a dict or a list of pairs (to repeat a parameter); `authorization`
    sets the Authorization header as sent.
    """

    def post(params=None, *, as_json: bool = False, authorization: str | None = None):
        headers = {"Authorization": authorization} if authorization is not None else {}
        if as_json:
            body = json.dumps(params)
            content_type = "application/json"
        else:
            body = urlencode(params or {})
            content_type = "application/x-www-form-urlencoded"
        return client.post("/oauth/token", body, content_type=content_type, headers=headers)

    return post
