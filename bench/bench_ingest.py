"""Ingest throughput and memory against DuckDB's own JSON loader, measured in the same run.

Usage: .venv/bin/python bench/bench_ingest.py [STATEMENTS [RUNS]]   (defaults 1,000,000 and 2)

Generates STATEMENTS realistic Moodle-shaped statements as NDJSON (like the output of
Moodle's xAPI log store, see ../shared/corpus/moodle-logstore-xapi/: no id, account actors,
context activities with definitions, Moodle's info extension, a result on graded events),
then times

(a) the baseline: DuckDB's ``read_json`` loading the file into a table of a fresh database;
(b) ``lat ingest FILE`` as a subprocess into a fresh LAT_HOME (parse, validate, derive ids,
    flatten, dedupe, one transaction per batch), with its peak RSS (children included).

It says first whether the C fast path (lat.ingest._fastxapi) is built: without it (b) takes the
Python path for every statement, several times slower.

Prints statements/s of both by wall and by CPU time, the ratios (b)/(a) (target >= 0.5) and
the peak RSS (target < 1.5 GB), RUNS times on the same file (the machine is shared: one run
can be unlucky), then the lowest, median and highest ratio by wall time. Files go to bench/out/ (git-ignored) and are removed afterwards.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import orjson

OUT = Path(__file__).resolve().parent / "out"
SITE = "https://moodle.school{}.example.org"
INFO = "http://lrs.learninglocker.net/define/extensions/info"
LAT_SCHOOL = "https://w3id.org/xapi/lat/extensions/school"
EVENTS = [  # (verb, verb display, activity type, moodle module, graded)
    ("http://id.tincanapi.com/verb/viewed", "Viewed", "http://id.tincanapi.com/activitytype/lms/module", "page", False),
    ("http://id.tincanapi.com/verb/viewed", "Viewed", "https://w3id.org/xapi/cmi5/activitytype/course", "course", False),
    ("http://adlnet.gov/expapi/verbs/completed", "Completed", "http://adlnet.gov/expapi/activities/assessment", "quiz", True),
    ("http://adlnet.gov/expapi/verbs/answered", "Answered", "http://adlnet.gov/expapi/activities/cmi.interaction", "quiz", True),
    ("http://activitystrea.ms/schema/1.0/submit", "Submitted", "http://adlnet.gov/expapi/activities/assessment", "assign", False),
    ("http://activitystrea.ms/create", "Created", "http://id.tincanapi.com/activitytype/discussion", "forum", False),
]


def statement(rng: random.Random, moment: datetime) -> dict[str, object]:
    """One Moodle-shaped statement (no id, like the real log store)."""
    school = rng.randrange(60)
    site = SITE.format(school)
    course = rng.randrange(1, 400)
    module = rng.randrange(1, 5000)
    verb, display, kind, mod, graded = rng.choice(EVENTS)
    stmt: dict[str, object] = {
        "actor": {"account": {"homePage": site, "name": str(rng.randrange(1, 20000))}, "name": "Moodle user"},
        "verb": {"id": verb, "display": {"en": display}},
        "object": {
            "id": f"{site}/mod/{mod}/view.php?id={module}",
            "definition": {"name": {"en": f"{mod} {module}"}, "type": kind},
            "objectType": "Activity",
        },
        "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+00:00",
        "context": {
            "platform": "Moodle",
            "language": "en",
            "contextActivities": {
                "grouping": [
                    {
                        "id": site,
                        "definition": {"name": {"en": f"School {school}"}, "type": "http://id.tincanapi.com/activitytype/lms"},
                        "objectType": "Activity",
                    }
                ],
                "parent": [
                    {
                        "id": f"{site}/course/view.php?id={course}",
                        "definition": {"name": {"en": f"Course {course}"}, "type": "https://w3id.org/xapi/cmi5/activitytype/course"},
                        "objectType": "Activity",
                    }
                ],
                "category": [
                    {
                        "id": "http://moodle.org",
                        "definition": {"name": {"en": "Moodle"}, "type": "http://id.tincanapi.com/activitytype/source"},
                        "objectType": "Activity",
                    }
                ],
            },
            "extensions": {
                INFO: {
                    "http://moodle.org": "4.1.0",
                    "event_name": f"\\mod_{mod}\\event\\course_module_viewed",
                    "event_function": f"\\src\\transformer\\events\\mod_{mod}\\course_module_viewed",
                },
                LAT_SCHOOL: f"S{school:03d}",
            },
        },
    }
    if graded:
        raw = rng.randrange(0, 101)
        stmt["result"] = {
            "score": {"raw": raw, "min": 0, "max": 100, "scaled": raw / 100},
            "completion": True,
            "success": raw >= 50,
            "duration": f"PT{rng.randrange(30, 3600)}S",
        }
    return stmt


def generate(path: Path, count: int, seed: int = 7) -> None:
    """``count`` statements, one per line, a few seconds apart."""
    rng = random.Random(seed)
    moment = datetime(2025, 9, 1, 8, tzinfo=UTC)
    with path.open("wb") as out:
        lines = []
        for _ in range(count):
            moment += timedelta(milliseconds=rng.randrange(1, 4000))
            lines.append(orjson.dumps(statement(rng, moment)))
            if len(lines) == 10_000:
                out.write(b"\n".join(lines) + b"\n")
                lines = []
        if lines:
            out.write(b"\n".join(lines) + b"\n")


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def duckdb_baseline(path: Path, work: Path) -> tuple[float, float]:
    """Wall and CPU seconds of DuckDB's read_json loading the file into a fresh database."""
    cpu = _cpu(resource.RUSAGE_SELF)
    start = time.perf_counter()
    con = duckdb.connect(str(work / "baseline.duckdb"))
    con.execute(f"CREATE TABLE statements AS SELECT * FROM read_json('{path}', format = 'newline_delimited')")
    con.close()
    return time.perf_counter() - start, _cpu(resource.RUSAGE_SELF) - cpu


