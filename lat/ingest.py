"""The xAPI ingest engine: records in, statements (or rejections) in the store.

Every batch of records is one DuckDB transaction (``BEGIN`` ... ``COMMIT``): a killed ingest
leaves whole batches or nothing of a batch, and running it again finishes the job because
ingest is idempotent (same statement, same id, skipped as a duplicate).

Per batch:

1. :func:`lat.batches.build` parses, validates, prepares and flattens the records into a
   pyarrow table (in worker processes for large inputs);
2. in one transaction the store side, all set-based SQL over that Arrow table: rejects rows
   whose id / timestamp / registration DuckDB cannot read, and voiding statements that target
   voiding statements; classifies each remaining row as new, duplicate (same id, same
   content) or conflict (same id, other content) against the store and the earlier rows of
   the batch; inserts the new ones, records conflicts and rejections; applies voiding
   (:mod:`lat.voiding`) and school attribution (:mod:`lat.attribution`).

See docs/ingest.md for the rules and the benchmark figures.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import multiprocessing
import os
import shutil
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import orjson

from lat import readers, store, voiding
from lat.batches import Batch, Part, Spilled, build, build_spilled, iso, unspill
from lat.batches import prepare as prepare
from lat.config import Settings, get_settings
from lat.flatten import sql_columns
from lat.ids import content_digest

INGEST_MEMORY_LIMIT = "512MB"  # DuckDB buffer pool of a file ingest (see docs/ingest.md)
SPILL_ROOM = 2 << 30  # /dev/shm needs this much free space to hold the workers' batch files
PARALLEL_FROM_BYTES = 16 << 20  # smaller inputs are parsed in-process (starting workers costs ~1 s)


@dataclass
class Record:
    """One statement to ingest, with where it came from."""

    source: str  # file path, LRS credential, pull endpoint, ...
    line: int | None  # line in the source file, when there is one
    raw: bytes | str | dict[str, Any]  # JSON text, or an already parsed statement
    index: int | None = None  # position in a JSON array file


@dataclass
class IngestSummary:
    """What an ingest did; summaries of several runs add up with ``+``."""

    read: int = 0  # records read (statements, broken lines, ...)
    stored: int = 0  # new statements stored
    duplicates: int = 0  # same id and same content as a stored (or earlier) statement: skipped
    conflicts: int = 0  # same id, different content: kept the first, recorded in ``conflicts``
    rejected: int = 0  # invalid: recorded in ``rejected`` with the reason
    voided: int = 0  # statements newly marked voided

    def __add__(self, other: IngestSummary) -> IngestSummary:
        return IngestSummary(**{k: v + getattr(other, k) for k, v in asdict(self).items()})

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def ingest_records(con: duckdb.DuckDBPyConnection, records: Iterable[Record], *,
                   batch_size: int | None = None, progress: bool = False) -> IngestSummary:
    """Ingest ``records`` into the open store ``con``, one transaction per batch.

    ``con`` must not be inside a transaction. ``progress`` shows a bar (counting records)
    on a terminal.
    """
    size = batch_size or get_settings().ingest_batch_size
    items = ((r.source, r.line, r.index, r.raw, None) for r in records)
    bar = _bar(progress, total=None, unit=" statements")
    try:
        return _run(con, _chunks(items, size), workers=0, after=lambda batch: bar.update(batch.read))
    finally:
        bar.close()


def ingest_paths(paths: Sequence[Path], settings: Settings | None = None, *, progress: bool = False,
                 on_skip: Callable[[Path, str], None] | None = None) -> IngestSummary:
    """Ingest statement files and directories (recursively) into the store of ``settings``.

    ``on_skip(path, why)`` hears about files in directories that are not statement files.
    ``progress`` shows a bar (bytes read) on a terminal.
    """
    settings = settings or get_settings()
    files = readers.expand(paths, on_skip)
    total = sum(f.stat().st_size for f in files)
    bar = _bar(progress, total=total, unit="B")
    workers = _workers(settings.ingest_workers, total)
    parts = itertools.chain.from_iterable(_file_parts(f, bar.update) for f in files)
    try:
        with store.session(settings) as con:
            # DuckDB would cache up to 80% of RAM; the ingest only appends, so a small buffer
            # pool costs no speed and keeps the whole process under its memory target.
            con.execute(f"SET memory_limit = '{INGEST_MEMORY_LIMIT}'")
            return _run(con, _chunks(parts, settings.ingest_batch_size), workers=workers)
    finally:
        bar.close()


def _file_parts(path: Path, on_bytes: Callable[[int], Any]) -> Iterator[Part]:
    source = str(path.resolve())
    for part in readers.read_parts(path, source, on_bytes):
        if isinstance(part, readers.LineBlock):
            yield part
        elif isinstance(part, readers.Item):
            yield (source, part.line, part.index, part.raw, None)
        else:
            yield (source, part.line, part.index, part.raw, part.reason)


def _chunks(parts: Iterable[Part], size: int) -> Iterator[list[Part]]:
    """Parts grouped into batches of exactly ``size`` records (the last one fewer)."""
    chunk: list[Part] = []
    count = 0
    for part in parts:
        if isinstance(part, readers.LineBlock):
            while count + part.records >= size:  # the block fills this batch (and maybe more)
                head, part = part.split(size - count)
                chunk.append(head)
                yield chunk
                chunk, count = [], 0
            if part.records:
                chunk.append(part)
                count += part.records
            continue
        chunk.append(part)
        count += 1
        if count == size:
            yield chunk
            chunk, count = [], 0
    if chunk:
        yield chunk


def _workers(setting: int, total_bytes: int) -> int:
    """Worker processes for this input: 0 (parse in-process) for small inputs."""
    if setting:
        return setting if setting > 1 else 0
    if total_bytes < PARALLEL_FROM_BYTES:
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores, 4) if cores > 1 else 0


def _run(con: duckdb.DuckDBPyConnection, chunks: Iterable[list[Part]], *, workers: int,
         after: Callable[[Batch], Any] | None = None) -> IngestSummary:
    """Build each chunk into a batch (here or in a pool) and write the batches in order."""
    total = IngestSummary()
    if workers <= 1:
        for chunk in chunks:
            batch = build(chunk, _stamp())
            total += write_batch(con, batch)
            if after:
                after(batch)
        return total
    # spawn, not fork: the parent holds DuckDB threads and an open database
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    pending: deque[Future[Spilled]] = deque()
    spill = _spill_directory()
    try:
        for chunk in chunks:
            parts = [p.detached() if isinstance(p, readers.LineBlock) else p for p in chunk]  # workers read the text
            pending.append(pool.submit(build_spilled, parts, _stamp(), spill))
            # a bounded window keeps memory flat: at most workers + 1 batches in flight
            if len(pending) > workers:
                total += _write_spilled(con, pending.popleft().result())
        while pending:
            total += _write_spilled(con, pending.popleft().result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(spill, ignore_errors=True)
    return total


def _write_spilled(con: duckdb.DuckDBPyConnection, spilled: Spilled) -> IngestSummary:
    try:
        return write_batch(con, unspill(spilled))
    finally:
        os.unlink(spilled.path)


def _spill_directory() -> str:
    """A fresh directory for the workers' batch files: in RAM (/dev/shm) when it has room.

    Directories left by killed ingests (their process is gone) are removed first: in /dev/shm
    they would hold memory until the next reboot.
    """
    shm = Path("/dev/shm")
    room = shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > SPILL_ROOM
    base = shm if room else Path(tempfile.gettempdir())
    for old in base.glob("lat-ingest-*"):
        pid = old.name.split("-")[2]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return tempfile.mkdtemp(prefix=f"lat-ingest-{os.getpid()}-", dir=base)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_last_stamp = datetime.min.replace(tzinfo=UTC)


def _stamp() -> str:
    """A fresh ``stored`` value, strictly later than the previous one (it identifies the batch)."""
    global _last_stamp
    now = datetime.now(UTC)
    _last_stamp = now if now > _last_stamp else _last_stamp + timedelta(microseconds=1)
    return iso(_last_stamp)


def write_batch(con: duckdb.DuckDBPyConnection, batch: Batch) -> IngestSummary:
    """Store one built batch in one transaction; returns what it did."""
    con.register("batch_rows", batch.statements)
    con.register("batch_rejects", batch.rejects)
    con.execute("BEGIN TRANSACTION")
    try:
        summary = _store(con, batch)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("batch_rows")
        con.unregister("batch_rejects")
    return summary


_CANDIDATES = """
CREATE OR REPLACE TEMP TABLE candidates AS
SELECT seq, TRY_CAST(id AS UUID) AS uid, TRY_CAST("timestamp" AS TIMESTAMPTZ) AS ts,
       registration IS NULL OR TRY_CAST(registration AS UUID) IS NOT NULL AS registration_ok,
       digest, void_target
