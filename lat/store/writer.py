"""The one store writer: every statement stored by LAT goes through :func:`write`.

File ingest (:mod:`lat.ingest.engine`), ``lat pull``, survey import and the LRS's writer thread
(:mod:`lat.lrs.committer`) all hand it a :class:`lat.store.batch.Batch`: rows built by
:mod:`lat.store.rows` (Python, or the C fast path for NDJSON) plus the records already rejected.
In ONE transaction it

1. records the rejected records;
2. rejects rows DuckDB cannot read (``TRY_CAST`` of id, timestamp and registration over the
   whole batch at once) and voiding statements aimed at voiding statements;
3. sorts the other rows into new, duplicate (same id, same content) and conflict (same id,
   other content) against the store and the earlier rows of the batch (the first ``seq`` of
   an id wins). The store is not scanned for this: :class:`lat.store.known.Known` holds the 64-bit
   prefixes of the stored ids, and only the ids that may be stored are looked up. Derived ids
   carry no digest (same derived id = same content); the rare given-vs-derived case is
   settled from the raw statements;
4. inserts the new rows with one ``INSERT ... SELECT`` from the Arrow table, attributed on the
   way (:mod:`lat.store.attribution`'s rule as a join with the registry tables, so no attribution
   ``UPDATE`` follows);
5. records the conflicts;
6. runs :mod:`lat.store.voiding`'s SQL, only when the batch holds a voiding statement or an id that
   a stored voiding statement names.

Two policies, one code path. File ingest, pull and survey import pass no ``requests``:
every statement is judged alone (rejected or recorded as a conflict, the rest stored). The
LRS passes ``requests`` (the request of each row): a request holding a conflict or an
unstorable statement is refused whole (409 / 400) and nothing of it is stored or recorded,
while the other requests of the group go on (see docs/lrs.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from lat.store import voiding
from lat.store.attribution import attributed
from lat.store.batch import REJECT_SCHEMA, Batch, located
from lat.store.known import HIGH, LOW, Known
from lat.store.rows import ROW_SCHEMA
from lat.xapi import uuids
from lat.xapi.ids import content_digest

NEW, DUPLICATE, CONFLICT, REJECTED, REFUSED = 0, 1, 2, 3, 4  # what becomes of a row

_SOME = "lat_writer_rows"  # (a part of) the batch's Arrow table, as DuckDB sees it

# What DuckDB can read of every row, in one vectorised pass; the id as two 64-bit halves.
_READ = f"""
SELECT TRY_CAST(id AS UUID) IS NULL AS bad_id,
       TRY_CAST("timestamp" AS TIMESTAMPTZ) IS NULL AS bad_ts,
       registration IS NOT NULL AND TRY_CAST(registration AS UUID) IS NULL AS bad_reg,
       coalesce({HIGH.format("TRY_CAST(id AS UUID)")}, 0) AS hi,
       coalesce({LOW.format("TRY_CAST(id AS UUID)")}, 0) AS lo
FROM {_SOME}
"""

# The stored statements holding some of the batch's ids.
_LOOKUP = f"""
SELECT {HIGH.format("s.id")}, {LOW.format("s.id")}, s.digest
FROM statements AS s
WHERE s.id IN (SELECT CAST(id AS UUID) FROM {_SOME})
"""

# The new rows, attributed by the one rule (lat.store.attribution.attributed).
_INSERT = f"""
INSERT INTO statements BY NAME
SELECT CAST(b.id AS UUID) AS id, b.actor_key, b.verb, b.object_id, b.object_type, b.activity_type, b.parent_id,
       CAST(b.registration AS UUID) AS registration, b.score_raw, b.score_scaled, b.score_min, b.score_max,
       b.success, b.completion, b.response, b.duration_s, CAST(b."timestamp" AS TIMESTAMPTZ) AS "timestamp",
       CAST($stored AS TIMESTAMPTZ) AS stored, b.school, b.hub,
       b.round, b.area, b.item, b.respondent_group, b.phase,
       b.context_extensions, b.result_extensions,
       b.version, false AS voided, b.source, b.raw, b.digest