def lat_ingest(path: Path, home: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS (MiB, children included) of ``lat ingest`` into a fresh LAT_HOME."""
    env = {**os.environ, "LAT_HOME": str(home)}
    lat = Path(sys.executable).with_name("lat")
    cpu = _cpu(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(lat), "ingest", "--json", str(path)], env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"lat ingest failed: {done.stderr}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: KiB
    return seconds, _cpu(resource.RUSAGE_CHILDREN) - cpu, peak_kib / 1024, done.stdout.strip()


def fast_path() -> str:
    """Whether `lat ingest` will use the C fast path (lat.ingest._fastxapi), and why not or which SHA-1."""
    from lat.ingest import fastpath

    return f"C fast path: {'on' if fastpath.AVAILABLE else 'OFF (every statement takes the Python path)'}; {fastpath.REASON}"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    OUT.mkdir(exist_ok=True)
    work = Path(os.environ.get("BENCH_DIR") or OUT) / f"ingest-{os.getpid()}"
    work.mkdir(parents=True)
    try:
        data = work / "moodle.ndjson"
        start = time.perf_counter()
        generate(data, count)
        print(f"generated {count:,} statements, {data.stat().st_size / 2**20:,.0f} MiB in {time.perf_counter() - start:.1f} s")
        print(fast_path())
        ratios = []
        for run in range(1, runs + 1):
            print(f"run {run} of {runs}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine skews wall times; CPU times less)")
            ratios.append(compare(data, count, work / f"run{run}"))
        if runs > 1:
            ratios.sort()
            print(f"ratio (b)/(a) by wall over {runs} runs: lowest {ratios[0]:.2f}, median {statistics.median(ratios):.2f}, highest {ratios[-1]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def compare(data: Path, count: int, work: Path) -> float:
    """One run of (a) and (b) on ``data``, printed with throughput ratios by wall and by CPU time; returns the wall ratio."""
    work.mkdir()
    base, base_cpu = duckdb_baseline(data, work)
    print(f"(a) duckdb read_json : {base:7.1f} s wall {count / base:10,.0f} statements/s   CPU {base_cpu:7.1f} s {count / base_cpu:10,.0f} statements/CPU-s")
    seconds, cpu, peak_mib, summary = lat_ingest(data, work / "home")
    print(
        f"(b) lat ingest       : {seconds:7.1f} s wall {count / seconds:10,.0f} statements/s   CPU {cpu:7.1f} s"
        f" {count / cpu:10,.0f} statements/CPU-s   peak RSS {peak_mib:,.0f} MiB"
    )
    print(f"    summary {summary}")
    ratio = base / seconds
    print(f"throughput ratio (b)/(a), wall: {ratio:.2f} (target >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'}); by CPU time: {base_cpu / cpu:.2f}")
    print(f"peak RSS {peak_mib:,.0f} MiB: {'under' if peak_mib < 1536 else 'OVER'} 1.5 GB")
    shutil.rmtree(work, ignore_errors=True)
    return ratio


if __name__ == "__main__":
    main()
