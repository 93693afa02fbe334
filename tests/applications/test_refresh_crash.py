"""A rotation that a real PostgreSQL crash lost is written again when the client presents the
child it holds (applications/refresh_token_recovery.py), end to end over HTTP.

How: a private PostgreSQL cluster in a temporary directory (initdb; nothing of the server
under test is used but its binaries), Gatehouse bootstrapped into it and served by gunicorn
(tests/multinode/cluster.py's helpers), and a person who signs in and consents
(tests/e2e/end_user.py), so the code exchange starts a rotating family. Then the crash, made
deterministic: the WAL writer is stopped (SIGSTOP), so the rotation, committed
asynchronously, stays in the WAL buffers in shared memory; the client rotates its first token
(200: it now holds the child); the postmaster and all its children are killed (SIGKILL), which
loses those buffers, as a crash of the database server does. Crash recovery on restart
replays only the WAL that was written out: the rotation is gone. That is checked, and the test
fails if it was not lost, since such a run would prove nothing.

What is proved, against a new Gatehouse server: the child is exchanged (200, a new refresh
token) and the restoration is logged; the parent, spent again by the restoration, is then
reuse: 403 invalid_grant, the family revoked as reuse_detected, the user's grant deleted. No
server log holds a token or another secret.
"""

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import psycopg
import pytest
import requests
from django.db import connection
from psycopg import sql

from applications.models import RefreshToken, RefreshTokenFamily, UserGrant
from applications.refresh_token_format import family_id_of
from applications.refresh_tokens import REUSE_DETECTED
from tests.bench.bench_token import child_pids, production_env
from tests.e2e.end_user import PASSWORD, Person
from tests.multinode.cluster import (
    AUDIENCE,
    CALLBACK,
    STARTUP_SECONDS,
    TIMEOUT,
    Mgmt,
    Node,
    authorize_url,
    automation_client,
    free_port,
    manage,
    redeem,
    refresh,
    start_node,
    stop_node,
    token_request,
    wait_until_serving,
)

# PostgreSQL refuses to run as root: as root, initdb and the server run as this OS user.
SERVER_OS_USER = "postgres"
EMAIL = "ada@example.com"
RESTORED = "generation 2 restored (its rotation was lost)"


def _bindir() -> Path | None:
    """PostgreSQL's server binaries: beside the initdb on the PATH, else Debian's newest."""
    on_path = shutil.which("initdb")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "postgres").is_file():
            return directory
    return None


def _as_server_user() -> dict[str, Any]:
    """subprocess arguments that run a PostgreSQL binary as SERVER_OS_USER when we are root
    (the Popen'd process is then the program itself, not a wrapper: its pid is the
    postmaster's)."""
    return {"user": SERVER_OS_USER, "group": SERVER_OS_USER} if os.geteuid() == 0 else {}


def _gone(pid: int) -> bool:
    """True once `pid` has exited (a zombie has: it holds no shared memory any more)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] == "Z"


@dataclass
class PrivateCluster:
    """A PostgreSQL cluster of our own in `root` (owned by its OS user), listening on
    127.0.0.1:`port` and on a unix socket in `root`."""

    bindir: Path
    root: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def log_path(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def initdb(self) -> None:
        subprocess.run(
            # --no-sync: what is simulated is the database server's crash, not the machine's;
            # the kernel keeps what initdb wrote either way.
            [str(self.bindir / "initdb"), "-D", str(self.root / "data"), "-U", "postgres"]
            + ["--auth=trust", "--encoding=UTF8", "--no-sync"],
            capture_output=True,
            check=True,
            **_as_server_user(),
        )

    def start(self) -> None:
        """Starts the postmaster (recovering from a crash if there was one) and waits until
        it accepts connections."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(self.bindir / "postgres"), "-D", str(self.root / "data"), "-p", str(self.port)]
                + ["-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.root}"]
                # Nothing but the WAL writer may write out the WAL buffers before the crash:
                # an autovacuum worker's synchronous commit would flush them, a checkpoint or
                # the background writer's write of a dirty page would write them out first.
                + ["-c", "autovacuum=off", "-c", "checkpoint_timeout=1d"]
                + ["-c", "bgwriter_lru_maxpages=0"],
                stdout=log,
                stderr=subprocess.STDOUT,
                **_as_server_user(),
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert self.process.poll() is None, f"postgres exited:\n{self.log()}"
            try:
                psycopg.connect(self.url(), connect_timeout=5).close()
                return
            except psycopg.OperationalError:
                pass  # not listening yet, or still in crash recovery
            assert time.monotonic() < deadline, f"postgres did not start:\n{self.log()}"
            time.sleep(0.1)

    def walwriter_pid(self) -> int:
        with psycopg.connect(self.url()) as conn:
            row = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE backend_type = 'walwriter'"
            ).fetchone()
        assert row is not None, "no WAL writer in pg_stat_activity"
        return row[0]

    def crash(self) -> None:
        """kill -9 of the postmaster and every child: shared memory, the WAL buffers with it,
        is lost. The postmaster is stopped first so that it neither forks nor reacts to its
        children's deaths; each child is killed while it still is the postmaster's."""
        if self.process is None or self.process.poll() is not None:
            return
        postmaster = self.process.pid
        os.kill(postmaster, signal.SIGSTOP)
        children = child_pids(postmaster)
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # exited on its own meanwhile
        os.kill(postmaster, signal.SIGKILL)
        self.process.wait(timeout=TIMEOUT)
        # A child still attached to the old shared memory would stop the restart.
        deadline = time.monotonic() + TIMEOUT
        while not all(_gone(pid) for pid in children):
            assert time.monotonic() < deadline, f"killed postgres processes linger: {children}"
            time.sleep(0.05)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Gatehouse:
    """Gatehouse servers (one gunicorn each) over the private cluster, one after another;
    `env` is theirs, PUBLIC_URL the first server's address."""

    env: dict[str, str]
    workdir: Path
    first_port: int
    nodes: list[Node] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)  # what must never reach a server log

    def start(self, name: str) -> Node:
        port = self.first_port if not self.nodes else free_port()
        node = start_node(name, self.env, port, self.workdir)
        self.nodes.append(node)
        wait_until_serving(node)
        return node

    def logs(self) -> str:
        return "".join(node.log() for node in self.nodes)


