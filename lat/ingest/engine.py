"""The xAPI ingest engine: records in, statements (or rejections) in the store.

Every batch of records is one DuckDB transaction (``BEGIN`` ... ``COMMIT``): a killed ingest
leaves whole batches or nothing of a batch, and running it again finishes the job because
ingest is idempotent (same statement, same id, skipped as a duplicate).

Per batch:

1. :func:`lat.ingest.batches.build` parses, validates and builds the rows of the records
   (:mod:`lat.store.rows`; the C fast path for NDJSON lines it can prove valid) into pyarrow
   tables. A file ingest does it in builder threads, one block of lines (~4 MiB) per task:
   the C fast path runs without the GIL, so the threads use every core;
2. :func:`lat.store.writer.write`, the store writer that ``lat pull``, survey import and the LRS
   use too, stores it in one transaction on the calling thread: rejections, the screening of
   ids against an in-memory filter of the stored ones (:mod:`lat.store.known`, loaded once per
   ingest), one ``INSERT`` of the new rows with their attribution, conflicts, and voiding
   when needed. DuckDB releases the GIL while it works, so a reader thread and the builder
   threads read and build the next batch meanwhile (:data:`AHEAD`).

See docs/ingest.md for the rules and the benchmark figures.
"""

from __future__ import annotations

import itertools
import os
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from lat.config import Settings, get_settings
from lat.ingest import readers
from lat.ingest.batches import Part, build, gc_paused
from lat.ingest.batches import prepare as prepare
from lat.store import database as store
from lat.store import writer
from lat.store.batch import Batch, combine, iso, later_than
from lat.store.known import Known

INGEST_MEMORY_LIMIT = "512MB"  # DuckDB buffer pool of a file ingest (see docs/ingest.md)
UNIT_ITEMS = 4096  # single items (JSON array elements) per builder task; a block of lines is one task
# How far (in batches) the builder threads may build ahead of the batch being written. The
# write of a batch (DuckDB's INSERT and COMMIT of one row group) runs on one core whatever
# DuckDB's thread count, so the builders use the other core for the next batch meanwhile;
# memory then holds two batches of rows beside DuckDB's buffers (figures in docs/ingest.md).
AHEAD = 1.0
# Niceness of the builder threads: the writing thread is the one the ingest waits for, so it
# gets a core whenever it wants one, and the builders take what is left (docs/ingest.md).
BUILDER_NICE = 10


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
        """The counts as a dict."""
        return asdict(self)


def ingest_records(con: duckdb.DuckDBPyConnection, records: Iterable[Record], *, batch_size: int | None = None, progress: bool = False) -> IngestSummary:
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


def ingest_paths(
    paths: Sequence[Path], settings: Settings | None = None, *, progress: bool = False, on_skip: Callable[[Path, str], None] | None = None
) -> IngestSummary:
    """Ingest statement files and directories (recursively) into the store of ``settings``.

    ``on_skip(path, why)`` hears about files in directories that are not statement files.
    ``progress`` shows a bar (bytes read) on a terminal.
    """
    settings = settings or get_settings()
    files = readers.expand(paths, on_skip)
    total = sum(f.stat().st_size for f in files)
    bar = _bar(progress, total=total, unit="B")
    workers = _workers(settings.ingest_workers)
    parts = itertools.chain.from_iterable(_file_parts(f, bar.update) for f in files)
    try:
        with store.session(settings) as con:
            # DuckDB would cache up to 80% of RAM; the ingest only appends, so a small buffer
            # pool costs no speed and keeps the whole process under its memory target.
            con.execute(f"SET memory_limit = '{INGEST_MEMORY_LIMIT}'")
            # one DuckDB thread: the INSERT of a row group takes no less time on two, and the
            # other core builds the next batch (see AHEAD)
            con.execute("SET threads = 1")
            return _run(con, _batches(parts, settings.ingest_batch_size), Known(), workers=workers, size=settings.ingest_batch_size)
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
    for batch in _batches(parts, size):
        yield list(batch)


