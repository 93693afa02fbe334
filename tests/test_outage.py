"""A database outage, for real, on PostgreSQL (issue 9 section 1): a gunicorn worker with
DEBUG off, as the README tells operators to run it, loses its database connections and cannot
open new ones; every surface then answers 503 with Retry-After (the console with a session
cookie too, whose session read fails inside Django's middleware), the JWKS and the discovery
document keep being served from memory, and everything works again once the database is back.

The outage is confined to this test's own database: its worker's connections are terminated
and the database refuses new ones (ALTER DATABASE ... ALLOW_CONNECTIONS false), so the shared
server keeps serving everyone else.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client as DjangoClient

from applications import clients
from keys import digests, signing

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: the SQLite test database is in memory, so no server process "
        "can share it, and there is no server to stop (config/errors.py's mapping of database "
        "errors is covered on both databases by tests/config/test_errors.py)",
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parent.parent
APPLICATION_NAME = "gatehouse-outage-test"
WORKER_SECRET_KEY = secrets.token_urlsafe(64)
ORDERS = "https://orders.example/api"
UNAVAILABLE = "The service is temporarily unavailable. Retry later."


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def admin_connection() -> psycopg.Connection:
    """A connection to the server's maintenance database, outside the outage."""
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or "postgres",
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@contextmanager
def database_down() -> Iterator[None]:
    """The worker's connections are cut and no new one is accepted, until the block ends."""
    name = connection.settings_dict["NAME"]
    with closing(admin_connection()) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND application_name = %s",
                (name, APPLICATION_NAME),
            )
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


