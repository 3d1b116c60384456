"""`lat compute` at national scale: full run time and peak memory, then an incremental update.

Usage: .venv/bin/python bench/bench_compute.py [--synthetic | --home LAT_HOME]

Store (built once, cached under bench/out/, git-ignored):

- default: `lat sample --scale national` (about 5,000 schools, 10 million statements), then
  `lat registry import` and `lat ingest`, exactly as a hub would. Slow the first time.
- ``--synthetic``: a stop-gap for quick figures: survey answers written straight into the
  store by one SQL statement (5,000 schools, 2 rounds, 3 groups, 48 items, about 18 million
  answers, no JSON parsing; larger than the 10 million target, so a conservative test). It exercises the pipelines, not the ingest.

Then it times, each in a subprocess: wall seconds, CPU seconds (user + system of that child,
less sensitive than wall time to other jobs on a shared machine) and the child's own peak RSS:

(a) baseline: DuckDB alone scanning the survey columns and grouping them per
    (school, round, area, group), in the same run, so the ratio says what the pipelines
    cost on top of the unavoidable read;
(b) `lat compute --full` (targets: < 60 s, peak < 6 GB);
(c) 10,000 new answers in 20 existing (school, round) partitions, then `lat compute`
    (incremental; < 5 s). The added answers are deleted again afterwards, so the cached
    store stays the same from one run to the next.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
LAT = [str(Path(sys.executable).with_name("lat"))]  # the installed entry point of this venv

SYNTHETIC_SQL = """
INSERT INTO schools SELECT 'S' || i, 'School ' || i, 'C' || (i % 4), 'H' || (i % 40), 'secondary', 40, 400, NULL
FROM range(5000) t(i);
INSERT INTO hubs SELECT 'H' || i, 'Hub ' || i, 'C' || (i % 4) FROM range(40) t(i);
INSERT INTO countries SELECT 'C' || i, 'Country ' || i FROM range(4) t(i);
INSERT INTO statements (id, actor_key, verb, object_id, object_type, activity_type, response, score_raw,
                        "timestamp", stored, school, hub, round, area, item, respondent_group, raw)
SELECT uuid(), 'resp|' || s || '-' || r || '-' || p, '{answered}', '{item_base}' || a || k, 'Activity', '{interaction}',
       CASE WHEN v = 0 THEN 'na' ELSE v::VARCHAR END, CASE WHEN v = 0 THEN NULL ELSE v END,
       TIMESTAMPTZ '2025-01-10 08:00:00+00' + to_days(r * 150) + to_seconds(p * 60 + k),
       TIMESTAMPTZ '2025-06-30 00:00:00+00', 'S' || s, 'H' || (s % 40), 'R' || r, a, a || k,
       CASE WHEN p < 3 THEN 'leader' WHEN p < 20 THEN 'teacher' ELSE 'student' END, '{{}}'
FROM (SELECT s, r, p, a, k, (hash(s, r, p, a, k) % 6)::INT AS v
      FROM range(5000) t1(s), range(2) t2(r), range(42) t3(p),
           (SELECT unnest(['A','B','C','D','E','F','G','H']) AS a), range(1, 7) t5(k)
      WHERE hash(s, p) % 10 < 9 OR p < 3);
