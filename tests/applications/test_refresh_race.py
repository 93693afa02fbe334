"""Refresh tokens under real parallel requests (issue 11 section 5; AUTH0_USER_FLOWS.md
section 4.4 and section 9 complaints 1, 3 and 5): the same token exchanged by several
requests at once inside the overlap period all succeed with the same new token; with no
overlap period exactly one wins and the family is revoked; two tabs never revoke each
other; a retry after a lost response keeps the user signed in.

Run against a live server twice: on PostgreSQL, pytest-django's live server on the test
database (each server thread has its own connection, so the family's row lock is what
serialises them); on SQLite, gunicorn with several workers and threads on a real database
file (the in-memory test database cannot be shared between processes), so the IMMEDIATE
transactions and the busy timeout are what serialise them.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from django.db import connection
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
ORDERS = "https://race.example/api"
# Without the mark, this file run alone reached the database before the test database was
# set up (other files' tests had always set it up first).
pytestmark = pytest.mark.django_db(transaction=True)

# Run in the SQLite server's database: an API with offline access, a SPA (rotating), a user.
SETUP = """
import json
from apis import resource_servers
from apis.models import Api
from apis.resource_servers import ScopeSpec
from applications import clients
from applications.models import Application, AppType
from users.models import User
if not Api.objects.filter(identifier=%(api)r).exists():
    resource_servers.create_api(name="Race", identifier=%(api)r,
                                scopes=[ScopeSpec("read:orders")], allow_offline_access=True)
application, _ = clients.create_application(name="Race SPA", app_type=AppType.SPA)
application.refresh_leeway = %(leeway)d
application.save()
user, _ = User.objects.get_or_create(email="race@example.com", defaults={"password": "!"})
print(json.dumps({"client_id": application.client_id, "user_id": user.pk}))
"""
FAMILY = """
from django.utils import timezone
from applications import refresh_tokens
from applications.models import Application
from users.models import User
now = timezone.now()
print(refresh_tokens.issue(
    application=Application.objects.get(client_id=%(client_id)r),
    user=User.objects.get(pk=%(user_id)r), audience=%(api)r,
    scopes=["openid", "offline_access", "read:orders"], session_id="", auth_time=now,
    code_digest="", now=now))
"""
STATE = """
import json
from applications.models import RefreshTokenFamily
print(json.dumps([[f.generation, f.revoked_reason] for f in
                  RefreshTokenFamily.objects.filter(application__client_id=%(client_id)r)
                  .order_by("created_at", "id")]))
"""
# What a database crash that lost the first rotation of each of a client's families leaves
# (applications/refresh_token_recovery.py): no token past the first, the family at 1.
LOSE_FIRST_ROTATIONS = """
from applications.models import RefreshToken, RefreshTokenFamily
RefreshToken.objects.filter(family__application__client_id=%(client_id)r,
                            generation__gt=1).delete()
RefreshTokenFamily.objects.filter(application__client_id=%(client_id)r).update(
    generation=1, rotated_at=None, last_exchanged_at=None)
print("lost")
"""


@dataclass
class Server:
    """A live Gatehouse and how to prepare families in its database."""

    url: str
    new_client: Callable[[int], str]  # leeway -> client_id of a rotating SPA
    new_family: Callable[[str], str]  # client_id -> first refresh token
    families: Callable[[str], list[tuple[int, str]]]  # client_id -> (generation, reason)
    lose_first_rotations: Callable[[str], None]  # client_id -> as LOSE_FIRST_ROTATIONS

    def refresh(self, client_id: str, token: str) -> requests.Response:
        return requests.post(
            f"{self.url}/oauth/token",
            data={"grant_type": "refresh_token", "client_id": client_id, "refresh_token": token},
            timeout=60,
        )


def _in_parallel(count: int, call: Callable[[int], requests.Response]) -> list:
    """`count` calls released together by a barrier; their responses (or errors)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call(index)
        except BaseException as error:  # reported by the test, not swallowed
            results[index] = error

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