FROM batch_rows
"""

_UNREADABLE = "uid IS NULL OR ts IS NULL OR NOT registration_ok"

# where a record was found, as reasons quote it (lat.batches.location, in SQL)
_LOCATION = """CASE WHEN b.item_index IS NOT NULL AND b.line IS NOT NULL THEN format('element {} (line {})', b.item_index, b.line)
     WHEN b.item_index IS NOT NULL THEN format('element {}', b.item_index)
     WHEN b.line IS NOT NULL THEN format('line {}', b.line) END"""

_REJECT_UNREADABLE = f"""
INSERT INTO rejected (source, line, element, raw, reason)
SELECT b.source, b.line, b.item_index, b.raw,
       concat_ws(': ', {_LOCATION},
                 CASE WHEN c.uid IS NULL THEN format('id ''{{}}'' is not a UUID', b.id)
                      WHEN c.ts IS NULL THEN format('timestamp ''{{}}'' is not an ISO 8601 date-time', b."timestamp")
                      ELSE format('context.registration ''{{}}'' is not a UUID', b.registration) END)
FROM batch_rows AS b JOIN candidates AS c USING (seq)
WHERE {_UNREADABLE}
"""
# new: first of its id in the batch and unknown to the store; duplicate: same digest as the
# statement that holds the id (stored, or the batch's first); conflict: another digest.
# Derived ids carry no digest (same derived id = same content, see lat.batches), so a NULL
# on both sides is a duplicate and a NULL on one side is settled in Python ('check').
_DECIDE = """
CREATE OR REPLACE TEMP TABLE decided AS
SELECT c.seq, c.uid, c.ts, c.first_seq,
       CASE WHEN s.id IS NULL AND c.rn = 1 THEN 'new'
            WHEN s.id IS NOT NULL AND s.digest IS NOT DISTINCT FROM c.digest THEN 'duplicate'
            WHEN s.id IS NULL AND c.first_digest IS NOT DISTINCT FROM c.digest THEN 'duplicate'
            WHEN (CASE WHEN s.id IS NULL THEN c.first_digest ELSE s.digest END) IS NULL OR c.digest IS NULL THEN 'check'
            ELSE 'conflict' END AS status