"""


@dataclass
class Timing:
    """What one child process cost."""

    wall: float
    cpu: float
    peak_gb: float
    output: str


def run(cmd: list[str], env: dict[str, str]) -> Timing:
    """Run ``cmd``; its wall and CPU seconds and peak RSS from its own rusage (os.wait4)."""
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        child = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{text}")
    return Timing(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024 / 1024, text)


def build_real(home: Path, env: dict[str, str]) -> None:
    sample = OUT / "national-sample"
    if not (sample / "statements").exists():
        run([*LAT, "sample", "--scale", "national", "--out", str(sample)], env)
    run([*LAT, "registry", "import", str(sample / "registry")], env)
    run([*LAT, "ingest", str(sample / "statements")], env)


def build_synthetic(home: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from lat.config import Settings
    from lat.store import database as store
    from lat.xapi import vocab

    with store.session(Settings(home=home)) as con:
        con.execute(SYNTHETIC_SQL.format(answered=vocab.ANSWERED, item_base=vocab.SELFIE_ITEM_BASE, interaction=vocab.CMI_INTERACTION))


def baseline(home: Path) -> str:
    return (
        f"import duckdb; con = duckdb.connect({str(home / 'lat.duckdb')!r}, read_only=True); "
        'con.execute("SELECT school, round, area, respondent_group, count(DISTINCT actor_key), avg(score_raw) '
        "FROM statements WHERE verb = 'http://adlnet.gov/expapi/verbs/answered' AND NOT voided "
        'GROUP BY ALL").fetchall()'
    )


LATE = "late|"  # actor_key prefix of the answers the update adds (and removes afterwards)


def update_sql(n: int) -> str:
    """``n`` new answers spread over 20 existing (school, round) partitions, stored now."""
    return (
        "INSERT INTO statements (id, actor_key, verb, object_id, object_type, activity_type, response, score_raw, "
        '"timestamp", stored, school, hub, round, area, item, respondent_group, raw) '
        f"SELECT uuid(), '{LATE}' || (i // 48), 'http://adlnet.gov/expapi/verbs/answered', 'x', 'Activity', "
        "'http://adlnet.gov/expapi/activities/cmi.interaction', ((i % 5) + 1)::VARCHAR, (i % 5) + 1, "
        "p.last_answer + INTERVAL 1 MINUTE, now(), p.school, p.hub, p.round, chr((65 + i % 8)::INTEGER), "
        f"chr((65 + i % 8)::INTEGER) || ((i // 8) % 6 + 1), 'teacher', '{{}}' FROM range({n}) t(i) "
        'JOIN (SELECT school, any_value(hub) AS hub, round, max("timestamp") AS last_answer, '
        "      row_number() OVER (ORDER BY school, round) - 1 AS j "
        "      FROM statements WHERE verb = 'http://adlnet.gov/expapi/verbs/answered' AND round IS NOT NULL "
        "      AND school IS NOT NULL GROUP BY school, round ORDER BY school, round LIMIT 20) p ON p.j = i % 20"
    )


def remove_update(store_path: Path) -> None:
    import duckdb

    with duckdb.connect(str(store_path)) as con:
        con.execute(f"DELETE FROM statements WHERE actor_key LIKE '{LATE}%'")


def main() -> int:
    synthetic = "--synthetic" in sys.argv
    home = OUT / ("national-synthetic" if synthetic else "national-home")
    if "--home" in sys.argv:  # an existing LAT_HOME with a store (e.g. a smaller one, for quick figures)
        home = Path(sys.argv[sys.argv.index("--home") + 1]).resolve()
    env = {**os.environ, "LAT_HOME": str(home)}
    ready = home / "lat.duckdb"
    if not ready.exists():
        print(f"building the {'synthetic' if synthetic else 'national'} store in {home} (once) ...", flush=True)
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        started = time.perf_counter()
        build_synthetic(home) if synthetic else build_real(home, env)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    shutil.rmtree(home / "compute-state", ignore_errors=True)
    remove_update(ready)  # left over by an interrupted run
    import duckdb

    with duckdb.connect(str(ready), read_only=True) as con:
        total = con.execute("SELECT count(*) FROM statements").fetchall()[0][0]
    print(f"statements in store: {total:,}")

    base = run([sys.executable, "-c", baseline(home)], env)
    full = run([*LAT, "compute", "--full"], env)
    print(full.output.splitlines()[0])
    with duckdb.connect(str(ready)) as con:
        con.execute(update_sql(10_000))
    try:
        upd = run([*LAT, "compute"], env)
    finally:
        remove_update(ready)
    print(upd.output.splitlines()[0])

    print(f"baseline DuckDB scan+group: {base.wall:6.1f} s  CPU {base.cpu:6.1f} s  peak {base.peak_gb:.2f} GB")
    print(
        f"lat compute --full:         {full.wall:6.1f} s  CPU {full.cpu:6.1f} s  peak {full.peak_gb:.2f} GB"
        f"  (target < 60 s, < 6 GB)  ratio to baseline: wall {full.wall / base.wall:.1f}x, CPU {full.cpu / base.cpu:.1f}x"
    )
    print(
        f"update after 10,000 new:    {upd.wall:6.1f} s  CPU {upd.cpu:6.1f} s  peak {upd.peak_gb:.2f} GB"
        f"  (target < 5 s)  {full.wall / upd.wall:.1f}x faster than full"
    )
    ok = full.wall < 60 and full.peak_gb < 6 and upd.wall < 5
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