def _batches(parts: Iterable[Part], size: int) -> Iterator[Iterator[Part]]:
    """:func:`_chunks`, lazily: each batch's parts are read as they are consumed, so reading
    runs only as far ahead as its consumer. Consume each batch whole before the next."""
    for _, batch in itertools.groupby(_cut(parts, size), key=lambda numbered: numbered[0]):
        yield (part for _, part in batch)


def _cut(parts: Iterable[Part], size: int) -> Iterator[tuple[int, Part]]:
    """(batch number, part) of each part, in batches of exactly ``size`` records; a block of
    lines that spans two batches is split in two."""
    number = count = 0
    for part in parts:
        if isinstance(part, readers.LineBlock):
            while count + part.records >= size:  # the block fills this batch (and maybe more)
                head, part = part.split(size - count)
                yield number, head
                number, count = number + 1, 0
            if part.records:
                yield number, part
                count += part.records
            continue
        yield number, part
        count += 1
        if count == size:
            number, count = number + 1, 0


def _workers(setting: int) -> int:
    """Builder threads: the setting, else one per core the process may use."""
    if setting:
        return setting
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _run(
    con: duckdb.DuckDBPyConnection, chunks: Iterable[Iterable[Part]], known: Known, *, workers: int, size: int = 0, after: Callable[[Batch], Any] | None = None
) -> IngestSummary:
    """Build each chunk into a batch (here, or in ``workers`` builder threads) and write the batches in order.

    ``size`` is the batch size: builder threads run at most :data:`AHEAD` of it beyond the
    batch being written, which bounds memory. ``known`` (what the writer knows of the store)
    serves the whole ingest: it loads once.
    """
    total = IngestSummary()
    if not workers:
        for chunk in chunks:
            total += _write(con, build(chunk, _stamp()), known, after)
        return total
    pool = ThreadPoolExecutor(workers, thread_name_prefix="lat-build", initializer=_yield_to_writer)
    feeder = _Feeder(chunks, pool, room=int(size * (1 + AHEAD)), queued=2 * workers)
    try:
        # the GC off for the whole ingest: the builder threads share the one switch, so none
        # of them may turn it back on halfway (see lat.ingest.batches.build)
        with gc_paused():
            writer.warm_up(con)  # while the first batch is being built
            while (batch := feeder.next()) is not None:
                total += _write_built(con, batch, known, after)
                # its rows go now, before the batch after the next one is built: the C fast path
                # then reuses their buffers instead of faulting in fresh memory (lat/ingest/_fastxapi.c)
                batch.parts.clear()
                feeder.written(batch)
    finally:
        feeder.stop()
        pool.shutdown(wait=True, cancel_futures=True)
    return total


