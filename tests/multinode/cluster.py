"""Two Gatehouse nodes as an operator runs them: one scratch PostgreSQL database (made by
tests/bench/bench_token.py's `production_env`, migrated by `manage.py bootstrap`), one Redis,
and two gunicorn servers on different ports, DEBUG off, persistent connections, every setting
of the README's "Running more than one node" shared. Everything here talks to the nodes the
way an operator or a client does: `manage.py` as a subprocess, then real HTTP.

To add a scenario (rate limits counted across both nodes, a brute-force block made through
one node holding on the other), take the `cluster` fixture and call `cluster.a` and
`cluster.b`: each `Node` has its `url`, and `cluster.mgmt(node)` is a Management API client
with a fresh all-scopes token. Redis database 10 is emptied when the cluster starts.
"""

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import requests

from tests.bench.bench_token import _admin_sql, production_env

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
# One sync worker per node: CPU is scarce, and one worker makes "B has served and cached it"
# a fact rather than a hope (each worker has its own caches).
WORKERS_PER_NODE = 1
REDIS_URL = "redis://127.0.0.1:6379/10"
TIMEOUT = 20
STARTUP_SECONDS = 60
# The API and callback the scenarios' web application uses (created by each test).
AUDIENCE = "https://inventory.example/api"
CALLBACK = "https://app.example.com/callback"