# --- the two servers -----------------------------------------------------------------------


@pytest.fixture
def postgresql_server(request) -> Server:
    if connection.vendor != "postgresql":
        pytest.skip("the in-process live server races on PostgreSQL; SQLite runs in gunicorn")
    live_server = request.getfixturevalue("live_server")
    request.getfixturevalue("transactional_db")
    request.getfixturevalue("tenant")
    from apis import resource_servers
    from apis.resource_servers import ScopeSpec
    from applications import clients, refresh_tokens
    from applications.models import Application, AppType, RefreshTokenFamily
    from users.models import User

    resource_servers.create_api(name="Race", identifier=ORDERS, scopes=[ScopeSpec("read:orders")])
    from apis.models import Api

    Api.objects.filter(identifier=ORDERS).update(allow_offline_access=True)
    user = User.objects.create(email="race@example.com", password="!")

    def new_client(leeway: int) -> str:
        application, _ = clients.create_application(name="Race SPA", app_type=AppType.SPA)
        application.refresh_leeway = leeway
        application.save()
        return application.client_id

    def new_family(client_id: str) -> str:
        now = timezone.now()
        return refresh_tokens.issue(
            application=Application.objects.get(client_id=client_id),
            user=user,
            audience=ORDERS,
            scopes=["openid", "offline_access", "read:orders"],
            session_id="",
            auth_time=now,
            code_digest="",
            now=now,
        )

    def families(client_id: str) -> list[tuple[int, str]]:
        return list(
            RefreshTokenFamily.objects.filter(application__client_id=client_id)
            .order_by("created_at", "id")
            .values_list("generation", "revoked_reason")
        )

    def lose_first_rotations(client_id: str) -> None:
        exec(LOSE_FIRST_ROTATIONS % {"client_id": client_id}, {})  # noqa: S102 - our script

    return Server(live_server.url, new_client, new_family, families, lose_first_rotations)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("race")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'gatehouse.sqlite3'}",
        "STATIC_ROOT": str(folder / "static"),
        "KEY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DEBUG": "true",
    }
    env.pop("PYTHONWARNINGS", None)

    def manage(*args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    manage("bootstrap")
    user_ids: dict[str, str] = {}

    def new_client(leeway: int) -> str:
        made = json.loads(manage("shell", stdin=SETUP % {"api": ORDERS, "leeway": leeway}))
        user_ids[made["client_id"]] = made["user_id"]
        return made["client_id"]

    def new_family(client_id: str) -> str:
        values = {"client_id": client_id, "user_id": user_ids[client_id], "api": ORDERS}
        return manage("shell", stdin=FAMILY % values)

    def families(client_id: str) -> list[tuple[int, str]]:
        rows = json.loads(manage("shell", stdin=STATE % {"client_id": client_id}))
        return [tuple(row) for row in rows]

    def lose_first_rotations(client_id: str) -> None:
        manage("shell", stdin=LOSE_FIRST_ROTATIONS % {"client_id": client_id})

    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--workers",
            "2",
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                requests.get(f"{url}/.well-known/jwks.json", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.1)
        yield Server(url, new_client, new_family, families, lose_first_rotations)
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(params=["postgresql", "sqlite"])
def server(request) -> Server:
    return request.getfixturevalue(f"{request.param}_server")


# --- the races -----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 5])
def test_parallel_refreshes_inside_the_overlap_period_all_succeed(server, count):
    client_id = server.new_client(30)
    token = server.new_family(client_id)

    responses = _in_parallel(count, lambda _: server.refresh(client_id, token))

    assert [getattr(r, "status_code", r) for r in responses] == [200] * count
    children = {r.json()["refresh_token"] for r in responses}
    assert len(children) == 1  # one chain: everybody got the same next token
    assert server.families(client_id) == [(2, "")]
    # And the chain goes on from it.
    assert server.refresh(client_id, children.pop()).status_code == 200


def test_parallel_refreshes_without_an_overlap_period_revoke_the_family(server):
    client_id = server.new_client(0)
    token = server.new_family(client_id)

    responses = _in_parallel(4, lambda _: server.refresh(client_id, token))

    statuses = sorted(getattr(r, "status_code", r) for r in responses)
    assert statuses == [200, 403, 403, 403]
    assert all(
        r.json()["error_description"] == "Unknown or invalid refresh token."
        for r in responses
        if r.status_code == 403
    )
    assert server.families(client_id) == [(2, "reuse_detected")]


def test_two_tabs_refreshing_at_once_never_revoke_each_other(server):
    client_id = server.new_client(10)
    tabs = [server.new_family(client_id), server.new_family(client_id)]

    for _ in range(3):
        responses = _in_parallel(2, lambda i: server.refresh(client_id, tabs[i]))
        assert [getattr(r, "status_code", r) for r in responses] == [200, 200]
        tabs = [r.json()["refresh_token"] for r in responses]

    assert server.families(client_id) == [(4, ""), (4, "")]


def test_a_retry_after_a_lost_response_keeps_the_user_signed_in(server):
    # Complaint 5: the response carrying the new token never arrived; the client retries.
    client_id = server.new_client(10)
    token = server.new_family(client_id)
    lost = server.refresh(client_id, token)
    assert lost.status_code == 200

    retried = server.refresh(client_id, token)

    assert retried.status_code == 200
    assert retried.json()["refresh_token"] == lost.json()["refresh_token"]
    assert server.refresh(client_id, retried.json()["refresh_token"]).status_code == 200
    assert server.families(client_id) == [(3, "")]


# --- after a rotation a database crash lost (applications/refresh_token_recovery.py) --------


def _after_a_lost_rotation(server, leeway: int) -> tuple[str, str, str]:
    """A client with that leeway and a family whose first rotation a crash lost: the client
    id, the parent (the newest token again) and the child the client holds."""
    client_id = server.new_client(leeway)
    parent = server.new_family(client_id)
    child = server.refresh(client_id, parent).json()["refresh_token"]
    server.lose_first_rotations(client_id)
    return client_id, parent, child


def test_parallel_presentations_of_a_lost_child_inside_the_overlap_period_all_succeed(server):
    client_id, _, child = _after_a_lost_rotation(server, leeway=30)

    responses = _in_parallel(3, lambda _: server.refresh(client_id, child))

    assert [getattr(r, "status_code", r) for r in responses] == [200] * 3
    assert len({r.json()["refresh_token"] for r in responses}) == 1
    assert server.families(client_id) == [(3, "")]  # restored once, rotated once


def test_parallel_presentations_of_a_lost_child_without_an_overlap_period(server):
    client_id, _, child = _after_a_lost_rotation(server, leeway=0)

    responses = _in_parallel(3, lambda _: server.refresh(client_id, child))

    assert sorted(getattr(r, "status_code", r) for r in responses) == [200, 403, 403]
    assert server.families(client_id) == [(3, "reuse_detected")]  # as for any token


def test_a_thief_racing_the_client_after_a_lost_rotation_is_detected(server):
    """Whoever comes first, the client stays signed in and the family is revoked once both
    have used it: the thief's parent is reuse, or it got the client's own child, whose next
    use is."""
    client_id, parent, child = _after_a_lost_rotation(server, leeway=0)

    client, thief = _in_parallel(2, lambda i: server.refresh(client_id, (child, parent)[i]))

    assert getattr(client, "status_code", client) == 200
    if getattr(thief, "status_code", thief) == 200:
        assert thief.json()["refresh_token"] == child  # one chain, never a fork
        assert server.refresh(client_id, child).status_code == 403
    else:
        assert thief.status_code == 403
    assert server.families(client_id) == [(3, "reuse_detected")]
