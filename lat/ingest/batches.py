"""Turning raw records into columnar rows: parse, validate, build rows.

This is the CPU-heavy half of the ingest and it is pure (no store access): :func:`build`
takes plain tuples (or :class:`lat.ingest.readers.LineBlock`s of NDJSON lines) and returns a
:class:`Batch` of pyarrow tables. File ingest runs it in builder threads on parts of a batch
(a block of lines each) and joins the parts with :func:`lat.store.batch.combine`. The store-side half
(screening, the insert, voiding, the transaction) is :mod:`lat.store.writer`.

A block of NDJSON lines goes to :func:`lat.ingest.fastpath.scan_table` first: the C fast path builds
the rows of the records it can prove valid straight into an Arrow table, without the GIL, and
hands back the others. Those, and every other record, take the Python path: parse (orjson),
:func:`lat.xapi.validation.validate`, the store's rule for voiding statements, then
:func:`lat.store.rows.add_statement`: the one row builder, so a row is the same whichever path built it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from lat.ingest import fastpath
from lat.ingest.readers import LineBlock
from lat.store.batch import REJECT_SCHEMA, Batch, iso, located
from lat.store.rows import DEFAULT_VERSION, Columns, add_statement
from lat.xapi import vocab
from lat.xapi.ids import derived_id
from lat.xapi.validation import validate

# (source, line, index in a JSON array, raw text / bytes / parsed dict, reason if already rejected)
RawItem = tuple[str, int | None, int | None, bytes | str | dict[str, Any], str | None]
# what a batch is built from: single items, or blocks of NDJSON lines (read by lat.ingest.readers)
Part = RawItem | LineBlock


def prepare(stmt: dict[str, Any], *, stored: datetime) -> dict[str, Any]:
    """A copy of ``stmt`` as the store keeps it: ``id``, ``stored``, ``timestamp``, ``version`` set.

    An id-less statement gets its deterministic id (:func:`lat.xapi.ids.derived_id`, computed before
    ``timestamp`` is defaulted so that re-importing gives the same id); ``stored`` is the ingest
    time; a missing ``timestamp`` becomes ``stored``; a missing ``version`` becomes 1.0.0.
    """
    out = dict(stmt)
    if "id" not in out:
        out["id"] = derived_id(stmt)
    out["stored"] = iso(stored)
    out.setdefault("timestamp", out["stored"])
    out.setdefault("version", DEFAULT_VERSION)
    return out


def build(items: Iterable[Part], stored: str, seq: int = 0) -> Batch:
    """Parse, validate and build the rows of ``items`` into a :class:`Batch` (pure; thread-safe).

    Records are numbered (``seq``) in input order from ``seq`` on; the rows of a batch are in
    no particular order (the fast path's come first), ``seq`` says which came first.
    """
    # Parsing allocates millions of containers that all die young; the cyclic GC would
    # rescan them over and over (about a third of the time), so it pauses during a batch.
    # (lat.ingest.engine pauses it for a whole ingest instead: its builder threads share the switch.)
    with gc_paused():
        return _build(items, stored, seq)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic GC off inside; back on after only if it was on before (so pauses nest)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


class _Rejects:
    """The batch's rejected records, one list per column of :data:`REJECT_SCHEMA`."""

    def __init__(self) -> None:
        self.lists: dict[str, list[Any]] = {name: [] for name in REJECT_SCHEMA.names}

    def add(self, source: str, line: int | None, index: int | None, raw: bytes | str | dict[str, Any], reason: str) -> None:
        for name, value in zip(REJECT_SCHEMA.names, (source, line, index, _text(raw), located(reason, line, index)), strict=True):
            self.lists[name].append(value)

    def table(self) -> pa.Table:
        return pa.table(self.lists, schema=REJECT_SCHEMA)


def _build(items: Iterable[Part], stored: str, seq: int) -> Batch:
    fast: list[pa.Table] = []  # rows the C fast path built, one table per block
    columns = Columns()  # rows the Python path built
    rejects = _Rejects()
    first = seq
    line: int | None  # a pending line of a block has its number; a single item may have none
    for part in items:
        if isinstance(part, LineBlock):
            seen, table, pending = fastpath.scan_table(part, seq, stored)
            if table.num_rows:
                fast.append(table)
            for number, line, text in pending:
                _add(columns, rejects, number, part.source, line, None, text, None, stored)
            seq += seen
        else:
            source, line, index, raw, reason = part
            _add(columns, rejects, seq, source, line, index, raw, reason, stored)
            seq += 1
    proven = sum(table.num_rows for table in fast)  # the first rows: the fast path's
    if len(columns) or not fast:
        fast.append(columns.table())
    statements = fast[0] if len(fast) == 1 else pa.concat_tables(fast)
    return Batch(statements=statements, rejects=rejects.table(), read=seq - first, stored=stored, proven=np.arange(statements.num_rows) < proven)


def _add(
    columns: Columns,
    rejects: _Rejects,
    seq: int,
    source: str,
    line: int | None,
    index: int | None,
    raw: bytes | str | dict[str, Any],
    reason: str | None,
    stored: str,
) -> None:
    """The Python path of one record: its row, or its rejection with the reason."""
    stmt = None
    if reason is None:
        stmt, reason = _parse(raw, line)
    if stmt is not None and reason is None:
        reason = validate(stmt) or _voiding_problem(stmt)
    if reason is not None:
        rejects.add(source, line, index, raw, reason)
        return
    assert stmt is not None
    add_statement(columns, seq, source, line, index, stmt, stored)


def _parse(raw: bytes | str | dict[str, Any], line: int | None) -> tuple[dict[str, Any] | None, str | None]:
    if isinstance(raw, dict):
        return raw, None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        # orjson counts lines within the item; report them as lines of the file
        at = f"column {exc.colno}" if exc.lineno == 1 or line is None else f"line {line + exc.lineno - 1}, column {exc.colno}"
        return None, f"not JSON: {exc.msg} at {at}"
    if not isinstance(value, dict):
        return None, f"not a statement: expected a JSON object, got {_json_kind(value)}"
    return value, None


def _json_kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


def _voiding_problem(stmt: dict[str, Any]) -> str | None:
    """The store's own rule for voiding statements (whatever the validator already checked)."""
    verb = stmt.get("verb")
    if not isinstance(verb, dict) or verb.get("id") != vocab.VOIDED:
        return None
    obj = stmt.get("object")
    if not isinstance(obj, dict) or obj.get("objectType") != "StatementRef" or not isinstance(obj.get("id"), str):
        return "voiding statement: its object must be a StatementRef with the id of the statement it voids"
    return None


def _text(raw: bytes | str | dict[str, Any]) -> str:
    if isinstance(raw, bytes):
        return raw.decode("utf-8", errors="replace")
    if isinstance(raw, str):
        return raw
    return orjson.dumps(raw, default=str).decode()