@dataclass
class Worker:
    url: str

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.url + path, timeout=20, allow_redirects=False, **kwargs)

    def head(self, path: str, **kwargs) -> requests.Response:
        return requests.head(self.url + path, timeout=20, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return requests.post(self.url + path, timeout=20, **kwargs)


@pytest.fixture
def worker(request, settings, tmp_path) -> Iterator[Worker]:
    # Client-secret digests and sessions are keyed by SECRET_KEY: the test makes them with
    # the worker's key. DEBUG off needs a real one. The digest key is derived once per
    # process, so it is derived again now, and again after the test (settings restored).
    settings.SECRET_KEY = WORKER_SECRET_KEY
    digests._key.cache_clear()
    request.addfinalizer(digests._key.cache_clear)
    db = connection.settings_dict
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}?application_name={APPLICATION_NAME}",
        "DEBUG": "false",
        "SECRET_KEY": WORKER_SECRET_KEY,
        "KEY_ENCRYPTION_KEYS": ",".join(django_settings.KEY_ENCRYPTION_KEYS),
        "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": "60",
        "PYTHONWARNINGS": "ignore",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    # With DEBUG off, pages name hashed static files from collectstatic's manifest, as after
    # an operator's deploy (`bootstrap` collects them; the test database is migrated already).
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    made = Worker(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                made.get("/.well-known/openid-configuration")
                break
            except requests.ConnectionError:
                assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield made
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@dataclass
class Tenant:
    token_params: dict[str, str]
    management_params: dict[str, str]
    session_cookie: dict[str, str]


@pytest.fixture
def outage_tenant(worker, tenant, orders_api) -> Tenant:
    application, secret = clients.create_application(name="Billing worker")
    clients.authorize(application, orders_api, ["read:orders"])
    clients.authorize(application, tenant, ["read:resource_servers"])
    staff = get_user_model().objects.create_user(
        "ops", password="not-a-real-password", is_staff=True
    )
    browser = DjangoClient()
    browser.force_login(staff)  # a session row, signed with the worker's SECRET_KEY
    base = {
        "grant_type": "client_credentials",
        "client_id": application.client_id,
        "client_secret": secret,
    }
    return Tenant(
        token_params={**base, "audience": ORDERS},
        management_params={**base, "audience": django_settings.MANAGEMENT_API_IDENTIFIER},
        session_cookie={
            django_settings.SESSION_COOKIE_NAME: browser.cookies[
                django_settings.SESSION_COOKIE_NAME
            ].value
        },
    )


def assert_503(response: requests.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "5"


def test_a_database_outage_is_a_503_everywhere_but_the_public_documents(worker, outage_tenant):
    # Before: every surface works, and the worker has read the JWKS once.
    assert worker.post("/oauth/token", data=outage_tenant.token_params).status_code == 200
    management = worker.post("/oauth/token", data=outage_tenant.management_params)
    bearer = {"Authorization": "Bearer " + management.json()["access_token"]}
    assert worker.get("/api/v2/resource-servers", headers=bearer).status_code == 200
    assert worker.get("/apis/", cookies=outage_tenant.session_cookie).status_code == 200
    jwks = worker.get("/.well-known/jwks.json")
    discovery = worker.get("/.well-known/openid-configuration")
    assert jwks.status_code == discovery.status_code == 200

    with database_down():
        # Past the JWKS's re-read interval: the worker tries the database and fails.
        time.sleep(signing.CURRENT_KEY_RECHECK_SECONDS + 0.5)
        # Twice each: once on the cut connection, once failing to open a new one.
        for _ in range(2):
            token = worker.post("/oauth/token", data=outage_tenant.token_params)
            assert_503(token)
            assert token.headers["Content-Type"] == "application/json"
            assert token.headers["Cache-Control"] == "no-store"
            assert token.json() == {
                "error": "temporarily_unavailable",
                "error_description": UNAVAILABLE,
            }

            api = worker.get("/api/v2/resource-servers", headers=bearer)
            assert_503(api)
            assert api.json() == {
                "statusCode": 503,
                "error": "Service Unavailable",
                "message": UNAVAILABLE,
                "errorCode": "temporarily_unavailable",
            }

            # The session is read by Django's middleware, outside any view.
            page = worker.get("/apis/", cookies=outage_tenant.session_cookie)
            assert_503(page)
            assert page.headers["Content-Type"] == "text/html; charset=utf-8"
            assert "<h1>Temporarily unavailable</h1>" in page.text
            assert "Traceback" not in page.text and "psycopg" not in page.text

            served = worker.get("/.well-known/jwks.json")
            assert served.status_code == 200
            assert served.content == jwks.content
            for header in ("ETag", "Cache-Control", "Access-Control-Allow-Origin", "Content-Type"):
                assert served.headers[header] == jwks.headers[header]
            again = worker.get(
                "/.well-known/jwks.json", headers={"If-None-Match": jwks.headers["ETag"]}
            )
            assert again.status_code == 304
            head = worker.head("/.well-known/jwks.json")
            assert head.status_code == 200 and head.content == b""

            document = worker.get("/.well-known/openid-configuration")
            assert document.status_code == 200
            assert document.content == discovery.content

    # Recovery: the next requests open new connections and succeed.
    assert worker.post("/oauth/token", data=outage_tenant.token_params).status_code == 200
    assert worker.get("/api/v2/resource-servers", headers=bearer).status_code == 200
    assert worker.get("/apis/", cookies=outage_tenant.session_cookie).status_code == 200
    assert worker.get("/.well-known/jwks.json").content == jwks.content


def test_a_worker_started_during_an_outage_answers_503_for_the_jwks(worker, outage_tenant):
    # No good copy yet in this process: there is nothing true to serve.
    with database_down():
        response = worker.get("/.well-known/jwks.json")

    assert_503(response)
    assert response.json() == {"error": "temporarily_unavailable", "error_description": UNAVAILABLE}
    assert worker.get("/.well-known/jwks.json").status_code == 200


def test_a_rotation_by_another_process_reaches_the_workers_jwks_within_the_bound(
    worker, outage_tenant
):
    before = [key["kid"] for key in worker.get("/.well-known/jwks.json").json()["keys"]]

    signing.rotate()  # this process; the worker only learns it from the database
    started = time.monotonic()
    kids = before
    while kids == before and time.monotonic() - started < 10:
        time.sleep(0.1)
        kids = [key["kid"] for key in worker.get("/.well-known/jwks.json").json()["keys"]]

    # Next became current, current became previous, a new next key was published.
    assert len(kids) == 3
    assert (kids[0], kids[2]) == (before[1], before[0])
    assert time.monotonic() - started < signing.CURRENT_KEY_RECHECK_SECONDS + 1