FROM (SELECT seq, uid, ts, digest,
             row_number() OVER (PARTITION BY uid ORDER BY seq) AS rn,
             first_value(digest) OVER (PARTITION BY uid ORDER BY seq) AS first_digest,
             first_value(seq) OVER (PARTITION BY uid ORDER BY seq) AS first_seq
      FROM candidates) AS c
LEFT JOIN statements AS s ON s.id = c.uid
"""

# For each 'check' row: its raw statement and the raw statement holding its id.
_CHECKS = """
SELECT d.seq, b.raw, coalesce(s.raw::VARCHAR, f.raw)
FROM decided AS d
JOIN batch_rows AS b ON b.seq = d.seq
LEFT JOIN statements AS s ON s.id = d.uid
LEFT JOIN batch_rows AS f ON f.seq = d.first_seq
WHERE d.status = 'check'
"""

# Only the new rows are flattened (lat.flatten.sql_columns: DuckDB reads the columns from raw).
_INSERT = f"""
INSERT INTO statements BY NAME
SELECT uid AS id, actor_key, verb, object_id, object_type, activity_type, parent_id,
       CAST(registration AS UUID) AS registration, score_raw, score_scaled, score_min, score_max,
       success, completion, response, duration_s, ts AS "timestamp",
       CAST($stored AS TIMESTAMPTZ) AS stored, school, hub, round, area, item,
       respondent_group, phase, context_extensions, result_extensions, version,
       false AS voided, source, raw, digest