@dataclass
class Node:
    """One gunicorn server; its stdout and stderr (the server log) go to `log_path`."""

    name: str
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Mgmt:
    """The Management API at one node, over real HTTP with a bearer token."""

    base_url: str
    token: str
    http: requests.Session = field(default_factory=requests.Session)

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.http.request(
            method,
            f"{self.base_url}/api/v2{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=TIMEOUT,
        )

    def ok(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        """The JSON of a call that must answer `status` (any body for 204)."""
        response = self.call(method, path, body)
        assert response.status_code == status, (method, path, response.status_code, response.text)
        return response.json() if response.content else None


def user_path(user_id: str) -> str:
    return "/users/" + quote(user_id, safe="")


def token_request(node: Node, **form: str) -> requests.Response:
    """POST /oauth/token at `node`, form-encoded."""
    return requests.post(f"{node.url}/oauth/token", data=form, timeout=TIMEOUT)


def authorize_url(node: Node, web: dict, **params: str) -> str:
    """`node`'s /authorize for the web application `web` (a Management API client body):
    code flow, CALLBACK, AUDIENCE with read:stock, openid and offline_access; `params`
    override."""
    query = {
        "response_type": "code",
        "client_id": web["client_id"],
        "redirect_uri": CALLBACK,
        "scope": "openid offline_access read:stock",
        "audience": AUDIENCE,
        "state": "s-1",
        **params,
    }
    return f"{node.url}/authorize?{urlencode(query)}"


def redeem(secrets: list[str], node: Node, web: dict, code: str) -> dict:
    """Exchanges a code at `node`; returns the token response, and adds the code and the
    tokens to `secrets` (what must never reach a server log)."""
    response = token_request(
        node,
        grant_type="authorization_code",
        client_id=web["client_id"],
        client_secret=web["client_secret"],
        code=code,
        redirect_uri=CALLBACK,
    )
    assert response.status_code == 200, response.text
    tokens = response.json()
    secrets.extend(
        [code, tokens["access_token"], tokens["id_token"], tokens.get("refresh_token", "")]
    )
    return tokens


def refresh(node: Node, web: dict, refresh_token: str) -> requests.Response:
    """The refresh grant at `node` for `web`, without `scope`."""
    return token_request(
        node,
        grant_type="refresh_token",
        client_id=web["client_id"],
        client_secret=web["client_secret"],
        refresh_token=refresh_token,
    )


@dataclass
class Cluster:
    a: Node
    b: Node
    env: dict[str, str]
    automation: dict[str, str]  # client_id and client_secret of the Management API client
    secrets: list[str] = field(default_factory=list)  # what must never reach a server log

    @property
    def nodes(self) -> tuple[Node, Node]:
        return (self.a, self.b)

    @property
    def public_url(self) -> str:
        return self.env["PUBLIC_URL"]

    def token(self, node: Node, audience: str, client_id: str, client_secret: str) -> str:
        response = requests.post(
            f"{node.url}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": client_secret,
                "audience": audience,
            },
            timeout=TIMEOUT,
        )
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        self.secrets.append(token)
        return token

    def mgmt(self, node: Node) -> Mgmt:
        """A Management API client at `node`, with a token `node` has just issued."""
        token = self.token(
            node,
            self.public_url + "/api/v2/",
            self.automation["client_id"],
            self.automation["client_secret"],
        )
        return Mgmt(node.url, token)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    # gunicorn cannot bind port 0 and report it; take one the kernel says is free now.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _empty_redis_database() -> None:
    """FLUSHDB on database 10 in RESP, so counts from an earlier run cannot leak in; without a
    Redis server this fails, as the cluster needs one."""
    with socket.create_connection(("127.0.0.1", 6379), timeout=5) as conn:
        conn.sendall(b"*2\r\n$6\r\nSELECT\r\n$2\r\n10\r\n*1\r\n$7\r\nFLUSHDB\r\n")
        reply = b""
        while reply.count(b"\r\n") < 2:
            chunk = conn.recv(64)
            if not chunk:
                break
            reply += chunk
    assert reply == b"+OK\r\n+OK\r\n", reply


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """stdout of `manage.py *args` run with `env`; fails the test on a non-zero exit."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def start_node(name: str, env: dict[str, str], port: int, workdir: Path) -> Node:
    """A gunicorn server of Gatehouse with `env` on 127.0.0.1:`port`, its log in `workdir`;
    started, not yet serving (wait_until_serving)."""
    log_path = workdir / f"node-{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "config.wsgi:application",
                "--workers",
                str(WORKERS_PER_NODE),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--worker-tmp-dir",
                "/dev/shm",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return Node(name, f"http://127.0.0.1:{port}", process, log_path)


def wait_until_serving(node: Node) -> None:
    """Returns once `node` answers /.well-known/jwks.json; fails after STARTUP_SECONDS."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        assert node.process.poll() is None, f"node {node.name} exited:\n{node.log()}"
        try:
            if requests.get(f"{node.url}/.well-known/jwks.json", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or the worker is still importing Django
        assert time.monotonic() < deadline, f"node {node.name} did not serve:\n{node.log()}"
        time.sleep(0.2)


def stop_node(node: Node) -> None:
    """Terminates `node` (killed if it has not exited after 30 s) and waits for it."""
    if node.process.poll() is None:
        node.process.terminate()
        try:
            node.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            node.process.kill()
            node.process.wait(timeout=30)


@contextmanager
def two_nodes(workdir: Path) -> Iterator[Cluster]:
    """Creates the scratch database, bootstraps it once (as a deploy does), starts nodes A
    and B over it, and drops the database afterwards. DATABASE_URL must name PostgreSQL."""
    env, database, server_url, scratch_db = production_env(workdir, "gatehouse_multinode")
    assert database == "PostgreSQL" and scratch_db is not None
    try:
        port_a, port_b = free_port(), free_port()
        env.update(
            {
                # The tenant URL both nodes answer for (a load balancer's, in production);
                # node A's own address here, so the issuer is a URL that serves.
                "PUBLIC_URL": f"http://127.0.0.1:{port_a}",
                "ALLOWED_HOSTS": "127.0.0.1",
                "REDIS_URL": REDIS_URL,
                "STATIC_ROOT": str(workdir / "static"),
                "SECURE_HSTS_SECONDS": "0",
                "SESSION_COOKIE_SECURE": "false",
                "LOG_LEVEL": "INFO",
            }
        )
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        _empty_redis_database()
        manage(env, "migrate", "--no-input")
        manage(env, "bootstrap")
        automation = automation_client(env)
        nodes = [start_node("a", env, port_a, workdir), start_node("b", env, port_b, workdir)]
        try:
            for node in nodes:
                wait_until_serving(node)
            yield Cluster(nodes[0], nodes[1], env, automation, [automation["client_secret"]])
        finally:
            for node in nodes:
                stop_node(node)
    finally:
        _admin_sql(server_url, f'DROP DATABASE IF EXISTS "{scratch_db}" WITH (FORCE)')


def automation_client(env: dict[str, str]) -> dict[str, str]:
    """A machine-to-machine client with every Management API scope, made with the README's
    two commands."""
    created = json.loads(manage(env, "create_application", "--name", "Automation", "--json"))
    audience = env["PUBLIC_URL"] + "/api/v2/"
    manage(
        env, "grant", "--client-id", created["client_id"], "--audience", audience, "--all-scopes"
    )
    return {"client_id": created["client_id"], "client_secret": created["client_secret"]}
