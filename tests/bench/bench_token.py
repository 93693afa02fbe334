"""`make bench`: POST /oauth/token throughput under load, against the machine's raw signing rate.

Starts Gatehouse as in production (gunicorn, one sync worker per core, DEBUG off, persistent
database connections; PostgreSQL when DATABASE_URL points at it, else a SQLite file), drives
/oauth/token over loopback with wrk (16 connections, 10 s by default) for an RS256 and an HS256
API, and measures in the same run the raw PyJWT RS256 signing rate with one process per core.
Machine speed drifts, so only same-run ratios are compared with the targets (issue 2, section 8).
Exits 1 when a target is missed. For reference, with no target, it also drives HS256 with the
grant cache off (GRANT_CACHE=false), so every request reads its grant from the database.

In the same run it drives the authorization-code exchange (issue 10 section 5): a confidential
web application with S256 PKCE redeems codes issued just before through applications/codes.py
(as /authorize would) for the RS256 API with `openid profile email`, so each request verifies
the secret and the verifier, spends a code (a write), and signs two RS256 JWTs (access token
and ID token). Codes are single use, so every request carries its own: each wrk thread takes
its share of a file of codes and stops when it runs out. Its target is zero errors.

And the refresh grant with rotation (issue 11 section 6): the same web application, rotating
(leeway 0), exchanges refresh tokens pre-issued just before (one family each, stored as
digests like any), one per request, for `offline_access read:bench` at the RS256 API: each
request verifies the secret, spends the token and writes the next generation (one statement
on PostgreSQL, applications/refresh_token_queries.py) and signs one RS256 access token.
Three refresh runs alternate with four RS256 client-credentials runs on the same server, and
the means are compared (this machine's speed drifts within a minute). Target: at least
REFRESH_RATIO_TARGET of that client-credentials rate, and zero errors.

And the cost of log events (issue 12 section 1): every run above records its Auth0 log
events (LOG_EVENTS on, the default: buffered, logs/buffer.py). The same run serves Gatehouse
again with LOG_EVENTS=false and drives RS256 client credentials against it, then once more
with events on (on, off, on: drift weighs on both sides). Target: the mean of the two RS256
rates with logging on is at least LOG_RATIO_TARGET of the rate with it off.

What bounds the refresh rate: CPU per request, since gunicorn, the database and wrk share the
cores (on top of what client credentials does: the statement's driver work and the rows it
returns, the server's join, UPDATE, INSERT and commit, the grant checks). The rotation commits
asynchronously (REFRESH_TOKEN_ASYNC_COMMIT, the default); with it off, each sync worker also
waits for its commit's WAL flush, leaving cores idle. See the README ("What a refresh costs")
for what was measured.
"""

import json
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
CONNECTIONS = 16
WRK_THREADS = 2
DURATION_SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
RS256_RATIO_TARGET = 0.22
P99_TARGET_MS = 25.0
HS256_RATE_TARGET = 2500.0
RS256_AUDIENCE = "https://bench.example/rs256"
HS256_AUDIENCE = "https://bench.example/hs256"
REFRESH_RATIO_TARGET = 0.6
REFRESH_ROUNDS = 3  # refresh runs, each between two client-credentials runs
# Recording token events may cost /oauth/token at most 10 % (issue 12 section 1).
LOG_RATIO_TARGET = 0.9

SETUP = """
import json
from apis import resource_servers
from apis.models import Api
from apis.resource_servers import ScopeSpec
from applications import clients
out = {}
for identifier, alg in ((%(rs)r, "RS256"), (%(hs)r, "HS256")):
    api = Api.objects.filter(identifier=identifier).first()
    if api is None:
        api, _ = resource_servers.create_api(
            name="Bench " + alg, identifier=identifier, signing_alg=alg,
            scopes=[ScopeSpec("read:bench"), ScopeSpec("write:bench")])
application, secret = clients.create_application(name="Bench client")
for identifier in (%(rs)r, %(hs)r):
    api = Api.objects.get(identifier=identifier)
    clients.authorize(application, api, ["read:bench", "write:bench"])
from applications.models import AppType
from users import sessions
from users.models import User
web, web_secret = clients.create_application(
    name="Bench web", app_type=AppType.REGULAR_WEB,
    refresh_token={"rotation_type": "rotating", "expiration_type": "expiring", "leeway": 0})
Api.objects.filter(identifier=%(rs)r).update(allow_offline_access=True)
user = User.objects.create(email="bench@example.com", name="Bench", nickname="bench",
                           email_verified=True, password="!")
sessions.start(user)
print(json.dumps({"client_id": application.client_id, "client_secret": secret,
                  "web_client_id": web.client_id, "web_client_secret": web_secret}))
"""

