"""The one writer: a thread that owns the store's writing and commits statements in groups.

Request threads validate their statements, then :meth:`Writer.submit` them and wait. The
writer thread takes *everything* queued at that moment and writes it in one transaction, one
WAL fsync for many requests (group commit). Only then does it answer each waiting request,
so a 200 means the statements are durable.

A request is all or nothing, and the store's side is file ingest's own: the group's
statements become rows with :mod:`lat.store.rows` and go to :func:`lat.store.writer.write`, the one
writer of file ingest, ``lat pull`` and survey import, with the group's requests as its unit
(one code path; only the policy differs). An id already held with other content refuses that
request with a 409, a voiding statement aimed at a voiding statement or a value DuckDB cannot
read with a 400; nothing of a refused request is stored, and the group's other requests are.
An id held with the same content (a retry) is accepted and not stored twice. The store is not
scanned per group: :class:`lat.store.known.Known` remembers the stored ids and what voiding names.

Other jobs that must write (``lat compute`` delegated to the LRS, see :mod:`lat.lrs.admin`)
run on the same thread, between groups, via :meth:`Writer.call`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import duckdb
import numpy as np

from lat.lrs.errors import ApiError
from lat.store import writer
from lat.store.batch import REJECT_SCHEMA, Batch, iso, later_than
from lat.store.known import Known
from lat.store.rows import Columns, add_statement

T = TypeVar("T")


@dataclass
class Attachment:
    """One attachment's content, addressed by its SHA-256."""

    sha2: str
    content_type: str
    content: bytes


@dataclass
class _Job:
    """A request's statements (or a callable) waiting for the writer."""

    statements: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    source: str = ""
    call: Callable[[duckdb.DuckDBPyConnection], Any] | None = None
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    result: Any = None


class Writer:
    """Owns ``con`` for writing; see the module docstring."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._queue: list[_Job] = []
        self._cond = threading.Condition()
        self._busy = False
        self._stopping = False
        self._last = datetime.now(UTC)
        self.groups = 0  # transactions written (a figure for the benchmark)
        self._known = Known()  # what the writer remembers of the store (lat.store.known)
        self._thread = threading.Thread(target=self._loop, name="lat-lrs-writer", daemon=True)
        self._thread.start()

    def submit(self, statements: list[dict[str, Any]], attachments: list[Attachment], source: str) -> None:
        """Store ``statements`` durably (raises :class:`ApiError` 409/400 when refused)."""
        self._wait(_Job(statements=statements, attachments=attachments, source=source))

    def call(self, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run ``fn(con)`` on the writer thread, between groups; returns its result."""
        return self._wait(_Job(call=fn)).result

    def consistent_through(self) -> str:
        """A moment up to which every statement stored is visible to queries (xAPI header)."""
        with self._cond:
            idle = not self._queue and not self._busy
            return iso(datetime.now(UTC) if idle else self._last)

    def stop(self) -> None:
        """Finish what is queued, then end the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(timeout=30)

    def _wait(self, job: _Job) -> _Job:
        with self._cond:
            if self._stopping:
                raise ApiError(503, "the LRS is shutting down; try again shortly")
            self._queue.append(job)
            self._cond.notify_all()
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job

    def _loop(self) -> None:
        try:
            self._known.load(self._con)  # before the first request has to wait for it
        except duckdb.Error:
            pass  # it loads again on first use, and fails there with the request's error
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if not self._queue:
                    return
                jobs, self._queue = self._queue, []
                self._busy = True
            try:
                self._run(jobs)
            finally:
                with self._cond:
                    self._busy = False
                for job in jobs:
                    job.done.set()

    def _run(self, jobs: list[_Job]) -> None:
        group = [job for job in jobs if job.call is None]
        if group:
            self._write_group(group)
        for job in jobs:
            if job.call is not None:
                self._known.reset()  # the job may write statements or the registry by its own path
                try:
                    job.result = job.call(self._con)
                except BaseException as exc:  # handed to the waiting request
                    job.error = exc

    def _write_group(self, jobs: list[_Job]) -> None:
        """One transaction for the group (lat.store.writer.write); refused requests get their error."""
        try:
            stamp = self._stamp()
            batch, requests = _batch(jobs, stamp)

            def attachments(con: duckdb.DuckDBPyConnection, accepted: set[int]) -> None:
                _store_attachments(con, [a for i in sorted(accepted) for a in jobs[i].attachments])

            done = writer.write(self._con, batch, self._known, requests=requests, also=attachments)
            for request, refusal in done.refused.items():
                jobs[request].error = ApiError(409 if refusal.conflict else 400, refusal.message)
            if done.committed:
                self._last = datetime.fromisoformat(stamp)
                self.groups += 1
        except BaseException as exc:
            for job in jobs:
                job.error = job.error or exc

    def _stamp(self) -> str:
        """This group's ``stored``: strictly later than the previous group's."""
        return iso(later_than(self._last))


def _batch(jobs: list[_Job], stamp: str) -> tuple[Batch, np.ndarray]:
    """The group's statements as one batch of rows stored at ``stamp``, and each row's request."""
    columns = Columns()
    requests: list[int] = []
    for request, job in enumerate(jobs):
        for stmt in job.statements:
            add_statement(columns, len(requests), job.source, None, None, stmt, stamp)
            requests.append(request)
    rejects = REJECT_SCHEMA.empty_table()
    batch = Batch(statements=columns.table(), rejects=rejects, read=len(requests), stored=stamp)
    return batch, np.array(requests, dtype=np.int64)


def _store_attachments(con: duckdb.DuckDBPyConnection, attachments: list[Attachment]) -> None:
    """Attachment contents, by SHA-256 (same hash, same bytes: a second copy is skipped)."""
    for item in attachments:
        con.execute("INSERT OR IGNORE INTO lrs_attachments (sha2, content_type, content) VALUES (?, ?, ?)", [item.sha2, item.content_type, item.content])
