"""Turning raw records into one columnar batch: parse, validate, prepare.

This is the CPU-heavy half of the ingest and it is pure (no store access), so it runs in
worker processes: :func:`build` takes plain tuples (or :class:`lat.readers.LineBlock`s of
NDJSON lines) and returns a :class:`Batch` of pyarrow tables, which pickle cheaply. The
store-side half (flattening in SQL, dedupe, voiding, the transaction) is in :mod:`lat.ingest`.

Python does only what needs Python: parse, validate, the id, the digest, the defaults of
``prepare``, and the two columns SQL cannot say simply (``actor_key``, ``duration_s``).
Every other column of ``statements`` is flattened by DuckDB from ``raw`` (see
:func:`lat.flatten.sql_columns`), which is several times cheaper than Python building them.
"""

from __future__ import annotations

import array
import gc
import importlib
import itertools
import os
import uuid
import importlib.util
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import pyarrow as pa

from lat import vocab
from lat.flatten import actor_key, duration_seconds, profile_override
from lat.ids import content_digest, derived_id, identity
from lat.readers import LineBlock

DEFAULT_VERSION = "1.0.0"  # xAPI: an LRS sets version to 1.0.0 when a statement has none

# (source, line, index in a JSON array, raw text / bytes / parsed dict, reason if already rejected)
RawItem = tuple[str, int | None, int | None, bytes | str | dict[str, Any], str | None]
# what a batch is built from: single items, or blocks of NDJSON lines (read by lat.readers)
Part = RawItem | LineBlock

STATEMENT_SCHEMA = pa.schema(
    [("seq", pa.int64()), ("source", pa.string()), ("line", pa.int64()), ("item_index", pa.int64()),
     ("id", pa.string()), ("timestamp", pa.string()), ("registration", pa.string()), ("digest", pa.binary()),
     ("void_target", pa.string()), ("actor_key", pa.string()), ("duration_s", pa.float64()),
     ("profile", pa.string()), ("raw", pa.json_(pa.large_string()))]
)
REJECT_SCHEMA = pa.schema(
    [("source", pa.string()), ("line", pa.int64()), ("item_index", pa.int64()), ("raw", pa.string()),
     ("reason", pa.string())]
)


@dataclass
class Batch:
    """One batch, ready for the store: candidate statements and the records already rejected."""

    statements: pa.Table
    rejects: pa.Table
    read: int
    stored: str  # the batch's ``stored`` value (ISO 8601, UTC)


@dataclass
class Spilled:
    """A :class:`Batch` whose statements a worker wrote to an Arrow IPC file (see :func:`build_spilled`)."""

    path: str
    rejects: pa.Table
    read: int
    stored: str


def build_spilled(items: Iterable[Part], stored: str, directory: str) -> Spilled:
    """:func:`build`, with the statements written to an Arrow file in ``directory`` (for worker processes).

    Returning the table through the pool would pickle it, pipe it and unpickle it: four copies
    of ~70 MB per batch. A file in ``/dev/shm`` costs one, and the writer maps it without copying.
    """
    batch = build(items, stored)
    path = os.path.join(directory, f"batch-{os.getpid()}-{uuid.uuid4().hex}.arrow")
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, batch.statements.schema) as writer:
        writer.write_table(batch.statements)
    return Spilled(path, batch.rejects, batch.read, batch.stored)


def unspill(spilled: Spilled) -> Batch:
    """The :class:`Batch` of a spilled one, its statements memory-mapped (the caller deletes the file)."""
    # the buffers keep the mapping alive after the file is deleted; it goes with the table
    table = pa.ipc.open_file(pa.memory_map(spilled.path)).read_all()
    return Batch(statements=table, rejects=spilled.rejects, read=spilled.read, stored=spilled.stored)


