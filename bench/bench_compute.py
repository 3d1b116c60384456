"""`lat compute` at national scale: full run time and peak memory, then an incremental update.

Usage: .venv/bin/python bench/bench_compute.py [--synthetic]

Store (built once, cached under bench/out/, git-ignored):

- default: `lat sample --scale national` (about 5,000 schools, 10 million statements), then
  `lat registry import` and `lat ingest`, exactly as a hub would. Slow the first time.
- ``--synthetic``: a stop-gap for quick figures: survey answers written straight into the
  store by one SQL statement (5,000 schools, 2 rounds, 3 groups, 48 items, about 18 million
  answers, no JSON parsing; larger than the 10 million target, so a conservative test). It exercises the pipelines, not the ingest.

Then it times, each in a subprocess (peak RSS of the child):

(a) baseline: DuckDB alone scanning the survey columns and grouping them per
    (school, round, area, group), in the same run, so the ratio says what the pipelines
    cost on top of the unavoidable read;
(b) `lat compute --full` (targets: < 60 s, peak < 6 GB);
(c) 10,000 new answers in a few schools ingested, then `lat compute` (incremental; < 5 s).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
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


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS of the child (GB) and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024 / 1024
    return seconds, peak, done.stdout + done.stderr


def build_real(home: Path, env: dict[str, str]) -> None:
    sample = OUT / "national-sample"
    if not (sample / "statements").exists():
        run([*LAT, "sample", "--scale", "national", "--out", str(sample)], env)
    run([*LAT, "registry", "import", str(sample / "registry")], env)
    run([*LAT, "ingest", str(sample / "statements")], env)


def build_synthetic(home: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from lat import store, vocab
    from lat.config import Settings

    with store.session(Settings(home=home)) as con:
        con.execute(SYNTHETIC_SQL.format(answered=vocab.ANSWERED, item_base=vocab.SELFIE_ITEM_BASE,
                                         interaction=vocab.CMI_INTERACTION))


def baseline(home: Path) -> str:
    return (
        "import duckdb; con = duckdb.connect(%r, read_only=True); "
        "con.execute(\"SELECT school, round, area, respondent_group, count(DISTINCT actor_key), avg(score_raw) "
        "FROM statements WHERE verb = 'http://adlnet.gov/expapi/verbs/answered' AND NOT voided "
        "GROUP BY ALL\").fetchall()" % str(home / "lat.duckdb")
    )


def update_sql(n: int) -> str:
    return (
        "INSERT INTO statements (id, actor_key, verb, object_id, object_type, activity_type, response, score_raw, "
        "\"timestamp\", stored, school, hub, round, area, item, respondent_group, raw) "
        f"SELECT uuid(), 'late|' || (i // 48), 'http://adlnet.gov/expapi/verbs/answered', 'x', 'Activity', "
        "'http://adlnet.gov/expapi/activities/cmi.interaction', ((i % 5) + 1)::VARCHAR, (i % 5) + 1, "
        "TIMESTAMPTZ '2025-07-01 08:00:00+00', now(), 'S' || (i % 20), NULL, 'R1', chr(65 + (i % 8)), "
        f"chr(65 + (i % 8)) || ((i // 8) % 6 + 1), 'teacher', '{{}}' FROM range({n}) t(i)"
    )


def main() -> int:
    synthetic = "--synthetic" in sys.argv
    home = OUT / ("national-synthetic" if synthetic else "national-home")
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
    import duckdb

    with duckdb.connect(str(ready), read_only=True) as con:
        total = con.execute("SELECT count(*) FROM statements").fetchall()[0][0]
    print(f"statements in store: {total:,}")

    base_s, base_gb, _ = run([sys.executable, "-c", baseline(home)], env)
    full_s, full_gb, out = run([*LAT, "compute", "--full"], env)
    print(out.splitlines()[0])
    with duckdb.connect(str(ready)) as con:
        con.execute(update_sql(10_000))
    upd_s, _, out = run([*LAT, "compute"], env)
    print(out.splitlines()[0])

    print(f"baseline DuckDB scan+group: {base_s:6.1f} s  peak {base_gb:.2f} GB")
    print(f"lat compute --full:         {full_s:6.1f} s  peak {full_gb:.2f} GB  (target < 60 s, < 6 GB)  ratio to baseline {full_s / base_s:.1f}x")
    print(f"update after 10,000 new:    {upd_s:6.1f} s  (target < 5 s)  {full_s / upd_s:.1f}x faster than full")
    ok = full_s < 60 and full_gb < 6 and upd_s < 5
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