# Issues `count` codes for the web application and writes them to `path`, one a line.
ISSUE_CODES = """
import base64, hashlib
from django.db import transaction
from applications import codes
from applications.models import Application
from users.models import Session
application = Application.objects.get(client_id=%(client_id)r)
session = Session.objects.select_related("user").get(user__email="bench@example.com")
challenge = base64.urlsafe_b64encode(
    hashlib.sha256(%(verifier)r.encode()).digest()).rstrip(b"=").decode()
with transaction.atomic():
    issued = [
        codes.issue(application=application, user=session.user, session_id=session.id,
                    redirect_uri=%(callback)r, code_challenge=challenge,
                    code_challenge_method="S256", nonce="bench-nonce",
                    scopes=["openid", "profile", "email", "read:bench"], audience=%(audience)r,
                    auth_time=session.authenticated_at, include_auth_time=False)
        for _ in range(%(count)d)
    ]
with open(%(path)r, "w") as out:
    out.write("\\n".join(issued) + "\\n")
"""
# Starts `count` rotating families for the web application (as `count` code exchanges
# would, in bulk: the 200-per-user limit is not what is measured) and writes their tokens.
ISSUE_REFRESH_TOKENS = """
from django.db import transaction
from django.utils import timezone
from applications import refresh_token_format as tokens_format
from applications.models import Application, RefreshToken, RefreshTokenFamily
from users.models import Session
application = Application.objects.get(client_id=%(client_id)r)
session = Session.objects.select_related("user").get(user__email="bench@example.com")
now = timezone.now()
with transaction.atomic():
    families = RefreshTokenFamily.objects.bulk_create(
        RefreshTokenFamily(user=session.user, application=application, audience=%(audience)r,
                           scopes=["offline_access", "read:bench"], session_id=session.id,
                           rotating=True, auth_time=now, generation=1, created_at=now)
        for _ in range(%(count)d))
    tokens = [tokens_format.first_token(family.id) for family in families]
    RefreshToken.objects.bulk_create(
        RefreshToken(digest=tokens_format.token_digest(token), family=family, generation=1,
                     issued_at=now, child_digest=tokens_format.child_digest(token, family.id))
        for token, family in zip(tokens, families))
with open(%(path)r, "w") as out:
    out.write("\\n".join(tokens) + "\\n")
"""
CODE_CALLBACK = "https://bench.example/callback"
CODE_VERIFIER = "bench-verifier-" + "v" * 40
# Codes issued per expected exchange: the code exchange is slower than client credentials
# (two signatures and a write), so the client-credentials rate of the same run, times this,
# is more than enough.
CODES_PER_CC_TOKEN = 1.5

# Each thread (ids 0..threads-1) POSTs the codes of lines id, id+threads, ...; when its
# codes run out it stops, so no request ever carries a spent code.
WRK_CODE_SCRIPT = """
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
function init(args)
  codes = {}
  local line_number = 0
  for line in io.lines(%(path)s) do
    if line_number %% %(threads)d == id then table.insert(codes, line) end
    line_number = line_number + 1
  end
  position = 0
end
function request()
  position = position + 1
  if position >= #codes then wrk.thread:stop() end
  local code = codes[math.min(position, #codes)]
  return wrk.format("POST", nil,
    {["Content-Type"] = "application/x-www-form-urlencoded"}, %(prefix)s .. code)
end
"""

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = %s
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
"""


def _sign_for(seconds: float) -> int:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {
        "iss": "http://127.0.0.1:8000/",
        "sub": "x" * 32 + "@clients",
        "aud": RS256_AUDIENCE,
        "iat": 1,
        "exp": 2,
        "scope": "read:bench write:bench",
        "gty": "client-credentials",
        "azp": "x" * 32,
        "jti": "y" * 22,
    }
    count = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k"})
        count += 1
    return count


def raw_signing_rate(processes: int, seconds: float = 5.0) -> float:
    with multiprocessing.Pool(processes) as pool:
        counts = pool.map(_sign_for, [seconds] * processes)
    return sum(counts) / seconds


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def child_pids(parent_pid: int) -> list[int]:
    """The pids of `parent_pid`'s children (a gunicorn master's workers, a postmaster's
    backends), sorted, from /proc/<pid>/stat's ppid field."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited while listed
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == parent_pid:
            children.append(int(entry.name))
    return sorted(children)


def _admin_sql(url: str, statement: str) -> None:
    import psycopg

    parts = urlsplit(url)
    conninfo = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(statement)


