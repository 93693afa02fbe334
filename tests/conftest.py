"""Plain fixtures shared by every test: the tenant as `manage.py bootstrap` leaves it, APIs,
applications with their one-time secrets, and grants, all made through the domain modules."""

import base64
import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from cryptography.fernet import Fernet

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


ROOT = Path(__file__).resolve().parent.parent
CLI_TABLES = (
    "keys_signingkey",
    "apis_api",
    "apis_scope",
    "applications_application",
    "applications_clientgrant",
    "applications_clientgrant_scopes",
)


@dataclass
class Cli:
    """`python manage.py ...` in a real subprocess, against its own SQLite file."""

    database: Path
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with closing(sqlite3.connect(self.database)) as connection:
            return connection.execute(sql, params).fetchall()

    def counts(self) -> dict[str, int]:
        """Rows per table, to prove a refused command wrote nothing."""
        return {table: self.rows(f"SELECT COUNT(*) FROM {table}")[0][0] for table in CLI_TABLES}  # noqa: S608


@pytest.fixture(scope="session")
def cli(tmp_path_factory) -> Cli:
    """A bootstrapped SQLite file shared by the CLI tests (each uses its own names), so the
    real exit status and stderr of the commands are checked."""
    database = tmp_path_factory.mktemp("cli") / "gatehouse.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        # bootstrap collects static files: into the scratch folder, not the checkout's var/.
        "STATIC_ROOT": str(database.parent / "static"),
        # Set, as in any real deployment, so stderr holds only what the command says.
        "KEY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DEBUG": "true",
    }
    env.pop("PYTHONWARNINGS", None)
    made = Cli(database, env)
    result = made.run("bootstrap")
    assert result.returncode == 0, result.stderr
    return made


def private_key_strings(*, with_ciphertext: bool = True) -> list[str]:
    """How every stored private key could leak into a page or response: the PEM header and
    each private number (d, p, q, dp, dq, qi) as base64url (a JWK member), base64 and hex,
    and (unless with_ciphertext is false) the stored ciphertext.

    PEM lines themselves are not usable markers: they also encode the public modulus, which
    certificates and the JWKS rightly publish."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    from keys import vault
    from keys.models import SigningKey

    strings = ["PRIVATE KEY"]
    for ciphertext in SigningKey.objects.values_list("encrypted_private_key", flat=True):
        numbers = load_pem_private_key(vault.decrypt(ciphertext), password=None).private_numbers()
        for value in (numbers.d, numbers.p, numbers.q, numbers.dmp1, numbers.dmq1, numbers.iqmp):
            raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
            strings.append(base64.urlsafe_b64encode(raw).rstrip(b"=").decode()[:40])
            strings.append(base64.b64encode(raw).decode()[:40])
            strings.append(raw.hex()[:40])
        if with_ciphertext:
            strings.append(ciphertext)
    return strings
