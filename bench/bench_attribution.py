"""Speed of school attribution (lat.store.attribution.apply) on a large statements table.

Usage: .venv/bin/python bench/bench_attribution.py [ROWS]   (default 10,000,000)

Prints seconds for: the baseline (a full scan reading context_extensions as JSON, measured
in the same run), the first apply (every statement changes), a re-apply with nothing to
change, and a re-apply after one person moved school; and each as a ratio to the baseline.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import duckdb

from lat.store import attribution
from lat.store.database import schema_sql

SCHOOLS = 500
PEOPLE = 20_000


def build(con: duckdb.DuckDBPyConnection, rows: int) -> None:
    """Registry of SCHOOLS schools and PEOPLE people; ``rows`` statements, a third with a school extension."""
    con.execute(schema_sql())
    con.execute(f"INSERT INTO schools SELECT 'S' || i, 'School ' || i, 'EE', 'H' || (i % 5), 'primary', 20, 300, 'et' FROM range({SCHOOLS}) t(i)")
    con.execute(f"INSERT INTO people SELECT 'P' || i, 'S' || (i % {SCHOOLS}), 'teacher', 'mailto:p' || i || '@example.org' FROM range({PEOPLE}) t(i)")
    con.execute(
        f"""
        INSERT INTO statements (id, actor_key, verb, "timestamp", stored, school, context_extensions, raw)
        SELECT uuid(), 'mailto:p' || (i % {PEOPLE + 1000}) || '@example.org', 'http://adlnet.gov/expapi/verbs/answered',
               now(), now(),
               CASE WHEN i % 3 = 0 THEN 'S' || (i % {SCHOOLS}) END,
               CASE i % 3
                 WHEN 0 THEN json_object('https://w3id.org/xapi/lat/extensions/school', 'S' || (i % {SCHOOLS}),
                                         'https://w3id.org/xapi/lat/extensions/round', '2025-autumn')
                 WHEN 1 THEN json_object('https://w3id.org/xapi/lat/extensions/round', '2025-autumn')
               END,
               '{{}}'
        FROM range({rows}) t(i)
        """
    )


def timed(label: str, fn, baseline: float | None = None) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    ratio = f"  x{seconds / baseline:.2f} of baseline" if baseline else ""
    print(f"{label:<42} {seconds:7.2f} s  (result {result}){ratio}")
    return seconds


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "bench.duckdb"))
        start = time.perf_counter()
        build(con, rows)
        con.execute("CHECKPOINT")
        print(f"built {rows:,} statements in {time.perf_counter() - start:.1f} s")
        path = attribution._json_path("https://w3id.org/xapi/lat/extensions/school")
        base = timed(
            "baseline: scan + json_extract_string",
            lambda: con.execute(f"SELECT count(json_extract_string(context_extensions, '{path}')) FROM statements").fetchall()[0][0],
        )
        timed("apply, first time (all rows change)", lambda: attribution.apply(con), base)
        timed("apply again (nothing changes)", lambda: attribution.apply(con), base)
        con.execute("UPDATE people SET school = 'S1' WHERE person_id = 'P7'")
        timed("apply after one person moved", lambda: attribution.apply(con), base)
        timed("apply on a batch (stored filter, none)", lambda: attribution.apply(con, "stored > ?", ["2999-01-01"]), base)
        con.close()


if __name__ == "__main__":
    main()