def _ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is needed for the benchmark: apt-get install wrk")
    return found


def run_wrk(
    wrk: str,
    url: str,
    body: str,
    workdir: Path,
    lua: str | None = None,
    duration_seconds: int = DURATION_SECONDS,
) -> dict[str, float]:
    script = workdir / "post.lua"
    script.write_text(lua if lua is not None else WRK_SCRIPT % json.dumps(body))
    result = subprocess.run(
        [
            wrk,
            f"-t{WRK_THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{duration_seconds}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout

    def latency_ms(label: str) -> float:
        match = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if not match:
            raise RuntimeError(f"no {label} latency in wrk output:\n{out}")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(group) for group in socket_errors.groups())
    return {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency_ms("50%"),
        "p99": latency_ms("99%"),
        "errors": errors,
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }


@contextmanager
def gunicorn_server(env: dict[str, str], workers: int) -> Iterator[tuple[str, int]]:
    """gunicorn as in production, serving until the block ends; yields its base URL and the
    master's pid (its workers are the master's children: tests/bench/soak.py reads them)."""
    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi:application",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            # gunicorn's advice: the worker heartbeat file on tmpfs, not a disk inode write
            # per request.
            "--worker-tmp-dir",
            "/dev/shm",
        ],
        env=env,
        cwd=ROOT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urlopen(f"{base_url}/.well-known/jwks.json", timeout=1).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        yield base_url, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def _serving(env: dict[str, str], workers: int) -> Iterator[str]:
    """gunicorn as in production, serving until the block ends; yields its base URL."""
    with gunicorn_server(env, workers) as (base_url, _):
        yield base_url


def _token_form(audience: str, credentials: dict[str, str]) -> str:
    return urlencode({"grant_type": "client_credentials", "audience": audience, **credentials})


def _spend_each(
    wrk: str,
    base_url: str,
    env: dict[str, str],
    manage: list[str],
    workdir: Path,
    issue: tuple[str, dict[str, object]],
    form: dict[str, str],
    parameter: str,
) -> dict[str, float]:
    """Runs the issuing script `issue` (a template and its values but `path`, where it writes
    single-use values, one a line) just before the run, then POSTs `form` to /oauth/token
    with each value once as `parameter`."""
    values_path = workdir / f"{parameter}.txt"
    template, values = issue
    script = template % {**values, "path": str(values_path)}
    subprocess.run([*manage, "shell", "-c", script], env=env, cwd=ROOT, check=True)
    lua = WRK_CODE_SCRIPT % {
        "path": json.dumps(str(values_path)),
        "threads": WRK_THREADS,
        "prefix": json.dumps(urlencode(form) + f"&{parameter}="),
    }
    return run_wrk(wrk, f"{base_url}/oauth/token", "", workdir, lua=lua)


CODE_LABEL = "authorization_code (RS256 API + openid, S256 PKCE)"


def _run_code_exchange(
    wrk: str,
    base_url: str,
    env: dict[str, str],
    manage: list[str],
    credentials: dict[str, str],
    workdir: Path,
    count: int,
) -> dict[str, float]:
    """Issues `count` codes (they live 60 s, so just before the run) and redeems them."""
    issue = (
        ISSUE_CODES,
        {
            "client_id": credentials["web_client_id"],
            "verifier": CODE_VERIFIER,
            "callback": CODE_CALLBACK,
            "audience": RS256_AUDIENCE,
            "count": count,
        },
    )
    form = {
        "grant_type": "authorization_code",
        "client_id": credentials["web_client_id"],
        "client_secret": credentials["web_client_secret"],
        "redirect_uri": CODE_CALLBACK,
        "code_verifier": CODE_VERIFIER,
    }
    return _spend_each(wrk, base_url, env, manage, workdir, issue, form, "code")


REFRESH_LABEL = "refresh_token (rotating, RS256 API, no openid)"


def _run_refresh(
    wrk: str,
    base_url: str,
    env: dict[str, str],
    manage: list[str],
    credentials: dict[str, str],
    workdir: Path,
    count: int,
) -> dict[str, float]:
    """Starts `count` families just before the run and exchanges each first token once."""
    issue = (
        ISSUE_REFRESH_TOKENS,
        {
            "client_id": credentials["web_client_id"],
            "audience": RS256_AUDIENCE,
            "count": count,
        },
    )
    form = {
        "grant_type": "refresh_token",
        "client_id": credentials["web_client_id"],
        "client_secret": credentials["web_client_secret"],
    }
    return _spend_each(wrk, base_url, env, manage, workdir, issue, form, "refresh_token")