def iso(moment: datetime) -> str:
    """xAPI timestamp text of an aware datetime, in UTC with microseconds: 2025-01-31T09:00:00.000000Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def prepare(stmt: dict[str, Any], *, stored: datetime) -> dict[str, Any]:
    """A copy of ``stmt`` as the store keeps it: ``id``, ``stored``, ``timestamp``, ``version`` set.

    An id-less statement gets its deterministic id (:func:`lat.ids.derived_id`, computed before
    ``timestamp`` is defaulted so that re-importing gives the same id); ``stored`` is the ingest
    time; a missing ``timestamp`` becomes ``stored``; a missing ``version`` becomes 1.0.0.
    """
    return _prepare(stmt, iso(stored))


def _prepare(stmt: dict[str, Any], stored: str, derived: str | None = None) -> dict[str, Any]:
    out = dict(stmt)
    if "id" not in out:
        out["id"] = derived or derived_id(stmt)
    out["stored"] = stored
    out.setdefault("timestamp", stored)
    out.setdefault("version", DEFAULT_VERSION)
    return out


def location(line: int | None, index: int | None) -> str:
    """Where a record was found, as reasons quote it: 'line 7' or 'element 3 (line 40)'."""
    if index is not None:
        return f"element {index} (line {line})" if line is not None else f"element {index}"
    return f"line {line}" if line is not None else ""


def build(items: Iterable[Part], stored: str) -> Batch:
    """Parse, validate and prepare ``items`` into a :class:`Batch` (pure; runs in workers)."""
    validate = validator()
    # Parsing allocates millions of containers that all die young; the cyclic GC would
    # rescan them over and over (about a third of the time), so it pauses during a batch.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _build(_records(items), stored, validate)
    finally:
        if paused:
            gc.enable()


def _records(parts: Iterable[Part]) -> Iterator[RawItem]:
    """Every record of ``parts`` as a RawItem (blank NDJSON lines are no records)."""
    for part in parts:
        if isinstance(part, LineBlock):
            source = part.source
            for number, text in part.numbered():
                yield source, number, None, text, None
        else:
            yield part  # type: ignore[misc]


class _Columns:
    """The batch's columns as Python lists, appended to row by row."""

    def __init__(self) -> None:
        self.seq: list[int] = []
        self.source: list[str] = []
        self.line: list[int | None] = []
        self.item_index: list[int | None] = []
        self.id: list[str] = []
        self.timestamp: list[str] = []
        self.registration: list[str | None] = []
        self.digest: list[bytes | None] = []
        self.void_target: list[str | None] = []
        self.actor_key: list[str | None] = []
        self.duration_s: list[float | None] = []
        self.profile: list[bytes | None] = []
        self.raw: list[bytes] = []

    def table(self) -> pa.Table:
        arrays = [pa.array(getattr(self, name), type=STATEMENT_SCHEMA.field(name).type)
                  for name in STATEMENT_SCHEMA.names if name not in ("profile", "raw")]
        # orjson writes valid UTF-8: the bytes become strings without a copy or a check
        arrays.append(pa.array(self.profile, type=pa.binary()).view(pa.string()))
        # typed JSON (Arrow's canonical extension): DuckDB takes it as its JSON type without
        # parsing it again on insert (orjson wrote it, so it is valid JSON)
        arrays.append(pa.ExtensionArray.from_storage(pa.json_(pa.large_string()), _large_strings(self.raw)))
        return pa.Table.from_arrays(arrays, schema=STATEMENT_SCHEMA)


def _large_strings(values: list[bytes]) -> pa.Array:
    """A large_string array of UTF-8 ``values``: one join and one offsets pass (pa.array copies item by item)."""
    offsets = array.array("q", [0])
    offsets.extend(itertools.accumulate(map(len, values)))
    data = b"".join(values)
    return pa.LargeStringArray.from_buffers(len(values), pa.py_buffer(offsets), pa.py_buffer(data))


def _build(items: Iterable[RawItem], stored: str, validate: Callable[[dict[str, Any]], str | None]) -> Batch:
    columns = _Columns()
    rejects: dict[str, list[Any]] = {name: [] for name in REJECT_SCHEMA.names}
    read = 0
    for seq, (source, line, index, raw, reason) in enumerate(items):
        read += 1
        stmt = None
        if reason is None:
            stmt, reason = _parse(raw, line)
        if stmt is not None and reason is None:
            reason = validate(stmt) or _voiding_problem(stmt)
        if reason is not None:
            where = location(line, index)
            _add_reject(rejects, source, line, index, raw, f"{where}: {reason}" if where else reason)
            continue
        assert stmt is not None
        _add_statement(columns, seq, source, line, index, stmt, stored)
    return Batch(
        statements=columns.table(),
        rejects=pa.table(rejects, schema=REJECT_SCHEMA),
        read=read,
        stored=stored,
    )


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