def _yield_to_writer() -> None:
    """Lowers the calling builder thread's priority to :data:`BUILDER_NICE` (Linux: per thread)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BUILDER_NICE)
    except (AttributeError, OSError):  # no per-thread priority here: equal priority only costs speed
        pass


class _Feeder:
    """Reads the input and submits its builder tasks, in a thread of its own: reading the next
    blocks then overlaps the write of a batch instead of holding up the writing thread.

    At most ``room`` records are submitted and not yet written, and at most ``queued`` tasks
    are submitted and not yet built (their text is what reading ahead holds in memory); :meth:`next` hands the batches over in order, once each of
    their tasks is submitted.
    """

    def __init__(self, chunks: Iterable[Iterable[Part]], pool: ThreadPoolExecutor, room: int, queued: int) -> None:
        self._chunks, self._pool, self._room, self._queued = chunks, pool, room, queued
        self._ready: queue.Queue[_Building | BaseException | None] = queue.Queue()
        self._turn = threading.Condition()
        self._pending = 0  # records submitted, not yet written
        self._unbuilt = 0  # tasks submitted, not yet built
        self._stopped = False
        self._thread = threading.Thread(target=self._feed, name="lat-read", daemon=True)
        self._thread.start()

    def _feed(self) -> None:
        try:
            for chunk in self._chunks:
                batch = _Building(_stamp())
                for seq, unit, records in _units(chunk):
                    # never waits on its own batch alone: room is at least a batch, and a batch
                    # holds fewer than that before its last task
                    with self._turn:
                        self._turn.wait_for(lambda: self._stopped or (self._pending < self._room and self._unbuilt < self._queued))
                        if self._stopped:
                            return
                        self._pending += records
                        self._unbuilt += 1
                    task = self._pool.submit(build, unit, batch.stored, seq)
                    task.add_done_callback(self._built)
                    batch.parts.append(task)
                    batch.records += records
                self._ready.put(batch)
            self._ready.put(None)
        except BaseException as exc:  # reading failed (a changed file, a corrupt .gz): the writer raises it
            self._ready.put(exc)

    def next(self) -> _Building | None:
        """The next batch, None at the end; raises what reading raised."""
        item = self._ready.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def _built(self, _: Future[Batch]) -> None:
        with self._turn:
            self._unbuilt -= 1
            self._turn.notify()

    def written(self, batch: _Building) -> None:
        with self._turn:
            self._pending -= batch.records
            self._turn.notify()

    def stop(self) -> None:
        with self._turn:
            self._stopped = True
            self._turn.notify()
        self._thread.join()


@dataclass
class _Building:
    """A batch whose parts the builder threads are building."""

    stored: str
    parts: list[Future[Batch]] = field(default_factory=list)
    records: int = 0  # records of its parts


def _units(parts: Iterable[Part]) -> Iterator[tuple[int, list[Part], int]]:
    """The builder tasks of a batch: (seq of its first record, its parts, its records).

    Each block of lines is a task; single items go in runs of :data:`UNIT_ITEMS`. ``parts``
    is read as the tasks are taken: a block's text is then held by its task only.
    """
    seq = 0
    items: list[Part] = []
    for part in parts:
        if isinstance(part, readers.LineBlock):
            if items:
                yield seq, items, len(items)
                seq, items = seq + len(items), []
            yield seq, [part], part.records
            seq += part.records
            continue
        items.append(part)
        if len(items) == UNIT_ITEMS:
            yield seq, items, len(items)
            seq, items = seq + len(items), []
    if items:
        yield seq, items, len(items)


def _write_built(con: duckdb.DuckDBPyConnection, batch: _Building, known: Known, after: Callable[[Batch], Any] | None) -> IngestSummary:
    return _write(con, combine([part.result() for part in batch.parts], batch.stored), known, after)


def _write(con: duckdb.DuckDBPyConnection, batch: Batch, known: Known, after: Callable[[Batch], Any] | None) -> IngestSummary:
    done = write_batch(con, batch, known)
    if after:
        after(batch)
    return done


_last_stamp = datetime.min.replace(tzinfo=UTC)


def _stamp() -> str:
    """A fresh ``stored`` value, strictly later than the previous one (it identifies the batch)."""
    global _last_stamp
    _last_stamp = later_than(_last_stamp)
    return iso(_last_stamp)


def write_batch(con: duckdb.DuckDBPyConnection, batch: Batch, known: Known | None = None) -> IngestSummary:
    """Store one built batch in one transaction (:func:`lat.store.writer.write`); returns what it did.

    ``known`` carries what the writer knows of the store from batch to batch; without it the
    store's ids are read for this batch alone.
    """
    done = writer.write(con, batch, known or Known())
    return IngestSummary(read=batch.read, stored=done.stored, duplicates=done.duplicates, conflicts=done.conflicts, rejected=done.rejected, voided=done.voided)


def _bar(progress: bool, *, total: int | None, unit: str) -> Any:
    """A tqdm bar on a terminal, a silent stand-in otherwise."""
    from tqdm import tqdm

    enabled = progress and sys.stderr.isatty()
    return tqdm(total=total, unit=unit, unit_scale=True, disable=not enabled, file=sys.stderr)