def _combined(runs: list[dict[str, float]]) -> dict[str, float]:
    """Several wrk runs of the same requests as one row: the mean rate and p50, the worst
    p99, and the requests and errors added up."""
    return {
        "rate": sum(run["rate"] for run in runs) / len(runs),
        "p50": sum(run["p50"] for run in runs) / len(runs),
        "p99": max(run["p99"] for run in runs),
        "requests": sum(run["requests"] for run in runs),
        "errors": sum(run["errors"] for run in runs),
    }


def production_env(
    workdir: Path, scratch_prefix: str
) -> tuple[dict[str, str], str, str, str | None]:
    """The environment of a production-like Gatehouse for a bench: DEBUG off, fresh keys, and
    a throwaway database (on the same PostgreSQL server when DATABASE_URL points at one, so
    the bench never writes to yours; else a SQLite file in `workdir`). Returns (environment,
    "PostgreSQL" or "SQLite", the original DATABASE_URL, the scratch database name or None);
    the caller drops the scratch database with _admin_sql when done. Rate limits count
    but never refuse."""
    from cryptography.fernet import Fernet

    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "k" * 60,
        "KEY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "true",
        "USER_SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
        # Rate limits on and counting (their cost is part of what is measured), but too high
        # for the bench's one client and one address ever to be refused. REDIS_URL, when set
        # in the environment, counts on Redis; otherwise in each worker's memory.
        **{
            f"RATE_LIMIT_{name}": "100000000/60"
            for name in (
                "TOKEN_PER_CLIENT",
                "TOKEN_PER_IP",
                "MANAGEMENT_API_PER_TOKEN",
                "SIGN_IN_PER_IP",
            )
        },
    }
    server_url = env.get("DATABASE_URL", "")
    database = "PostgreSQL" if server_url.startswith(("postgres", "pgsql")) else "SQLite"
    scratch_db = None
    if database == "PostgreSQL":
        scratch_db = f"{scratch_prefix}_{os.getpid()}"
        env["DATABASE_URL"] = _with_database(server_url, scratch_db)
        _admin_sql(server_url, f'CREATE DATABASE "{scratch_db}"')
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    return env, database, server_url, scratch_db