def _add_statement(columns: _Columns, seq: int, source: str, line: int | None, index: int | None,
                   stmt: dict[str, Any], stored: str) -> None:
    """One valid statement's row: what only Python knows; DuckDB flattens the rest from ``raw``."""
    # Only a statement that came with its own id needs a digest: two statements with the same
    # derived id have the same content by construction (see lat.ids), and the rare collision
    # of a derived id with a given one is settled in lat.ingest from the raw statements.
    if "id" in stmt:
        columns.digest.append(content_digest(stmt))
        prepared = _prepare(stmt, stored)
        columns.id.append(prepared["id"])
        columns.raw.append(orjson.dumps(prepared))
    else:
        columns.digest.append(None)
        sid, canonical = identity(stmt)
        columns.id.append(sid)
        columns.raw.append(_prepared_json(stmt, canonical, sid, stored))
    columns.timestamp.append(stmt.get("timestamp", stored))
    columns.seq.append(seq)
    columns.source.append(source)
    columns.line.append(line)
    columns.item_index.append(index)
    # the validator guarantees the shapes read here (objects where objects belong)
    context = stmt.get("context")
    columns.registration.append(context.get("registration") if context is not None else None)
    obj = stmt["object"]
    columns.void_target.append(obj["id"].lower() if stmt["verb"]["id"] == vocab.VOIDED else None)
    columns.actor_key.append(actor_key(stmt["actor"]))
    result = stmt.get("result")
    columns.duration_s.append(duration_seconds(result.get("duration")) if result is not None else None)
    override = profile_override(stmt)
    columns.profile.append(None if override is None else orjson.dumps(override))


def _prepared_json(stmt: dict[str, Any], canonical: bytes, sid: str, stored: str) -> bytes:
    """``orjson.dumps(_prepare(stmt, stored, sid))``, up to key order, from the id's canonical JSON.

    The canonical JSON already holds every property but ``id``, ``stored``, ``authority`` and
    ``version``; these (and a defaulted ``timestamp``) go in front, so the statement is
    serialised once, not twice.
    """
    head: dict[str, Any] = {"id": sid, "stored": stored}
    if "timestamp" not in stmt:
        head["timestamp"] = stored
    head["version"] = stmt.get("version", DEFAULT_VERSION)
    if "authority" in stmt:
        head["authority"] = stmt["authority"]
    # a valid statement has actor, verb and object: canonical is never "{}"
    return orjson.dumps(head)[:-1] + b"," + canonical[1:]


def _add_reject(rejects: dict[str, list[Any]], source: str, line: int | None, index: int | None,
                raw: bytes | str | dict[str, Any], reason: str) -> None:
    rejects["source"].append(source)
    rejects["line"].append(line)
    rejects["item_index"].append(index)
    rejects["raw"].append(_text(raw))
    rejects["reason"].append(reason)


def _text(raw: bytes | str | dict[str, Any]) -> str:
    if isinstance(raw, bytes):
        return raw.decode("utf-8", errors="replace")
    if isinstance(raw, str):
        return raw
    return orjson.dumps(raw, default=str).decode()


def validator() -> Callable[[dict[str, Any]], str | None]:
    """``lat.validation.validate`` when the module exists, else the minimal structural check."""
    if importlib.util.find_spec("lat.validation") is None:
        return _minimal_validate
    return importlib.import_module("lat.validation").validate  # type: ignore[no-any-return]


def _minimal_validate(stmt: dict[str, Any]) -> str | None:
    """Just enough structure for the store (used only until lat.validation exists)."""
    for key in ("actor", "verb", "object"):
        if not isinstance(stmt.get(key), dict):
            return f"'{key}' is missing or not an object"
    if not isinstance(stmt["verb"].get("id"), str):
        return "'verb.id' is missing"
    if "id" in stmt and not isinstance(stmt["id"], str):
        return "'id' must be a string (a UUID)"
    return None
