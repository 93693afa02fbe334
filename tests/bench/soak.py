"""`make soak`: /oauth/token held at 80 % of its maximum rate for SOAK_SECONDS on PostgreSQL.

Issue 12 section 4. Starts Gatehouse as `make bench` does (tests/bench/bench_token.py: a
scratch PostgreSQL database, gunicorn with one sync worker per core, DEBUG off, persistent
connections), measures the maximum RS256 client-credentials rate with wrk for BENCH_SECONDS
(default 10), then drives the same request at 80 % of it for SOAK_SECONDS (default 600).

The rate is constant: each wrk thread paces its requests on a schedule of its own (wrk's Lua
`delay()`, with the monotonic clock read through LuaJIT's FFI), so a slow answer is caught up
on afterwards, as far as the open connections allow, rather than lowering the offered rate.

Reported, and the exit status (1 when a check fails):
- errors: non-2xx answers and socket errors (connect, read, write, 2 s timeouts); must be 0;
- memory: each gunicorn worker's resident set (VmRSS in /proc/<pid>/status), sampled during
  the run; the growth from the first sample after the warm-up (a tenth of the run, at least
  5 s) to the end must stay under 10 %. A worker that was replaced (crashed, or killed by
  gunicorn's timeout) fails the check too, since its memory history is lost.
The achieved rate and latencies are printed for reference, with no target.

A benchmark, not a test: it measures this machine under whatever else runs on it.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench_token import (
    CONNECTIONS,
    DURATION_SECONDS,
    HS256_AUDIENCE,
    PYTHON,
    ROOT,
    RS256_AUDIENCE,
    SETUP,
    WRK_THREADS,
    _admin_sql,
    _ensure_wrk,
    _token_form,
    child_pids,
    gunicorn_server,
    production_env,
    run_wrk,
)

LOAD_FRACTION = 0.8
MEMORY_GROWTH_LIMIT = 0.10
MIN_WARMUP_SECONDS = 5
SAMPLES = 10

# Each thread sends its requests at `interval` ms apart on its own schedule, whichever
# connection is free: delay() is called before every request and returns how long to wait.
# A late answer makes the next delays 0 until the schedule is met again.
PACED_SCRIPT = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } soak_timespec;
int clock_gettime(int clock_id, soak_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local now_ts = ffi.new("soak_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_ts)
  return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end

wrk.method = "POST"
wrk.body = %(body)s
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

local interval = %(interval_ms)f
local next_at = nil
function delay()
  local now = now_ms()
  if next_at == nil then next_at = now end
  local slot = next_at
  next_at = next_at + interval
  if slot <= now then return 0 end
  return math.floor(slot - now)
end
"""


def _soak_seconds() -> int:
    raw = os.environ.get("SOAK_SECONDS", "600")
    if not raw.isdigit() or int(raw) < 10:
        sys.exit(f"SOAK_SECONDS must be a whole number of seconds, 10 or more (got {raw!r})")
    return int(raw)


def rss_kib(pid: int) -> int | None:
    """VmRSS of a process in KiB (proc(5)), or None once it has exited."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class MemorySampler(threading.Thread):
    """Samples every worker's RSS at `times` (seconds after start) while wrk runs."""

    def __init__(self, pids: list[int], times: list[float]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.times = times
        self.samples: list[tuple[float, dict[int, int | None]]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        start = time.monotonic()
        for at in self.times:
            if self.stop.wait(max(0.0, start + at - time.monotonic())):
                return
            self.samples.append((at, {pid: rss_kib(pid) for pid in self.pids}))


def main() -> int:
    seconds = _soak_seconds()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")):
        sys.exit("make soak runs on PostgreSQL: set DATABASE_URL=postgres://user@host:5432/db")
    cores = os.cpu_count() or 1
    wrk = _ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="gatehouse-soak-"))
    env, _, server_url, scratch_db = production_env(workdir, "gatehouse_soak")
    manage = [PYTHON, str(ROOT / "manage.py")]
    warmup = max(MIN_WARMUP_SECONDS, seconds // 10)
    try:
        subprocess.run([*manage, "bootstrap"], env=env, cwd=ROOT, check=True, capture_output=True)
        created = subprocess.run(
            [*manage, "shell", "-c", SETUP % {"rs": RS256_AUDIENCE, "hs": HS256_AUDIENCE}],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        credentials = json.loads(created.stdout.strip().splitlines()[-1])
        body = _token_form(RS256_AUDIENCE, credentials)
        with gunicorn_server(env, cores) as (base_url, master_pid):
            url = f"{base_url}/oauth/token"
            maximum = run_wrk(wrk, url, body, workdir)
            target = maximum["rate"] * LOAD_FRACTION
            pids = child_pids(master_pid)
            times = [warmup + (seconds - warmup) * i / (SAMPLES - 1) for i in range(SAMPLES - 1)]
            sampler = MemorySampler(pids, times)
            paced = PACED_SCRIPT % {
                # A form body is URL-safe characters and %-escapes: a JSON string is Lua's.
                "body": json.dumps(body),
                "interval_ms": 1000.0 * WRK_THREADS / target,
            }
            sampler.start()
            soak = run_wrk(wrk, url, "", workdir, lua=paced, duration_seconds=seconds)
            sampler.stop.set()
            sampler.join()
            end = {pid: rss_kib(pid) for pid in pids}
            replaced = sorted(set(child_pids(master_pid)) - set(pids))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if scratch_db:
            _admin_sql(server_url, f'DROP DATABASE IF EXISTS "{scratch_db}" WITH (FORCE)')

    print(
        f"Gatehouse soak: PostgreSQL, {cores} cores, gunicorn {cores} sync workers, "
        f"RS256 client credentials, wrk {WRK_THREADS} threads x {CONNECTIONS} connections"
    )
    print(
        f"maximum ({DURATION_SECONDS} s): {maximum['rate']:,.0f} tokens/s, "
        f"p99 {maximum['p99']:.2f} ms, errors {maximum['errors']} of {maximum['requests']}"
    )
    print(
        f"soak ({seconds} s at {LOAD_FRACTION:.0%} = {target:,.0f} tokens/s): "
        f"{soak['rate']:,.0f} tokens/s achieved ({soak['rate'] / target:.0%}), "
        f"p50 {soak['p50']:.2f} ms, p99 {soak['p99']:.2f} ms, "
        f"errors {soak['errors']} of {soak['requests']:,}"
    )
    baseline = sampler.samples[0][1] if sampler.samples else {}
    growth_ok = bool(baseline) and not replaced
    for pid in pids:
        trail = [sample.get(pid) for _, sample in sampler.samples] + [end.get(pid)]
        first, last = baseline.get(pid), end.get(pid)
        if first is None or last is None:
            print(f"worker {pid}: exited during the soak")
            growth_ok = False
            continue
        growth = (last - first) / first
        growth_ok = growth_ok and growth < MEMORY_GROWTH_LIMIT
        shown = " ".join(f"{value / 1024:.1f}" if value else "-" for value in trail)
        print(
            f"worker {pid}: RSS {first / 1024:.1f} MiB after {warmup} s warm-up -> "
            f"{last / 1024:.1f} MiB at the end ({growth:+.1%}); MiB over time: {shown}"
        )
    if replaced:
        print(f"workers started during the soak (a worker was replaced): {replaced}")
    checks = [
        ("zero errors during the soak", soak["errors"] == 0),
        (f"every worker's RSS growth < {MEMORY_GROWTH_LIMIT:.0%}", growth_ok),
    ]
    for name, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