def main() -> int:
    cores = os.cpu_count() or 1
    # BENCH_WORKERS: gunicorn's sync workers (one per core unless set), to compare settings.
    workers = int(os.environ.get("BENCH_WORKERS", cores))
    wrk = _ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="gatehouse-bench-"))
    env, database, server_url, scratch_db = production_env(workdir, "gatehouse_bench")
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "bootstrap"], env=env, cwd=ROOT, check=True, capture_output=True)
    setup = SETUP % {"rs": RS256_AUDIENCE, "hs": HS256_AUDIENCE}
    created = subprocess.run(
        [*manage, "shell", "-c", setup],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    credentials = json.loads(created.stdout.strip().splitlines()[-1])

    results = {}
    try:
        with _serving(env, workers) as base_url:
            for label, audience in (("RS256", RS256_AUDIENCE), ("HS256", HS256_AUDIENCE)):
                results[label] = run_wrk(
                    wrk, f"{base_url}/oauth/token", _token_form(audience, credentials), workdir
                )
            code_count = (
                int(results["RS256"]["rate"] * DURATION_SECONDS * CODES_PER_CC_TOKEN) + CONNECTIONS
            )
            code_exchange = _run_code_exchange(
                wrk, base_url, env, manage, credentials, workdir, code_count
            )
            # The refresh rate is compared with client credentials on the same server, the two
            # alternating (CC, refresh, CC, ..., CC): this machine's speed drifts by 10 % and
            # more within a minute, and alternating makes drift weigh on both sides alike.
            cc_form = _token_form(RS256_AUDIENCE, credentials)
            around = [run_wrk(wrk, f"{base_url}/oauth/token", cc_form, workdir)]
            refreshes = []
            for _ in range(REFRESH_ROUNDS):
                refreshes.append(
                    _run_refresh(wrk, base_url, env, manage, credentials, workdir, code_count)
                )
                around.append(run_wrk(wrk, f"{base_url}/oauth/token", cc_form, workdir))
            refresh, rs_around = _combined(refreshes), _combined(around)
        # For reference only (no target): every request reads its grant from the database.
        with _serving({**env, "GRANT_CACHE": "false"}, workers) as base_url:
            uncached = run_wrk(
                wrk, f"{base_url}/oauth/token", _token_form(HS256_AUDIENCE, credentials), workdir
            )
        # The same requests as the RS256 row, with no log event recorded; then with them
        # again, on a fresh server, so that the comparison is on, off, on (whatever drifts
        # during the run, the table growing or the machine, weighs on both sides alike).
        with _serving({**env, "LOG_EVENTS": "false"}, workers) as base_url:
            unlogged = run_wrk(
                wrk, f"{base_url}/oauth/token", _token_form(RS256_AUDIENCE, credentials), workdir
            )
        with _serving(env, workers) as base_url:
            relogged = run_wrk(
                wrk, f"{base_url}/oauth/token", _token_form(RS256_AUDIENCE, credentials), workdir
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if scratch_db:
            _admin_sql(server_url, f'DROP DATABASE IF EXISTS "{scratch_db}" WITH (FORCE)')

    raw = raw_signing_rate(cores)
    rs, hs = results["RS256"], results["HS256"]
    ratio = rs["rate"] / raw
    print(
        f"Gatehouse /oauth/token benchmark: {database}, {cores} cores, gunicorn {workers} sync "
        f"workers, wrk {CONNECTIONS} connections x {DURATION_SECONDS}s"
    )
    print(f"raw PyJWT RS256 signing, {cores} processes: {raw:,.0f} signatures/s")
    rows = (
        *results.items(),
        ("HS256 with GRANT_CACHE=false (reference)", uncached),
        ("RS256 with LOG_EVENTS=false", unlogged),
        ("RS256 with log events again, after that", relogged),
        (CODE_LABEL, code_exchange),
        (f"RS256 around the refresh runs ({len(around)} runs, mean)", rs_around),
        (f"{REFRESH_LABEL} ({len(refreshes)} runs, mean)", refresh),
    )
    for label, row in rows:
        print(
            f"{label}: {row['rate']:,.0f} tokens/s  p50 {row['p50']:.2f} ms  "
            f"p99 {row['p99']:.2f} ms  errors {row['errors']} of {row['requests']}"
        )
    print(f"RS256 tokens/s / raw signing rate = {ratio:.3f}")
    print(
        f"authorization_code: {code_exchange['requests']:,} of {code_count:,} codes issued "
        f"redeemed; {code_exchange['rate'] / rs['rate']:.2f}x the RS256 client-credentials rate"
    )
    refresh_ratio = refresh["rate"] / rs_around["rate"]
    refresh_rates = ", ".join(f"{row['rate']:,.0f}" for row in refreshes)
    around_rates = ", ".join(f"{row['rate']:,.0f}" for row in around)
    print(
        f"refresh_token: {len(refreshes)} runs of at most {code_count:,} refresh tokens each "
        f"({refresh_rates} tokens/s), between client-credentials runs ({around_rates} "
        f"tokens/s); {refresh_ratio:.2f}x the RS256 client-credentials rate"
    )
    logged_rate = (rs["rate"] + relogged["rate"]) / 2
    log_ratio = logged_rate / unlogged["rate"]
    print(
        f"log events: RS256 {logged_rate:,.0f} tokens/s recorded (mean of the runs before and "
        f"after), {unlogged['rate']:,.0f} tokens/s with LOG_EVENTS=false; on / off = "
        f"{log_ratio:.3f}"
    )
    checks = [
        (f"RS256 ratio >= {RS256_RATIO_TARGET}", ratio >= RS256_RATIO_TARGET),
        (f"RS256 p99 < {P99_TARGET_MS} ms", rs["p99"] < P99_TARGET_MS),
        (f"HS256 >= {HS256_RATE_TARGET:,.0f} tokens/s", hs["rate"] >= HS256_RATE_TARGET),
        (f"HS256 p99 < {P99_TARGET_MS} ms", hs["p99"] < P99_TARGET_MS),
        ("zero errors", rs["errors"] == 0 and hs["errors"] == 0),
        ("authorization_code: zero errors", code_exchange["errors"] == 0),
        (
            f"refresh_token >= {REFRESH_RATIO_TARGET} x RS256 client credentials",
            refresh_ratio >= REFRESH_RATIO_TARGET,
        ),
        ("refresh_token: zero errors", refresh["errors"] == 0),
        (
            f"log events: RS256 with logging >= {LOG_RATIO_TARGET} x without",
            log_ratio >= LOG_RATIO_TARGET,
        ),
        (
            "RS256 with and without log events: zero errors",
            unlogged["errors"] == 0 and relogged["errors"] == 0,
        ),
        (
            "RS256 around the refresh runs: zero errors",
            rs_around["errors"] == 0,
        ),
    ]
    for name, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