FROM ({attributed(f"SELECT * EXCLUDE (school, hub), school AS ext_school, hub AS ext_hub FROM {_SOME}")}) AS b
"""

_CONFLICTS = f"""
INSERT INTO conflicts (id, source, line, element, raw)
SELECT CAST(id AS UUID), source, line, item_index, CAST(raw AS VARCHAR) FROM {_SOME}
"""


@dataclass
class Refusal:
    """Why a request of the LRS was refused: nothing of it is stored."""

    conflict: bool  # True: an id held with other content (409); False: a statement that cannot be stored (400)
    message: str


@dataclass
class Written:
    """What :func:`write` did."""

    stored: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    voided: int = 0
    refused: dict[int, Refusal] = field(default_factory=dict)  # request -> why (LRS policy only)
    committed: bool = False  # False when there was nothing to write (every request refused)


def write(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    known: Known,
    *,
    requests: np.ndarray | None = None,
    also: Callable[[duckdb.DuckDBPyConnection, set[int]], Any] | None = None,
) -> Written:
    """Store ``batch`` in one transaction (see the module docstring); returns what it did.

    ``requests`` (LRS policy) gives each row's request (an int per row of
    ``batch.statements``); ``also(con, accepted requests)`` then runs inside the
    transaction (the LRS stores attachments there). ``known`` is updated after COMMIT and
    forgotten on ROLLBACK. ``con`` must not be inside a transaction.
    """
    table = batch.statements
    screen = _Screen(con, table, known, requests, batch.proven_rows())
    status = screen.status
    new = status == NEW
    written = Written(
        stored=int(new.sum()),
        duplicates=int((status == DUPLICATE).sum()),
        conflicts=int((status == CONFLICT).sum()),
        rejected=batch.rejects.num_rows + int((status == REJECTED).sum()),
        refused=screen.refused,
    )
    accepted = set() if requests is None else {int(r) for r in np.unique(requests[status != REFUSED])}
    if requests is not None and not accepted:
        return written
    con.execute("BEGIN TRANSACTION")
    try:
        _record_rejects(con, batch.rejects, table, screen)
        if also is not None:
            also(con, accepted)
        rows = table if written.stored == table.num_rows else table.filter(pa.array(new))
        _with(con, rows, _INSERT, {"stored": batch.stored})
        if written.conflicts:
            _with(con, table.filter(pa.array(status == CONFLICT)), _CONFLICTS)
        if _voids(con, rows, known):
            written.voided = voiding.apply(con, batch.stored)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        known.reset()  # what it was told about this batch may not hold
        raise
    known.stored(screen.hi[new], rows.column("void_target"))
    written.committed = True
    return written


def warm_up(con: duckdb.DuckDBPyConnection) -> None:
    """Run the writer's first Arrow query on no rows: DuckDB imports pandas on its first Arrow
    scan (~0.14 s), which a file ingest pays here while its first batch is being built
    rather than in its first write."""
    _with(con, ROW_SCHEMA.empty_table().select(["id", "timestamp", "registration"]), _READ, fetch=lambda result: result.fetchnumpy())


class _Screen:
    """The fate of every row of a batch (:data:`NEW` ... :data:`REFUSED`), decided before writing."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: pa.Table, known: Known, requests: np.ndarray | None, proven: np.ndarray) -> None:
        self.con, self.table = con, table
        n = table.num_rows
        self.status = np.full(n, NEW, dtype=np.int8)
        self.unreadable: dict[int, str] = {}  # row -> why DuckDB cannot store it (without its location)
        self.chained: dict[int, str] = {}  # row -> why: a voiding statement aimed at a voiding statement
        self.refused: dict[int, Refusal] = {}
        if not n:
            self.hi = np.zeros(0, dtype=np.uint64)
            return
        read = self._read(proven)
        self.hi, self.lo = read["hi"], read["lo"]
        self.seq = table.column("seq").to_numpy()
        self._find_unreadable(read)
        self.stored = self._lookup(known, self.status == NEW)
        self._voiding = table.column("void_target").null_count < n
        fixed = self.status.copy()  # unreadable rows stay rejected whatever else happens
        while True:
            self._decide(fixed)
            if requests is None or not self._refuse_first(requests, fixed):
                return

    # --- what DuckDB cannot read -------------------------------------------------------------
    def _read(self, proven: np.ndarray) -> dict[str, np.ndarray]:
        """:data:`_READ`'s columns for every row: from numpy for the proven rows whose ids
        :func:`lat.xapi.uuids.halves` reads, from DuckDB for the others (few, or none)."""
        hi, lo, parsed = uuids.halves(self.table.column("id"))
        easy = proven & parsed
        read = {"hi": hi, "lo": lo, **{bad: np.zeros(len(hi), dtype=bool) for bad in ("bad_id", "bad_ts", "bad_reg")}}
        if easy.all():
            return read
        rest = np.flatnonzero(~easy)
        some = self.table.select(["id", "timestamp", "registration"]).take(rest)
        asked = _with(self.con, some, _READ, fetch=lambda r: r.fetchnumpy())
        for name, values in read.items():
            values[rest] = np.asarray(asked[name], dtype=values.dtype)
        return read

    def _find_unreadable(self, read: dict[str, np.ndarray]) -> None:
        bad = np.asarray(read["bad_id"]) | np.asarray(read["bad_ts"]) | np.asarray(read["bad_reg"])
        for row in np.flatnonzero(bad).tolist():
            self.status[row] = REJECTED
            if read["bad_id"][row]:
                self.unreadable[row] = f"id '{self._value('id', row)}' is not a UUID"
            elif read["bad_ts"][row]:
                self.unreadable[row] = f"timestamp '{self._value('timestamp', row)}' is not an ISO 8601 date-time"
            else:
                self.unreadable[row] = f"context.registration '{self._value('registration', row)}' is not a UUID"

    def _value(self, column: str, row: int) -> Any:
        return self.table.column(column)[row].as_py()

    # --- the store's side: which ids it holds, with which digest --------------------------------
    def _lookup(self, known: Known, readable: np.ndarray) -> dict[tuple[int, int], bytes | None]:
        """(hi, lo) -> stored digest, for the batch's ids that the store holds."""
        maybe = readable & known.ids(self.con).maybe_keys(self.hi)
        if not maybe.any():
            return {}
        ids = self.table.select(["id"]).filter(pa.array(maybe))
        rows = _with(self.con, ids, _LOOKUP, fetch=lambda r: r.fetchall())
        return {(int(hi), int(lo)): digest for hi, lo, digest in rows}

    def _stored_raw(self, key: tuple[int, int]) -> bytes:
        sid = f"{(key[0] << 64) | key[1]:032x}"
        (raw,) = self.con.execute("SELECT CAST(raw AS VARCHAR) FROM statements WHERE id = CAST(? AS UUID)", [sid]).fetchall()[0]
        return str(raw).encode()

    # --- the batch's side -------------------------------------------------------------------------
    def _decide(self, fixed: np.ndarray) -> None:
        """Statuses of the rows not fixed (rejected as unreadable, or refused) from scratch."""
        status = fixed.copy()
        self.chained = {}
        if self._voiding:
            self._chained(status)
        alive = np.flatnonzero(status == NEW)
        if not self.stored and _distinct(self.hi[alive]):  # the usual batch: every id new, and once
            self.status = status
            return
        order = alive[np.lexsort((self.seq[alive], self.lo[alive], self.hi[alive]))]
        hi, lo = self.hi[order], self.lo[order]
        start = np.ones(len(order), dtype=bool)
        start[1:] = (hi[1:] != hi[:-1]) | (lo[1:] != lo[:-1])
        first = order[np.maximum.accumulate(np.where(start, np.arange(len(order)), 0))]
        repeats = order[~start]
        held = order[start]
        if self.stored:
            held = held[[(int(h), int(lo_)) in self.stored for h, lo_ in zip(self.hi[held], self.lo[held], strict=True)]]
        else:
            held = held[:0]
        first_of = np.empty(len(status), dtype=np.int64)
        first_of[order] = first
        for row in sorted([*repeats.tolist(), *held.tolist()]):
            status[row] = DUPLICATE if self._same(row, int(first_of[row])) else CONFLICT
        self.status = status

    def reason(self, row: int) -> str:
        """Why a rejected row is rejected (without its location)."""
        return self.unreadable.get(row) or self.chained[row]

    def _same(self, row: int, first: int) -> bool:
        """Whether ``row`` has the content of the statement holding its id (stored, else the batch's first)."""
        key = (int(self.hi[row]), int(self.lo[row]))
        held = key in self.stored
        mine = self._value("digest", row)
        theirs = self.stored[key] if held else self._value("digest", first)
        # two derived ids carry no digest (None == None: the same id is the same content);
        # a given id against a derived one (rare) is compared by the xAPI rules, from raw
        if (mine is None) != (theirs is None):
            mine = content_digest(orjson.loads(self._raw(row)))
            theirs = content_digest(orjson.loads(self._stored_raw(key) if held else self._raw(first)))
        return bool(mine == theirs)

    def _raw(self, row: int) -> bytes:
        return str(self._value("raw", row)).encode()

    def _chained(self, status: np.ndarray) -> None:
        """Reject voiding statements aimed at voiding statements (stored, or in the batch)."""
        targets = self.table.column("void_target").to_pylist()
        ids = self.table.column("id").to_pylist()
        voiding_rows = [row for row in np.flatnonzero(status == NEW).tolist() if targets[row] is not None]
        aimed = {targets[row] for row in voiding_rows}
        voiding_ids = {ids[row].lower() for row in voiding_rows} | voiding.stored_voiding(self.con, sorted(aimed))
        for row in voiding_rows:
            if targets[row] in voiding_ids:
                status[row] = REJECTED
                self.chained[row] = f"voiding statement targets {targets[row]}, which is itself a voiding statement (xAPI forbids voiding a voiding statement)"

    # --- the LRS's policy ----------------------------------------------------------------------
    def _refuse_first(self, requests: np.ndarray, fixed: np.ndarray) -> bool:
        """Refuse the first request holding a problem; False when there is none.

        One at a time, in order: a later request's problem may be caused by a row of an
        earlier refused request (the same id), and goes away with it.
        """
        problems = np.flatnonzero((self.status == CONFLICT) | (self.status == REJECTED))
        if not len(problems):
            return False
        row = int(problems[np.argmin(self.seq[problems])])
        request = int(requests[row])
        if self.status[row] == CONFLICT:
            refusal = Refusal(True, f"statement {self._value('id', row)} already exists with other content")
        elif row in self.unreadable:
            refusal = Refusal(False, f"a statement cannot be stored: {self.unreadable[row]}")
        else:
            refusal = Refusal(False, f"statement {self._value('id', row)} voids {self._value('void_target', row)}, which is itself a voiding statement")
        self.refused[request] = refusal
        fixed[requests == request] = REFUSED
        return True


