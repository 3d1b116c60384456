"""LRS speed: batched POST throughput from 8 clients, single-POST latency at 10k and 1M stored.

    .venv/bin/python -m bench.bench_lrs [--quick]

Starts real `lat lrs` processes on 127.0.0.1 and, when .venv-ralph exists (make ralph), the
Ralph LRS (filesystem backend) in the same run, and prints our figures, Ralph's and the
ratios. The machine is shared, so beside wall-clock figures it prints the server process's
CPU time (from /proc): statements per server CPU-second and CPU ms per single POST. The
store with one million statements is built once (rows generated in SQL, not through the
HTTP API: it is the backdrop, not the thing measured) and cached under bench/out/lrs-1m/.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.lrs_support import Lrs, credential, start, statement  # noqa: E402

OUT = REPO / "bench" / "out"
CLIENTS = 8
BATCH = 100

Post = Callable[[list[dict[str, Any]]], None]


def poster(url: str, key: str, secret: str) -> Post:
    """POST a list of statements to the Statement API at ``url`` (…/statements)."""
    auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()

    def post(statements: list[dict[str, Any]]) -> None:
        request = urllib.request.Request(
            url,
            data=json.dumps(statements).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "X-Experience-API-Version": "1.0.3", "Authorization": auth},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            assert response.status == 200, response.status

    return post


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_pid(marker: str) -> int:
    """The pid of this process's child whose command line holds ``marker``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == os.getpid() and marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                return int(entry.name)
        except (OSError, ValueError, IndexError):
            continue
    raise RuntimeError(f"no child process running {marker}")


def throughput(post: Post, batches_per_client: int, pid: int) -> tuple[float, float]:
    """Statements accepted per second, and per CPU-second of the server ``pid``:
    CLIENTS threads POSTing batches of BATCH at once."""
    batches = [[statement(n, id=str(uuid.uuid4())) for n in range(BATCH)] for _ in range(CLIENTS * batches_per_client)]
    post(batches[0])  # warm up (imports, first transaction)
    cpu = cpu_seconds(pid)
    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(post, batches[1:]))
    sent = (len(batches) - 1) * BATCH
    return sent / (time.perf_counter() - started), sent / (cpu_seconds(pid) - cpu)


def latency(post: Post, count: int, pid: int) -> tuple[float, float, float]:
    """p50 and p99 in ms of one-statement POSTs, one at a time, and the server's CPU ms per POST."""
    times = []
    post([statement(0, id=str(uuid.uuid4()))])  # warm up (imports, first transaction)
    cpu = cpu_seconds(pid)
    for n in range(count):
        one = [statement(n, id=str(uuid.uuid4()))]
        started = time.perf_counter()
        post(one)
        times.append((time.perf_counter() - started) * 1000)
    used = (cpu_seconds(pid) - cpu) * 1000 / count
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1], used


def seed(home: Path, rows: int) -> None:
    """A store holding ``rows`` generated statements (schema from lat.store.database, rows from SQL)."""
    from lat.config import get_settings
    from lat.store import database as store

    with store.session(get_settings(home=home)) as con:
        con.execute(
            """
            INSERT INTO statements (id, actor_key, verb, object_id, object_type, "timestamp", stored, source, raw)
            SELECT id, 'mailto:t' || (i % 5000) || '@school.example.org', 'http://adlnet.gov/expapi/verbs/attended',
                   'http://hub.example.org/meetings/' || i, 'Activity', ts, ts, 'bench',
                   json_object('id', id::VARCHAR, 'actor', json_object('mbox', 'mailto:t' || (i % 5000) || '@school.example.org'),
                               'verb', json_object('id', 'http://adlnet.gov/expapi/verbs/attended'),
                               'object', json_object('id', 'http://hub.example.org/meetings/' || i),
                               'timestamp', strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ'),
                               'stored', strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ'))
            FROM (SELECT i, uuid() AS id, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_microseconds(i * 1000) AS ts
                  FROM range(?) t(i))
        """,
            [rows],
        )


