"""kill -9 in the middle of `lat ingest` leaves whole batches, and running it again completes the job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson

from lat.config import Settings
from lat.store.database import connect

STATEMENTS = 40_000
BATCH = 1_000


def generate(path: Path) -> None:
    """STATEMENTS id-less, distinct, valid statements (one per line)."""
    with path.open("wb") as out:
        for n in range(STATEMENTS):
            out.write(
                orjson.dumps(
                    {
                        "actor": {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": f"u{n % 500}"}},
                        "verb": {"id": "http://id.tincanapi.com/verb/viewed", "display": {"en": "viewed"}},
                        "object": {"objectType": "Activity", "id": f"https://lms.example.org/mod/page/view.php?id={n}"},
                        "timestamp": f"2025-09-01T08:{n // 3600 % 60:02d}:{n // 60 % 60:02d}.{n % 60:03d}Z",
                    }
                )
                + b"\n"
            )


def store_bytes(home: Path) -> int:
    return sum(p.stat().st_size for p in home.glob("lat.duckdb*") if p.exists())


def run_ingest(home: Path, data: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LAT_HOME": str(home), "LAT_INGEST_BATCH_SIZE": str(BATCH), "LAT_INGEST_WORKERS": "1"}
    lat = Path(sys.executable).with_name("lat")
    return subprocess.Popen([str(lat), "ingest", "--json", str(data)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_sigkill_mid_ingest_leaves_whole_batches_and_a_rerun_completes(tmp_path: Path) -> None:
    data = tmp_path / "big.ndjson"
    generate(data)
    home = tmp_path / "home"
    process = run_ingest(home, data)
    # The schema alone is well under 1 MiB; past that, batches are being committed.
    deadline = time.monotonic() + 300
    while store_bytes(home) < 1 << 20 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the ingest finished before it could be killed: make the file bigger"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL

    settings = Settings(home=home)
    with connect(settings, read_only=True) as con:  # opens: no corruption
        (partial,) = con.execute("SELECT count(*) FROM statements").fetchall()[0]
    assert 0 < partial < STATEMENTS
    assert partial % BATCH == 0, f"{partial} statements: a batch was cut in half"

    rerun = run_ingest(home, data)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err.decode()
    summary = orjson.loads(out)
    assert summary == {"read": STATEMENTS, "stored": STATEMENTS - partial, "duplicates": partial, "conflicts": 0, "rejected": 0, "voided": 0}
    with connect(settings, read_only=True) as con:
        assert con.execute("SELECT count(*), count(DISTINCT id) FROM statements").fetchall() == [(STATEMENTS, STATEMENTS)]
