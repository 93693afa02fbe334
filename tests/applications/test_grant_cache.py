"""/oauth/token keeps the grants it has read per connection, and forgets them when the database
says something changed (applications/grant_cache.py): a NOTIFY on PostgreSQL, a new
`data_version` on SQLite.

Each change here is made the way a real deployment makes it: by another connection (a
console or Management API request in another thread, which Django gives its own connection,
or plain SQL from a separate client), so the token endpoint can only learn of it from the
database. PostgreSQL's notifications travel asynchronously, so each test waits (up to a few
seconds, normally under a millisecond) for the endpoint to reflect the change."""

import json
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlencode

import jwt
import psycopg
import pytest
import requests
from django.db import connection, connections, transaction

from apis import resource_servers
from apis.models import Api
from applications import clients
from applications.models import Application, ClientGrant
from tests.conftest import ROOT, HS256Api

ORDERS = "https://orders.example/api"
LEDGER = "https://ledger.example/"

# Outside a test transaction, as in a server: inside one nothing is cached (tested below).
pytestmark = [
    pytest.mark.django_db(transaction=True),
    # Query counts of the token path: its log events are the buffer's, not the request's.
    pytest.mark.usefixtures("log_events_off"),
]

# A connection's first token request on PostgreSQL also runs LISTEN.
LISTEN_QUERIES = 1 if connection.vendor == "postgresql" else 0


def _request_token(client, client_id: str, secret: str, audience: str = ORDERS, **extra):
    body = urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "audience": audience,
            **extra,
        }
    )
    return client.post("/oauth/token", body, content_type="application/x-www-form-urlencoded")


def _in_another_connection(change) -> None:
    """Run `change` in a thread of its own, hence on its own database connection, as a
    console request served by another worker would."""
    failures: list[BaseException] = []

    def run():
        try:
            change()
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    if failures:
        raise failures[0]


def _eventually(request, check, seconds: float = 5.0):
    """The first response for which check(response) holds, or the last one seen."""
    deadline = time.monotonic() + seconds
    while True:
        response = request()
        if check(response) or time.monotonic() > deadline:
            return response
        time.sleep(0.01)


def _until_refused(client, granted):
    """The first refusal of the client's token request (or the last success, after 5 s)."""
    return _eventually(
        lambda: _request_token(client, granted.client_id, granted.secret),
        lambda r: r.status_code != 200,
    )


def _scope_of(response) -> str | None:
    return response.json().get("scope") if response.status_code == 200 else None


@pytest.fixture
def warm(client, granted_client):
    """The grant has been read, so this connection holds it."""
    first = _request_token(client, granted_client.client_id, granted_client.secret)
    assert first.status_code == 200, first.content
    return granted_client


@pytest.fixture
def ledger_client(m2m_client, hs256_api: HS256Api):
    # Query counts are taken on an HS256 API: its secret comes with the grant, while an RS256
    # token may also re-read which signing key is current (keys/signing.py, every 3 s).
    clients.authorize(m2m_client.application, hs256_api.api, ["read:ledger"])
    return m2m_client


def test_a_cached_grant_serves_requests_without_a_query(
    client, ledger_client, django_assert_num_queries, django_assert_max_num_queries
):
    with django_assert_max_num_queries(LISTEN_QUERIES + 1):  # LISTEN, then the grant
        first = _request_token(client, ledger_client.client_id, ledger_client.secret, LEDGER)
    assert first.status_code == 200
    for _ in range(3):
        with django_assert_num_queries(0):
            again = _request_token(client, ledger_client.client_id, ledger_client.secret, LEDGER)
        assert again.json()["scope"] == "read:ledger"


def test_narrowing_a_grant_elsewhere_narrows_the_next_token(client, warm):
    def narrow():
        grant = ClientGrant.objects.get(application__client_id=warm.client_id)
        clients.update_grant_scopes(grant, ["read:orders"])

    _in_another_connection(narrow)
    response = _eventually(
        lambda: _request_token(client, warm.client_id, warm.secret),
        lambda r: _scope_of(r) == "read:orders",
    )
    assert _scope_of(response) == "read:orders"
    refused = _request_token(client, warm.client_id, warm.secret, scope="write:orders")
    assert refused.status_code == 403
    assert refused.json()["error_description"] == "Client has not been granted scopes: write:orders"


def test_deleting_a_grant_elsewhere_refuses_the_next_request(client, warm):
    _in_another_connection(
        lambda: clients.delete_grant(ClientGrant.objects.get(application__client_id=warm.client_id))
    )
    response = _until_refused(client, warm)
    assert response.status_code == 403
    assert response.json()["error"] == "access_denied"


