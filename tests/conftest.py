"""Plain fixtures shared by every test: the tenant as `manage.py bootstrap` leaves it, APIs,
applications with their one-time secrets, and grants, all made through the domain modules."""

import base64
import functools
import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.hashers import make_password
from django.db.models import Model

from apis import resource_servers
from apis.models import Api
from apis.resource_servers import ScopeSpec
from applications import clients
from applications.models import Application
from keys import crypto, signing


class KeyPool:
    """Real RSA private keys from keys/crypto.py, made once per session and lent to every test.

    Each test draws from the start of the pool, so the keys within one test's database are
    all distinct; a test that needs more keys than any test before it (several rotations)
    has the real generator make the missing ones, which later tests then reuse. Everything
    else about a key (certificate, JWK, kid, encryption) is still made per key by
    `keys.signing`, at the time and with the settings of the test."""

    def __init__(self) -> None:
        self._keys: list[rsa.RSAPrivateKey] = []
        # Rotations run in threads too (tests/keys/test_concurrent_rotation.py).
        self._lock = threading.Lock()

    def lender(self) -> Callable[[], rsa.RSAPrivateKey]:
        """A generator for one test: the pool's keys in order, then fresh ones."""
        lent = 0

        def next_key() -> rsa.RSAPrivateKey:
            nonlocal lent
            with self._lock:
                if lent == len(self._keys):
                    self._keys.append(crypto.generate_private_key())
                key = self._keys[lent]
                lent += 1
            return key

        return next_key


@pytest.fixture(scope="session")
def key_pool() -> KeyPool:
    return KeyPool()


@pytest.fixture(autouse=True)
def _pooled_signing_keys(request, key_pool, monkeypatch):
    """RSA-2048 generation (about 46 ms a key, two per tenant) dominated the suite, so new
    signing keys come from the session's pool, except in tests marked `real_key_generation`:
    those are about the keys that are made, and get a fresh key from the real generator
    each time. Subprocesses (`manage.py`) always generate their own."""
    if request.node.get_closest_marker("real_key_generation") is None:
        monkeypatch.setattr(signing, "generate_private_key", key_pool.lender())


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    # Each test has its own database; keys cached by a previous test must not leak in.
    signing.forget_cached_keys()
    yield
    signing.forget_cached_keys()


@pytest.fixture(autouse=True)
def _log_events_written_at_once(request, settings):
    """In-process, log events from hot paths are written as they happen (not by the
    buffer's thread, which has its own connection outside the test's transaction), so a
    test reads them as soon as its request returns. Servers started as subprocesses keep
    the production buffer; tests/logs/test_buffer.py covers it. A test without database
    access (say a malformed token request) could not store or read an event: it records
    none."""
    settings.LOG_EVENTS_FLUSH_SECONDS = 0
    uses_database = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db", "_django_db_helper")
    )
    if not uses_database:
        settings.LOG_EVENTS = False


@pytest.fixture
def log_events_off(settings):
    """LOG_EVENTS=false, for tests that count the token path's queries: in-process, events
    are written at once (above), a query the request never pays in production, where the
    buffer writes them from its own thread. tests/logs/test_auth_events.py proves that."""
    settings.LOG_EVENTS = False


@pytest.fixture(autouse=True)
def _fresh_rate_limit_counters():
    """Each test starts with no requests counted (the in-process LocMemCache outlives
    tests): a test's requests are never refused for those of the tests before it."""
    from django.core.cache import caches

    caches["default"].clear()


@pytest.fixture(scope="session")
def password_hash() -> Callable[[str], str]:
    """Django's `make_password`, once per password per session: PBKDF2 at Django's work
    factor takes about half a second, more than most tests. Logging in still checks it."""
    return functools.cache(make_password)


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


@pytest.fixture
def admin_client(client, django_user_model):
    """A superuser signed in to the Django admin. No password: hashing one costs more than the
    whole test."""
    client.force_login(django_user_model.objects.create_superuser("support", password=None))
    return client


@pytest.fixture
def everything(granted_client, hs256_api, orders_api) -> list[str]:
    """One of each model, and every secret that must never reach an admin page."""
    clients.authorize(granted_client.application, hs256_api.api, ["read:ledger"])
    # An application whose ID tokens are HS256-signed keeps its secret encrypted.
    signer, signer_secret = clients.create_application(
        name="ID token signer", app_type="regular_web", id_token_alg="HS256"
    )
    return [
        signer_secret,
        signer.encrypted_secret,
        granted_client.secret,
        hs256_api.secret,
        Application.objects.get(pk=granted_client.application.pk).secret_digest,
        Api.objects.get(pk=hs256_api.api.pk).encrypted_signing_secret,
        *private_key_strings(),
    ]


def admin_pages(*models: type[Model]) -> list[str]:
    """Each model's admin list page and the change page of each of its rows."""
    pages = []
    for model in models:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pks = list(model.objects.values_list("pk", flat=True))
        assert pks, f"no {model.__name__} to show: the walk would miss its change pages"
        pages.append(base)
        pages.extend(f"{base}{pk}/change/" for pk in pks)
    return pages


def assert_no_secret_on(client, pages: list[str], secrets: list[str]) -> None:
    """Each page opens (200) and shows none of `secrets`."""
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        body = response.content.decode()
        for secret in secrets:
            assert secret not in body, page


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