def _distinct(keys: np.ndarray) -> bool:
    """Whether no two of ``keys`` are equal (a sort: a quarter of the lexsort it spares)."""
    ordered = np.sort(keys)
    return not bool((ordered[1:] == ordered[:-1]).any())


def _record_rejects(con: duckdb.DuckDBPyConnection, rejects: pa.Table, table: pa.Table, screen: _Screen) -> None:
    """The batch's rejected records and its rows rejected here (file policy), with their reasons."""
    rows = np.flatnonzero(screen.status == REJECTED).tolist()
    if rows:
        take = table.take(rows)
        lines, indexes = take.column("line").to_pylist(), take.column("item_index").to_pylist()
        reasons = [located(screen.reason(row), line, index) for row, line, index in zip(rows, lines, indexes, strict=True)]
        raw = pc.cast(take.column("raw").combine_chunks().storage, pa.string())
        mine = pa.table([take.column("source"), take.column("line"), take.column("item_index"), raw, pa.array(reasons, pa.string())], schema=REJECT_SCHEMA)
        rejects = pa.concat_tables([rejects, mine]) if rejects.num_rows else mine
    if rejects.num_rows:
        _with(con, rejects, f"INSERT INTO rejected (source, line, element, raw, reason) SELECT source, line, item_index, raw, reason FROM {_SOME}")


def _voids(con: duckdb.DuckDBPyConnection, rows: pa.Table, known: Known) -> bool:
    """Whether the new ``rows`` hold a voiding statement or an id a stored voiding statement names."""
    if not rows.num_rows:
        return False
    if rows.column("void_target").null_count < rows.num_rows:
        return True
    targets = known.void_targets(con)
    if not targets:
        return False
    named = pc.is_in(pc.utf8_lower(rows.column("id")), value_set=pa.array(sorted(targets), pa.string()))
    return bool(pc.any(named).as_py())


def _with(
    con: duckdb.DuckDBPyConnection,
    table: pa.Table,
    sql: str,
    params: dict[str, Any] | None = None,
    fetch: Callable[[duckdb.DuckDBPyConnection], Any] = lambda result: result.fetchall(),
) -> Any:
    """``fetch`` of the result of ``sql``, run with ``table`` visible as :data:`_SOME`."""
    con.register(_SOME, table)
    try:
        return fetch(con.execute(sql, params or {}))
    finally:
        con.unregister(_SOME)