def million_store() -> Path:
    home = OUT / "lrs-1m"
    if not (home / "lat.duckdb").exists():
        print("building the 1M-statement store once (cached in bench/out/lrs-1m) ...", flush=True)
        home.mkdir(parents=True, exist_ok=True)
        seed(home, 1_000_000)
    return home


def ours(home: Path, batches_per_client: int, singles: int) -> dict[str, float]:
    server: Lrs = start(home)
    try:
        key, secret = credential(home, f"bench-{uuid.uuid4().hex[:6]}", "statements/write")
        post = poster(server.url + "/xapi/statements", key, secret)
        pid = server.process.pid
        figures = {}
        if batches_per_client:
            figures["statements/s"], figures["statements/cpu-s"] = throughput(post, batches_per_client, pid)
        figures["p50 ms"], figures["p99 ms"], figures["cpu ms"] = latency(post, singles, pid)
        return figures
    finally:
        server.stop()


def ralph(work: Path, batches_per_client: int, singles: int) -> dict[str, float] | None:
    from tests.ralph_lrs import RALPH_PYTHON, running_ralph

    if not RALPH_PYTHON.exists():
        return None
    with running_ralph(work) as lrs:
        post = poster(lrs.endpoint + "/statements", lrs.key, lrs.secret)
        pid = child_pid(str(RALPH_PYTHON.parent))
        figures: dict[str, float] = {}
        figures["statements/s"], figures["statements/cpu-s"] = throughput(post, batches_per_client, pid)
        figures["p50 ms"], figures["p99 ms"], figures["cpu ms"] = latency(post, singles, pid)
        return figures


def main() -> None:
    quick = "--quick" in sys.argv
    per_client, singles = (3, 100) if quick else (10, 300)
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "lrs-10k"
        seed(small, 10_000)
        at_10k = ours(small, per_client, singles)
        at_1m = ours(million_store(), 0, singles)
        theirs = ralph(Path(tmp) / "ralph", per_client, singles)
        shutil.rmtree(small, ignore_errors=True)
    print(
        f"\nLAT LRS, {CLIENTS} clients x batches of {BATCH}: {at_10k['statements/s']:,.0f} statements/s "
        f"(target >= 10,000); {at_10k['statements/cpu-s']:,.0f} per server CPU-second"
    )
    print(f"single POST, 10k stored: p50 {at_10k['p50 ms']:.1f} ms, p99 {at_10k['p99 ms']:.1f} ms, server CPU {at_10k['cpu ms']:.1f} ms per POST")
    print(
        f"single POST,  1M stored: p50 {at_1m['p50 ms']:.1f} ms, p99 {at_1m['p99 ms']:.1f} ms (target p99 < 50 ms), "
        f"server CPU {at_1m['cpu ms']:.1f} ms per POST"
    )
    print(f"p99 1M / 10k: {at_1m['p99 ms'] / at_10k['p99 ms']:.2f}")
    if theirs is None:
        print("Ralph: .venv-ralph missing (make ralph); no comparison")
        return
    print(
        f"Ralph (fs backend): {theirs['statements/s']:,.0f} statements/s ({theirs['statements/cpu-s']:,.0f} per "
        f"server CPU-second); single POST p50 {theirs['p50 ms']:.1f} ms, p99 {theirs['p99 ms']:.1f} ms, "
        f"server CPU {theirs['cpu ms']:.1f} ms per POST"
    )
    print(
        f"ours / Ralph: throughput x{at_10k['statements/s'] / theirs['statements/s']:.2f} "
        f"(per CPU-second x{at_10k['statements/cpu-s'] / theirs['statements/cpu-s']:.2f}), "
        f"p50 x{at_10k['p50 ms'] / theirs['p50 ms']:.2f}, p99 x{at_10k['p99 ms'] / theirs['p99 ms']:.2f}, "
        f"CPU per single POST x{at_10k['cpu ms'] / theirs['cpu ms']:.2f}"
    )


if __name__ == "__main__":
    main()
