"""The xAPI ingest engine: records in, statements (or rejections) in the store.

Every batch of records is one DuckDB transaction (``BEGIN`` ... ``COMMIT``): a killed ingest
leaves whole batches or nothing of a batch, and running it again finishes the job because
ingest is idempotent (same statement, same id, skipped as a duplicate).

Per batch:

1. :func:`lat.batches.build` parses, validates and builds the rows of the records
   (:mod:`lat.rows`; the C fast path for NDJSON lines it can prove valid) into a pyarrow
   table, in worker processes for large inputs;
2. :func:`lat.writer.write`, the store writer that ``lat pull``, survey import and the LRS
   use too, stores it in one transaction: rejections, the screening of ids against an
   in-memory filter of the stored ones (:mod:`lat.known`, loaded once per ingest), one
   ``INSERT`` of the new rows with their attribution, conflicts, and voiding when needed.

See docs/ingest.md for the rules and the benchmark figures.
"""

from __future__ import annotations

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

from lat import readers, store, writer
from lat.batches import Batch, Part, Spilled, build, build_spilled, iso, unspill
from lat.batches import prepare as prepare
from lat.config import Settings, get_settings
from lat.known import Known

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
        return _run(con, _chunks(items, size), Known(), workers=0, after=lambda batch: bar.update(batch.read))
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
            return _run(con, _chunks(parts, settings.ingest_batch_size), Known(), workers=workers)
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


def _run(con: duckdb.DuckDBPyConnection, chunks: Iterable[list[Part]], known: Known, *, workers: int,
         after: Callable[[Batch], Any] | None = None) -> IngestSummary:
    """Build each chunk into a batch (here or in a pool) and write the batches in order.

    ``known`` (what the writer knows of the store) serves the whole ingest: it loads once.
    """
    total = IngestSummary()
    if workers <= 1:
        for chunk in chunks:
            batch = build(chunk, _stamp())
            total += write_batch(con, batch, known)
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
                total += _write_spilled(con, pending.popleft().result(), known)
        while pending:
            total += _write_spilled(con, pending.popleft().result(), known)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(spill, ignore_errors=True)
    return total


def _write_spilled(con: duckdb.DuckDBPyConnection, spilled: Spilled, known: Known) -> IngestSummary:
    try:
        return write_batch(con, unspill(spilled), known)
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


def write_batch(con: duckdb.DuckDBPyConnection, batch: Batch, known: Known | None = None) -> IngestSummary:
    """Store one built batch in one transaction (:func:`lat.writer.write`); returns what it did.

    ``known`` carries what the writer knows of the store from batch to batch; without it the
    store's ids are read for this batch alone.
    """
    done = writer.write(con, batch, known or Known())
    return IngestSummary(read=batch.read, stored=done.stored, duplicates=done.duplicates,
                         conflicts=done.conflicts, rejected=done.rejected, voided=done.voided)


def _bar(progress: bool, *, total: int | None, unit: str) -> Any:
    """A tqdm bar on a terminal, a silent stand-in otherwise."""
    from tqdm import tqdm

    enabled = progress and sys.stderr.isatty()
    return tqdm(total=total, unit=unit, unit_scale=True, disable=not enabled, file=sys.stderr)
