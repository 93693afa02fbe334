"""Rotation across connections and processes, on PostgreSQL: two rotations at once leave one
current and one next key; a rotation made by another process reaches a running server."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import jwt
import pytest
import requests
from django.conf import settings
from django.db import connection

from keys import signing
from keys.models import KeyState, SigningKey

ROOT = Path(__file__).resolve().parents[2]
ORDERS = "https://orders.example/api"


def postgresql_only(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(connection.vendor != "postgresql", reason=reason)


def rotate_concurrently(count: int) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            signing.rotate()
        except BaseException as error:  # reported by the test, not swallowed
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@postgresql_only("needs PostgreSQL: SQLite serializes writers, so two rotations cannot race there")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count", [2, 4])
def test_concurrent_rotations_leave_one_current_and_one_next_key(count):
    signing.ensure_keys()
    first_next = SigningKey.objects.get(state=KeyState.NEXT).kid

    errors = rotate_concurrently(count)

    assert errors == []
    states = list(SigningKey.objects.values_list("state", flat=True))
    assert states.count(KeyState.CURRENT) == 1
    assert states.count(KeyState.NEXT) == 1
    # Every rotation happened, one after the other: none was lost or doubled.
    assert states.count(KeyState.PREVIOUS) == count
    assert len(states) == count + 2
    assert SigningKey.objects.get(kid=first_next).state == KeyState.PREVIOUS


def database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@postgresql_only(
    "needs PostgreSQL: the SQLite test database is in memory, so no other process can open it"
)
def test_rotation_by_another_process_reaches_the_running_server(live_server, granted_client):
    params = {
        "grant_type": "client_credentials",
        "client_id": granted_client.client_id,
        "client_secret": granted_client.secret,
        "audience": ORDERS,
    }

    def token_kid() -> str:
        response = requests.post(f"{live_server.url}/oauth/token", data=params, timeout=10)
        assert response.status_code == 200
        return jwt.get_unverified_header(response.json()["access_token"])["kid"]

    before = token_kid()  # the server has cached the current key
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "KEY_ENCRYPTION_KEYS": ",".join(settings.KEY_ENCRYPTION_KEYS),
        "PYTHONWARNINGS": "ignore",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "rotate_signing_key", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    promoted = SigningKey.objects.get(state=KeyState.CURRENT).kid
    assert promoted != before
    assert f'"kid":"{promoted}"' in result.stdout

    # The server re-reads the current kid every few seconds; poll, well beyond that bound.
    deadline = time.monotonic() + 30
    kid = token_kid()
    while kid != promoted and time.monotonic() < deadline:
        time.sleep(0.25)
        kid = token_kid()

    assert kid == promoted