def test_rotating_the_client_secret_elsewhere_retires_the_old_one(client, warm):
    rotated: list[str] = []
    _in_another_connection(
        lambda: rotated.append(
            clients.rotate_client_secret(Application.objects.get(client_id=warm.client_id))
        )
    )
    old = _until_refused(client, warm)
    assert old.status_code == 401
    assert old.json() == {"error": "access_denied", "error_description": "Unauthorized"}
    assert _request_token(client, warm.client_id, rotated[0]).status_code == 200


def test_deleting_the_application_elsewhere_refuses_its_secret(client, warm):
    _in_another_connection(
        lambda: clients.delete_application(Application.objects.get(client_id=warm.client_id))
    )
    response = _until_refused(client, warm)
    assert response.status_code == 401


def test_deleting_a_scope_from_the_api_elsewhere_drops_it_from_tokens(client, warm):
    _in_another_connection(
        lambda: resource_servers.delete_scope(
            Api.objects.get(identifier=ORDERS).scopes.get(value="write:orders")
        )
    )
    response = _eventually(
        lambda: _request_token(client, warm.client_id, warm.secret),
        lambda r: _scope_of(r) == "read:orders",
    )
    assert _scope_of(response) == "read:orders"


def test_a_new_token_lifetime_set_elsewhere_applies_to_the_next_token(client, warm):
    _in_another_connection(
        lambda: resource_servers.update_api(Api.objects.get(identifier=ORDERS), token_lifetime=9000)
    )
    response = _eventually(
        lambda: _request_token(client, warm.client_id, warm.secret),
        lambda r: r.status_code == 200 and r.json()["expires_in"] == 9000,
    )
    assert response.json()["expires_in"] == 9000


def test_a_new_token_dialect_set_elsewhere_applies_to_the_next_token(client, warm):
    # The dialect is read in the grant's query, so the cache must forget it like the rest.
    _in_another_connection(
        lambda: resource_servers.update_api(
            Api.objects.get(identifier=ORDERS), token_dialect="rfc9068_profile"
        )
    )
    response = _eventually(
        lambda: _request_token(client, warm.client_id, warm.secret),
        lambda r: (
            r.status_code == 200
            and jwt.get_unverified_header(r.json()["access_token"])["typ"] == "at+jwt"
        ),
    )
    assert jwt.get_unverified_header(response.json()["access_token"])["typ"] == "at+jwt"


def _other_client(settings):
    """A database client of its own, outside Django."""
    database = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        return psycopg.connect(
            dbname=database["NAME"],
            user=database["USER"],
            password=database["PASSWORD"] or None,
            host=database["HOST"] or None,
            port=database["PORT"] or None,
            autocommit=True,
        )
    name = connection.settings_dict["NAME"]  # the test database, maybe a shared in-memory one
    return closing(sqlite3.connect(name, uri=name.startswith("file:"), isolation_level=None))


def test_a_change_made_in_plain_sql_by_another_client_is_seen(client, warm, settings):
    # Whoever writes, the database tells: here a separate client, outside Django.
    with _other_client(settings) as other:
        placeholder = "%s" if connection.vendor == "postgresql" else "?"
        other.execute(
            f"UPDATE apis_api SET token_lifetime = 10800 WHERE identifier = {placeholder}",  # noqa: S608
            [ORDERS],
        )
    response = _eventually(
        lambda: _request_token(client, warm.client_id, warm.secret),
        lambda r: r.status_code == 200 and r.json()["expires_in"] == 10800,
    )
    assert response.json()["expires_in"] == 10800


def test_a_rotated_hs256_secret_signs_the_next_token(client, m2m_client, hs256_api: HS256Api):
    clients.authorize(m2m_client.application, hs256_api.api, ["read:ledger"])
    first = _request_token(client, m2m_client.client_id, m2m_client.secret, audience=LEDGER)
    jwt.decode(
        first.json()["access_token"], hs256_api.secret, algorithms=["HS256"], audience=LEDGER
    )
    rotated: list[str] = []
    _in_another_connection(
        lambda: rotated.append(
            resource_servers.rotate_signing_secret(Api.objects.get(identifier=LEDGER))
        )
    )

    def signed_with_new_secret(response) -> bool:
        try:
            jwt.decode(
                response.json()["access_token"], rotated[0], algorithms=["HS256"], audience=LEDGER
            )
        except jwt.InvalidTokenError:
            return False
        return True

    response = _eventually(
        lambda: _request_token(client, m2m_client.client_id, m2m_client.secret, audience=LEDGER),
        signed_with_new_secret,
    )
    assert signed_with_new_secret(response)