def _cannot_run(why: str) -> NoReturn:
    # A developer's machine may lack a PostgreSQL server; CI, which runs the suite on one,
    # must not turn green without the only real-crash proof (as tests/e2e/conftest.py).
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why}, and CI=true: the crash test must run")
    pytest.skip(why)


@pytest.fixture
def private_cluster() -> Iterator[PrivateCluster]:
    if connection.vendor != "postgresql":
        pytest.skip("asynchronous commit, and so a lost rotation, is PostgreSQL's")
    bindir = _bindir()
    if bindir is None:
        _cannot_run("PostgreSQL's initdb and postgres are not installed")
    if os.geteuid() == 0:
        try:
            server_user = pwd.getpwnam(SERVER_OS_USER)
        except KeyError:
            _cannot_run(f"running as root and no {SERVER_OS_USER!r} OS user to run PostgreSQL")
    root = Path(tempfile.mkdtemp(prefix="gatehouse-crash-"))
    cluster = PrivateCluster(bindir, root, free_port())
    try:
        if os.geteuid() == 0:
            os.chown(root, server_user.pw_uid, server_user.pw_gid)
        cluster.initdb()
        cluster.start()
        yield cluster
    finally:
        cluster.crash()  # a throwaway cluster: no need for a clean shutdown
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def gatehouse(
    private_cluster: PrivateCluster, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Gatehouse]:
    """Gatehouse bootstrapped (migrated, keys made) into a scratch database of the private
    cluster; servers are started by the test and all stopped at the end."""
    workdir = private_cluster.root / "gatehouse"
    workdir.mkdir()
    # production_env makes its scratch database on DATABASE_URL's server: the private one.
    monkeypatch.setenv("DATABASE_URL", private_cluster.url())
    env, _, _, _ = production_env(workdir, "gatehouse_crash")
    first_port = free_port()
    env.update(
        {
            "PUBLIC_URL": f"http://127.0.0.1:{first_port}",
            "STATIC_ROOT": str(workdir / "static"),
            # Plain HTTP on loopback: no HSTS, and the person's session cookie without TLS.
            "SECURE_HSTS_SECONDS": "0",
            "SESSION_COOKIE_SECURE": "false",
            "LOG_LEVEL": "INFO",  # the more the server logs, the more the secret check reads
            # Log events are written by a thread with a synchronous commit, which would flush
            # the WAL and make the rotation durable before the crash.
            "LOG_EVENTS": "false",
        }
    )
    # One sync worker: rate limits count in its memory; no Redis server is needed.
    env.pop("REDIS_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    manage(env, "bootstrap")  # migrates, as a deploy does
    house = Gatehouse(env, workdir, first_port)
    try:
        yield house
    finally:
        for node in house.nodes:
            stop_node(node)


@dataclass(frozen=True)
class FamilyState:
    generation: int
    revoked_reason: str  # "" while not revoked
    tokens: int  # rows of the family's refresh tokens
    grants: int  # the user's grants for the family's client


def family_state(database_url: str, family_id: str) -> FamilyState:
    """Read straight from the private cluster, as no server caches it."""
    query = sql.SQL(
        "SELECT f.generation, f.revoked_reason,"
        " (SELECT count(*) FROM {tokens} t WHERE t.family_id = f.id),"
        " (SELECT count(*) FROM {grants} g"
        "   WHERE g.user_id = f.user_id AND g.application_id = f.application_id)"
        " FROM {families} f WHERE f.id = %s"
    ).format(
        tokens=sql.Identifier(RefreshToken._meta.db_table),
        grants=sql.Identifier(UserGrant._meta.db_table),
        families=sql.Identifier(RefreshTokenFamily._meta.db_table),
    )
    with psycopg.connect(database_url) as conn:
        row = conn.execute(query, [family_id]).fetchone()
    assert row is not None, f"no family {family_id}"
    return FamilyState(*row)


def management_api(house: Gatehouse, node: Node) -> Mgmt:
    """The Management API at `node`, with a token of an all-scopes automation client."""
    automation = automation_client(house.env)
    response = token_request(
        node,
        grant_type="client_credentials",
        audience=house.env["PUBLIC_URL"] + "/api/v2/",
        **automation,
    )
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    house.secrets += [automation["client_secret"], token]
    return Mgmt(node.url, token)


def web_application(house: Gatehouse, node: Node) -> dict:
    """An API allowing offline access, a regular web application that rotates its refresh
    tokens with no overlap period (so a spent token's replay is always reuse), and an end
    user, all made through the Management API."""
    mgmt = management_api(house, node)
    mgmt.ok(
        "POST",
        "/resource-servers",
        {
            "name": "Inventory",
            "identifier": AUDIENCE,
            "scopes": [{"value": "read:stock"}],
            "allow_offline_access": True,
        },
        status=201,
    )
    web = mgmt.ok(
        "POST",
        "/clients",
        {
            "name": "Shop",
            "app_type": "regular_web",
            "callbacks": [CALLBACK],
            "refresh_token": {
                "rotation_type": "rotating",
                "expiration_type": "expiring",
                "leeway": 0,
            },
        },
        status=201,
    )
    mgmt.ok(
        "POST",
        "/users",
        {"connection": "Username-Password-Authentication", "email": EMAIL, "password": PASSWORD},
        status=201,
    )
    house.secrets += [web["client_secret"], PASSWORD]
    return web


def first_refresh_token(house: Gatehouse, node: Node, web: dict) -> str:
    """The person signs in and consents; the code exchange starts the family."""
    journey = Person(email=EMAIL).authorize(authorize_url(node, web), CALLBACK)
    return redeem(house.secrets, node, web, journey.params["code"])["refresh_token"]


def refreshed(house: Gatehouse, node: Node, web: dict, token: str) -> requests.Response:
    """The refresh grant without `scope`: the common rotation, committed asynchronously."""
    response = refresh(node, web, token)
    if response.status_code == 200:
        body = response.json()
        house.secrets += [body["access_token"]] + ([body["id_token"]] if "id_token" in body else [])
    return response


def secret_part(refresh_token: str) -> str:
    """What makes a refresh token: the family id before the "." is public and logged."""
    return refresh_token.partition(".")[2]


def test_a_rotation_lost_in_a_crash_is_restored_and_its_parent_is_then_reuse(
    private_cluster: PrivateCluster, gatehouse: Gatehouse
) -> None:
    before = gatehouse.start("before")
    web = web_application(gatehouse, before)
    first = first_refresh_token(gatehouse, before, web)
    family_id = family_id_of(first)
    assert family_id is not None, "a refresh token names its family"
    database_url = gatehouse.env["DATABASE_URL"]

    # The crash. With the WAL writer stopped, nobody writes out the WAL buffers: the
    # rotation's asynchronous commit returns at once and its WAL stays in shared memory.
    os.kill(private_cluster.walwriter_pid(), signal.SIGSTOP)
    rotated = refreshed(gatehouse, before, web, first)
    assert rotated.status_code == 200, rotated.text
    child = rotated.json()["refresh_token"]
    private_cluster.crash()
    stop_node(before)  # its connection died with the database server
    private_cluster.start()
    after = gatehouse.start("after")

    lost = family_state(database_url, family_id)
    if (lost.generation, lost.tokens) != (1, 1):
        pytest.fail(
            "the crash did not lose the rotation (the family is at generation "
            f"{lost.generation} with {lost.tokens} token rows after recovery), so there was "
            "nothing to restore and this run proves nothing; postgres log:\n"
            + private_cluster.log()
        )
    assert lost == FamilyState(1, "", 1, 1), lost  # not revoked, the user's grant there

    # The client holds the child the database lost: it stays signed in.
    restored = refreshed(gatehouse, after, web, child)
    assert restored.status_code == 200, restored.text
    grandchild = restored.json()["refresh_token"]
    assert family_id_of(grandchild) == family_id
    assert grandchild not in (first, child)

    # The restoration spent the parent again: its replay is reuse, outside any overlap period.
    replayed = refreshed(gatehouse, after, web, first)
    assert replayed.status_code == 403, replayed.text
    assert replayed.json()["error"] == "invalid_grant"
    # Generation 2 restored, 3 issued for it; then the whole family revoked with the grant.
    assert family_state(database_url, family_id) == FamilyState(3, REUSE_DETECTED, 3, 0)

    assert f"refresh token family {family_id} of client {web['client_id']}: {RESTORED}" in (
        after.log()
    ), after.log()
    logs = gatehouse.logs()
    gatehouse.secrets += [secret_part(token) for token in (first, child, grandchild)]
    leaked = [index for index, secret in enumerate(gatehouse.secrets) if secret in logs]
    assert not leaked, f"secrets {leaked} of {len(gatehouse.secrets)} reached a server log"