FROM ({sql_columns("(SELECT b.*, d.uid, d.ts FROM batch_rows AS b JOIN decided AS d USING (seq) WHERE d.status = 'new')")})
"""

_CONFLICTS = """
INSERT INTO conflicts (id, source, line, element, raw)
SELECT d.uid, b.source, b.line, b.item_index, b.raw
FROM batch_rows AS b JOIN decided AS d USING (seq)
WHERE d.status = 'conflict'
"""


def _store(con: duckdb.DuckDBPyConnection, batch: Batch) -> IngestSummary:
    con.execute("INSERT INTO rejected (source, line, element, raw, reason) "
                "SELECT source, line, item_index, raw, reason FROM batch_rejects")
    con.execute(_CANDIDATES)
    rejected = batch.rejects.num_rows + _reject_unreadable(con) + _reject_chained(con)
    con.execute(_DECIDE)
    _settle_checks(con)
    counts = dict(con.execute("SELECT status, count(*) FROM decided GROUP BY status").fetchall())
    con.execute(_INSERT, {"stored": batch.stored})
    con.execute(_CONFLICTS)
    voided = voiding.apply(con, batch.stored)
    _attribute(con, batch.stored)
    return IngestSummary(read=batch.read, stored=counts.get("new", 0), duplicates=counts.get("duplicate", 0),
                         conflicts=counts.get("conflict", 0), rejected=rejected, voided=voided)


def _settle_checks(con: duckdb.DuckDBPyConnection) -> None:
    """Compare the rare rows whose digest is missing on one side by the xAPI rules, from raw."""
    for seq, mine, theirs in con.execute(_CHECKS).fetchall():
        same = content_digest(orjson.loads(mine)) == content_digest(orjson.loads(theirs))
        con.execute("UPDATE decided SET status = ? WHERE seq = ?", ["duplicate" if same else "conflict", seq])


def _reject_unreadable(con: duckdb.DuckDBPyConnection) -> int:
    """Reject rows whose id, timestamp or registration DuckDB cannot read; returns how many."""
    count = int(con.execute(f"SELECT count(*) FROM candidates WHERE {_UNREADABLE}").fetchall()[0][0])
    if count:
        con.execute(_REJECT_UNREADABLE)
        con.execute(f"DELETE FROM candidates WHERE {_UNREADABLE}")
    return count


def _reject_chained(con: duckdb.DuckDBPyConnection) -> int:
    """Reject voiding statements that target a voiding statement; returns how many."""
    chained = voiding.chained(con)
    for seq, target in chained:
        con.execute(
            "INSERT INTO rejected (source, line, element, raw, reason) "
            f"SELECT source, line, item_index, raw, concat_ws(': ', {_LOCATION}, ?) FROM batch_rows AS b WHERE seq = ?",
            [f"voiding statement targets {target}, which is itself a voiding statement (xAPI forbids voiding a voiding statement)", seq],
        )
        con.execute("DELETE FROM candidates WHERE seq = ?", [seq])
    return len(chained)


def _attribute(con: duckdb.DuckDBPyConnection, stored: str) -> None:
    """School attribution for the batch's rows (lat.attribution, once that module exists)."""
    if importlib.util.find_spec("lat.attribution") is None:
        return
    attribution = importlib.import_module("lat.attribution")
    attribution.apply(con, "stored = CAST(? AS TIMESTAMPTZ)", [stored])


def _bar(progress: bool, *, total: int | None, unit: str) -> Any:
    """A tqdm bar on a terminal, a silent stand-in otherwise."""
    from tqdm import tqdm

    enabled = progress and sys.stderr.isatty()
    return tqdm(total=total, unit=unit, unit_scale=True, disable=not enabled, file=sys.stderr)
