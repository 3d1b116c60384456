"""How fast is xAPI statement validation? (lat.xapi.validation.validate on one core)

Reads the real Moodle statements from ../shared/corpus/moodle-logstore-xapi, repeats them to
200,000 (each one parsed separately, so every statement is its own dict as on ingest),
and prints statements per second of CPU time for:

- orjson.loads of the same statements (the parse that ingest does anyway: the baseline);
- validate() with each rule set (either version, 1.0.3, 2.0.0);
- DuckDB read_json over the same statements as NDJSON (the ingest target: ingest must
  reach half of this), measured on a slice to keep the run short.

Run: .venv/bin/python bench/bench_validation.py [--count N]
"""

from __future__ import annotations

import argparse
import gc
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from lat.xapi.validation import validate

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "moodle-logstore-xapi"
TARGET = 80_000  # statements/s on one core that ingest needs from validation


def corpus() -> list[Any]:
    """All statements of the Moodle corpus, in file order."""
    statements: list[Any] = []
    for path in sorted(CORPUS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        statements.extend(data if isinstance(data, list) else [data])
    return statements


def rate(count: int, run: Callable[[], object]) -> float:
    """Statements per CPU second of ``run`` (CPU time: other work on the machine distorts wall time)."""
    start = time.process_time()
    run()
    return count / (time.process_time() - start)


def duckdb_rate(raw: list[bytes]) -> float:
    """Statements per second for DuckDB read_json over ``raw`` as one NDJSON file."""
    import duckdb

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "statements.ndjson"
        path.write_bytes(b"\n".join(raw) + b"\n")
        con = duckdb.connect()
        con.execute("SET threads = 1")  # compare one core with one core
        start = time.perf_counter()
        rows = con.execute(f"SELECT count(*) FROM read_json('{path}', format='newline_delimited')").fetchall()
        elapsed = time.perf_counter() - start
        con.close()
    assert rows[0][0] == len(raw)
    return len(raw) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000, help="statements to validate (default 200000)")
    args = parser.parse_args()
    source = corpus()
    raw = [orjson.dumps(s) for s in (source * (args.count // len(source) + 1))[: args.count]]
    print(f"corpus: {len(source)} Moodle statements, repeated to {len(raw):,} ({sum(map(len, raw)) / len(raw):.0f} bytes each)")

    parsed: list[Any] = []
    # Holding 200k parsed statements makes the cyclic GC rescan them over and over; real
    # ingest parses in batches, so the baseline pauses the GC while it parses.
    gc.disable()
    parse = rate(len(raw), lambda: parsed.extend(orjson.loads(r) for r in raw))
    gc.enable()
    gc.freeze()
    print(f"baseline orjson.loads     {parse:>12,.0f} statements/s")
    for version in (None, "1.0.3", "2.0.0"):
        bad = []
        speed = rate(len(parsed), lambda bad=bad, version=version: bad.extend(r for s in parsed if (r := validate(s, version=version))))
        assert not bad, bad[:3]
        label = f"validate(version={version!r})"
        print(f"{label:<26}{speed:>12,.0f} statements/s  ({speed / parse:.2f}x parse, {speed / TARGET:.2f}x the {TARGET:,}/s target)")
    sample = raw[: min(len(raw), 50_000)]
    duck = duckdb_rate(sample)
    print(f"duckdb read_json 1 thread {duck:>12,.0f} statements/s  (on {len(sample):,}; validation must beat half: {duck / 2:,.0f}/s)")


if __name__ == "__main__":
    main()
