"""The one writer: a thread that owns the store's writing and commits statements in groups.

Request threads validate their statements, then :meth:`Writer.submit` them and wait. The
writer thread takes *everything* queued at that moment and writes it in one transaction, one
WAL fsync for many requests (group commit). Only then does it answer each waiting request,
so a 200 means the statements are durable.

A request is all or nothing. Before the group is written the writer screens each request
against the store and the requests ahead of it in the group: an id already held with other
content gives that request a 409, a voiding statement aimed at a voiding statement a 400;
the request is then left out of the group and nothing of it is stored. An id held with the
same content (a retry) is accepted and not stored twice.

What is left is certainly new, so the group is one ``INSERT`` of rows built in Python
(:mod:`lat.lrs.rows`, same flattening and attribution rules as file ingest), plus the voiding
SQL of :mod:`lat.voiding` when the group voids or is voided. The store is not scanned per
group: :mod:`lat.lrs.known` remembers which ids are stored, which are voided and the registry.

Other jobs that must write (``lat compute`` delegated to the LRS, see :mod:`lat.lrs.admin`)
run on the same thread, between groups, via :meth:`Writer.call`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from lat import vocab, voiding
from lat.batches import iso
from lat.ids import content_digest
from lat.lrs.errors import ApiError
from lat.lrs.known import Known
from lat.lrs.rows import INSERT, table

_Row = tuple[dict[str, Any], bytes, str]  # a new statement, its content digest, its source


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
        self._known = Known()  # what the writer remembers of the store (lat.lrs.known)
        self._thread = threading.Thread(target=self._loop, name="lat-lrs-writer", daemon=True)
        self._thread.start()

    def submit(self, statements: list[dict[str, Any]], attachments: list[Attachment], source: str) -> None:
        """Store ``statements`` durably (raises :class:`ApiError` 409/400 when refused)."""
        self._wait(_Job(statements=statements, attachments=attachments, source=source))

    def call(self, fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
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
        try:
            accepted, rows = _screen(self._con, jobs, self._known)
            if not accepted:
                return
            stamp = self._stamp()
            try:
                self._commit(accepted, rows, stamp)
            except duckdb.ConversionException:
                if len(accepted) == 1:
                    raise
                # a value the validator allows but DuckDB cannot read (a rare timestamp form):
                # each request alone, so that only the one that holds it fails
                for job in accepted:
                    self._write_group([job])
                return
            self._last = datetime.fromisoformat(stamp)
            self.groups += 1
        except duckdb.ConversionException as exc:
            for job in jobs:
                job.error = job.error or ApiError(400, f"a statement cannot be stored: {exc}")
        except BaseException as exc:
            for job in jobs:
                job.error = job.error or exc

    def _commit(self, jobs: list[_Job], rows: list[_Row], stamp: str) -> None:
        """One transaction: attachments, the new rows, voiding when the group needs it."""
        con, known = self._con, self._known
        targets = [target for stmt, _, _ in rows if (target := _target(stmt))]
        void_targets = known.void_targets(con)
        con.register("lrs_rows", table(rows, stamp, known.actors(con), known.hubs(con)))
        con.execute("BEGIN TRANSACTION")
        try:
            _store_attachments(con, [a for job in jobs for a in job.attachments])
            con.execute(INSERT)
            # voiding SQL only when a statement voids, or is voided by one already stored
            if targets or any(stmt["id"].lower() in void_targets for stmt, _, _ in rows):
                voiding.apply(con, stamp)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("lrs_rows")
        known.ids(con).add(stmt["id"] for stmt, _, _ in rows)
        void_targets.update(targets)

    def _stamp(self) -> str:
        """This group's ``stored``: strictly later than the previous group's."""
        now = datetime.now(UTC)
        moment = now if now > self._last else self._last + timedelta(microseconds=1)
        return iso(moment)


def _screen(con: duckdb.DuckDBPyConnection, jobs: list[_Job], known: Known) -> tuple[list[_Job], list[_Row]]:
    """The jobs that can be stored whole, and their statements that are new (with digest and source);
    the other jobs get their error set. A statement already held with the same content (a retry)
    is accepted and not stored again."""
    ids = [stmt["id"] for job in jobs for stmt in job.statements]
    stored = _stored_digests(con, known.ids(con).maybe(ids))
    verbs = _stored_verbs(con, [target for job in jobs for s in job.statements if (target := _target(s))])
    accepted: list[_Job] = []
    rows: list[_Row] = []
    for job in jobs:
        digests = [content_digest(stmt) for stmt in job.statements]
        job.error = _problem(job, digests, stored, verbs)
        if job.error is not None:
            continue
        accepted.append(job)
        for stmt, digest in zip(job.statements, digests, strict=True):
            key = stmt["id"].lower()
            if key not in stored:
                rows.append((stmt, digest, job.source))
                stored[key] = digest
                verbs[key] = stmt["verb"]["id"]
    return accepted, rows


def _problem(job: _Job, digests: list[bytes], stored: dict[str, bytes | None], verbs: dict[str, str]) -> ApiError | None:
    for stmt, digest in zip(job.statements, digests, strict=True):
        key = stmt["id"].lower()
        if key in stored and stored[key] != digest:
            return ApiError(409, f"statement {stmt['id']} already exists with other content")
        target = _target(stmt)
        if target and verbs.get(target) == vocab.VOIDED:
            return ApiError(400, f"statement {stmt['id']} voids {target}, which is itself a voiding statement")
    return None


def _target(stmt: dict[str, Any]) -> str | None:
    """The id a voiding statement voids (lower case), else None."""
    if stmt["verb"]["id"] != vocab.VOIDED:
        return None
    return str(stmt["object"].get("id", "")).lower() or None


def _stored_digests(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, bytes | None]:
    if not ids:
        return {}
    rows = con.execute("SELECT id::VARCHAR, digest FROM statements WHERE id IN (SELECT unnest(?::UUID[]))",
                       [ids]).fetchall()
    return {str(i): d for i, d in rows}


def _stored_verbs(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = con.execute("SELECT id::VARCHAR, verb FROM statements WHERE id IN (SELECT unnest(?::UUID[]))",
                       [ids]).fetchall()
    return {str(i): v for i, v in rows}


def _store_attachments(con: duckdb.DuckDBPyConnection, attachments: list[Attachment]) -> None:
    """Attachment contents, by SHA-256 (same hash, same bytes: a second copy is skipped)."""
    for item in attachments:
        con.execute("INSERT OR IGNORE INTO lrs_attachments (sha2, content_type, content) VALUES (?, ?, ?)",
                    [item.sha2, item.content_type, item.content])