def test_a_new_connection_starts_with_an_empty_cache(
    client, ledger_client, django_assert_num_queries
):
    def request():
        return _request_token(client, ledger_client.client_id, ledger_client.secret, LEDGER)

    assert request().status_code == 200
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("Django keeps an in-memory SQLite test database's one connection open")
    # A new connection heard nothing while it was not there: it reads the grant again.
    connection.close()
    with django_assert_num_queries(LISTEN_QUERIES + 1):
        assert request().status_code == 200
    with django_assert_num_queries(0):
        assert request().status_code == 200


def test_inside_a_transaction_every_request_reads_the_grant(
    client, ledger_client, django_assert_num_queries
):
    # Notifications wait for the commit, so a transaction could not hear about changes.
    with transaction.atomic():
        for _ in range(2):
            with django_assert_num_queries(1):
                response = _request_token(
                    client, ledger_client.client_id, ledger_client.secret, LEDGER
                )
            assert response.status_code == 200


def test_grant_cache_off_reads_the_grant_every_time(
    client, ledger_client, settings, django_assert_num_queries
):
    settings.GRANT_CACHE = False
    for _ in range(2):
        with django_assert_num_queries(1):
            response = _request_token(client, ledger_client.client_id, ledger_client.secret, LEDGER)
        assert response.status_code == 200


def test_connections_closed_after_each_request_keep_nothing(
    client, ledger_client, django_assert_num_queries
):
    # With CONN_MAX_AGE=0 every request has a new connection: a cache would only add LISTEN.
    settings_dict = connection.settings_dict
    saved = settings_dict["CONN_MAX_AGE"]
    settings_dict["CONN_MAX_AGE"] = 0
    try:
        for _ in range(2):
            with django_assert_num_queries(1):
                response = _request_token(
                    client, ledger_client.client_id, ledger_client.secret, LEDGER
                )
            assert response.status_code == 200
    finally:
        settings_dict["CONN_MAX_AGE"] = saved


def test_refusals_are_never_cached(client, ledger_client, django_assert_num_queries):
    def request(client_id, secret):
        return _request_token(client, client_id, secret, LEDGER)

    assert request(ledger_client.client_id, "wrong").status_code == 401
    # The grant exists, so it was read and kept; each secret is checked against it anew.
    with django_assert_num_queries(0):
        assert request(ledger_client.client_id, "wrong").status_code == 401
        assert request(ledger_client.client_id, ledger_client.secret).status_code == 200
    for _ in range(2):  # no grant found: nothing kept, so both requests look it up
        with django_assert_num_queries(2):  # the grant lookup, then the application
            assert request("x" * 32, "wrong").status_code == 401


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite file's cross-process case; see above"
)
def test_a_grant_changed_by_another_process_reaches_a_running_server(cli):
    """As deployed on SQLite: one long-lived gunicorn worker keeps its grants while the CLI, in
    processes of its own, changes them in the same file."""
    identifier = "https://cache.example/api"
    made = cli.run(
        "create_api",
        "--name",
        "Cache",
        "--identifier",
        identifier,
        "--scope",
        "read:cache",
        "--scope",
        "write:cache",
    )
    assert made.returncode == 0, made.stderr
    created = json.loads(cli.run("create_application", "--name", "Cache client", "--json").stdout)
    client_id, secret = created["client_id"], created["client_secret"]
    granted = cli.run("grant", "--client-id", client_id, "--audience", identifier, "--all-scopes")
    assert granted.returncode == 0, granted.stderr

    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=cli.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    form = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": secret,
        "audience": identifier,
    }
    url = f"http://127.0.0.1:{port}/oauth/token"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                first = requests.post(url, data=form, timeout=5)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert first.json()["scope"] == "read:cache write:cache"
        assert requests.post(url, data=form, timeout=5).json()["scope"] == "read:cache write:cache"

        narrowed = cli.run(
            "grant", "--client-id", client_id, "--audience", identifier, "--scope", "read:cache"
        )
        assert narrowed.returncode == 0, narrowed.stderr
        # SQLite's data_version is read from the file's shared state: no waiting needed.
        assert requests.post(url, data=form, timeout=5).json()["scope"] == "read:cache"
        refused = requests.post(url, data={**form, "scope": "write:cache"}, timeout=5)
        assert refused.status_code == 403
    finally:
        server.terminate()
        server.wait(timeout=30)
