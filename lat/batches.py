"""Turning raw records into one columnar batch: parse, validate, prepare, flatten.

This is the CPU-heavy half of the ingest and it is pure (no store access), so it can run in
worker processes: :func:`build` takes plain tuples and returns a :class:`Batch` of pyarrow
tables, which pickle cheaply. The store-side half (dedupe, voiding, the transaction) is in
:mod:`lat.ingest`.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import pyarrow as pa

from lat import vocab
from lat.flatten import flatten
from lat.ids import content_digest, derived_id

DEFAULT_VERSION = "1.0.0"  # xAPI: an LRS sets version to 1.0.0 when a statement has none

# (source, line, index in a JSON array, raw text / bytes / parsed dict, reason if already rejected)
RawItem = tuple[str, int | None, int | None, bytes | str | dict[str, Any], str | None]

_TEXT = ("id", "actor_key", "verb", "object_id", "object_type", "activity_type", "parent_id", "registration",
         "response", "timestamp", "school", "hub", "round", "area", "item", "respondent_group", "phase", "version")
_FLOAT = ("score_raw", "score_scaled", "score_min", "score_max", "duration_s")
_BOOL = ("success", "completion")
_JSON = ("context_extensions", "result_extensions")

STATEMENT_SCHEMA = pa.schema(
    [("seq", pa.int64()), ("source", pa.string()), ("line", pa.int64()), ("item_index", pa.int64()),
     ("location", pa.string()), ("digest", pa.binary()), ("void_target", pa.string())]
    + [(name, pa.string()) for name in _TEXT]
    + [(name, pa.float64()) for name in _FLOAT]
    + [(name, pa.bool_()) for name in _BOOL]
    + [(name, pa.string()) for name in _JSON]
    + [("raw", pa.string())]
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


def build(items: Sequence[RawItem], stored: str) -> Batch:
    """Parse, validate, prepare and flatten ``items`` into a :class:`Batch` (pure; runs in workers)."""
    validate = validator()
    # Parsing allocates millions of containers that all die young; the cyclic GC would
    # rescan them over and over (about a third of the time), so it pauses during a batch.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _build(items, stored, validate)
    finally:
        if paused:
            gc.enable()


def _build(items: Sequence[RawItem], stored: str, validate: Callable[[dict[str, Any]], str | None]) -> Batch:
    columns: dict[str, list[Any]] = {name: [] for name in STATEMENT_SCHEMA.names}
    rejects: dict[str, list[Any]] = {name: [] for name in REJECT_SCHEMA.names}
    for seq, (source, line, index, raw, reason) in enumerate(items):
        where = location(line, index)
        stmt = None
        if reason is None:
            stmt, reason = _parse(raw, line)
        if stmt is not None and reason is None:
            reason = validate(stmt) or _voiding_problem(stmt)
        if reason is not None:
            _add_reject(rejects, source, line, index, raw, f"{where}: {reason}" if where else reason)
            continue
        assert stmt is not None
        derived = None if "id" in stmt else derived_id(stmt)
        _add_statement(columns, seq, source, line, index, where, _prepare(stmt, stored, derived), derived)
    return Batch(
        statements=pa.table(columns, schema=STATEMENT_SCHEMA),
        rejects=pa.table(rejects, schema=REJECT_SCHEMA),
        read=len(items),
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


def _add_statement(columns: dict[str, list[Any]], seq: int, source: str, line: int | None, index: int | None,
                   where: str, stmt: dict[str, Any], derived: str | None) -> None:
    row = flatten(stmt)
    columns["seq"].append(seq)
    columns["source"].append(source)
    columns["line"].append(line)
    columns["item_index"].append(index)
    columns["location"].append(where)
    # Only a statement that came with its own id needs a digest: two statements with the same
    # derived id have the same content by construction (see lat.ids), and the rare collision
    # of a derived id with a given one is settled in lat.ingest from the raw statements.
    columns["digest"].append(content_digest(stmt) if derived is None else None)
    is_voiding = row["verb"] == vocab.VOIDED
    columns["void_target"].append(str(stmt["object"]["id"]).lower() if is_voiding else None)
    for name in _TEXT:
        value = row[name]
        columns[name].append(None if value is None else str(value))
    for name in _FLOAT:
        value = row[name]
        # the validator guarantees numbers; anything else stays only in ``raw``
        columns[name].append(float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None)
    for name in _BOOL:
        value = row[name]
        columns[name].append(value if isinstance(value, bool) else None)
    for name in _JSON:
        value = row[name]
        columns[name].append(None if value is None else orjson.dumps(value).decode())
    columns["raw"].append(orjson.dumps(stmt).decode())


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
