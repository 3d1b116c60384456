"""A valid statement as the row the ``statements`` table stores: the one row builder.

File ingest, ``lat pull``, survey import and the LRS all turn statements into rows here, so
the flattened columns, the raw text kept and the ids are the same whatever the way in.

Two implementations give byte-identical rows:

* :func:`add_statement` in Python, from a parsed statement (any valid statement);
* the C fast path (:mod:`lat.ingest._fastxapi`, see :mod:`lat.ingest.fastpath`) straight from NDJSON text,
  for the statements it can prove valid by itself; it hands every other line back to the
  Python path. tests/test_fastpath.py checks that both give the same rows.

What a row holds (see docs/store.md for the table):

* ``raw``: the statement as stored: a head of ``id``, ``stored``, ``timestamp`` (when the
  statement had none), ``version`` and ``authority``, then every other property in canonical
  form (keys sorted, no spaces: :func:`lat.xapi.ids.identity`'s text, so the derived id's hash input
  is serialised once);
* ``school`` and ``hub``: the LAT profile's context extensions only. The registry's part of
  the attribution rule (:mod:`lat.store.attribution`) is applied by the writer when it inserts;
* ``digest``: :func:`lat.xapi.ids.content_digest` for a statement that came with its own id, None
  for a derived id (the same derived id means the same content by construction).
"""

from __future__ import annotations

import array
import itertools
from typing import Any

import orjson
import pyarrow as pa

from lat.xapi import vocab
from lat.xapi.fields import PROFILE_COLUMNS, actor_key, duration_seconds
from lat.xapi.ids import content_digest, identity

DEFAULT_VERSION = "1.0.0"  # xAPI: an LRS sets version to 1.0.0 when a statement has none

_STRING = pa.string()
_DOUBLE = pa.float64()
_BOOL = pa.bool_()
_JSON = pa.json_(pa.string())

# Every column of a built batch, in order. The C fast path appends to lists in this order.
ROW_SCHEMA = pa.schema([
    ("seq", pa.int64()),  # position of the record in its batch (first of an id wins)
    ("source", _STRING), ("line", pa.int64()), ("item_index", pa.int64()),
    ("id", _STRING), ("digest", pa.binary()), ("timestamp", _STRING), ("registration", _STRING),
    ("void_target", _STRING),  # lower-case id a voiding statement voids
    ("actor_key", _STRING), ("verb", _STRING), ("object_id", _STRING), ("object_type", _STRING),
    ("activity_type", _STRING), ("parent_id", _STRING),
    ("score_raw", _DOUBLE), ("score_scaled", _DOUBLE), ("score_min", _DOUBLE), ("score_max", _DOUBLE),
    ("success", _BOOL), ("completion", _BOOL), ("response", _STRING), ("duration_s", _DOUBLE),
    *((name, _STRING) for name, _ in PROFILE_COLUMNS),  # school, hub, round, area, item, respondent_group, phase
    # typed JSON (as raw): DuckDB takes them as its JSON type without parsing them again
    ("context_extensions", _JSON), ("result_extensions", _JSON), ("version", _STRING),
    ("raw", pa.json_(pa.large_string())),  # typed JSON: DuckDB takes it as its JSON type without parsing it
])  # fmt: skip
NAMES = tuple(ROW_SCHEMA.names)
# the columns of a row that come from the statement (not from where it was found)
STATEMENT_COLUMNS = NAMES[4:]


class Columns:
    """A batch's rows as one Python list per column (``lists[i]`` is column ``NAMES[i]``)."""

    def __init__(self) -> None:
        self.lists: list[list[Any]] = [[] for _ in NAMES]

    def __len__(self) -> int:
        return len(self.lists[0])

    def append(self, seq: int, source: str, line: int | None, index: int | None, values: tuple[Any, ...]) -> None:
        """One row: where it was found, then :func:`statement_values`' tuple."""
        for column, value in zip(self.lists, (seq, source, line, index, *values), strict=True):
            column.append(value)

    def table(self) -> pa.Table:
        """The rows as an Arrow table of :data:`ROW_SCHEMA`."""
        arrays = [pa.array(values, type=field.type) for field, values in zip(ROW_SCHEMA, self.lists[:-1], strict=False)]
        # orjson (or the C fast path) wrote the text: valid UTF-8 and valid JSON, so no copy and no check
        arrays.append(pa.ExtensionArray.from_storage(ROW_SCHEMA.field("raw").type, _large_strings(self.lists[-1])))
        return pa.Table.from_arrays(arrays, schema=ROW_SCHEMA)


def _large_strings(values: list[bytes]) -> pa.Array:
    """A large_string array of UTF-8 ``values``: one join and one offsets pass (pa.array copies item by item)."""
    offsets = array.array("q", [0])
    offsets.extend(itertools.accumulate(map(len, values)))
    return pa.LargeStringArray.from_buffers(len(values), pa.py_buffer(offsets), pa.py_buffer(b"".join(values)))


def statement_values(stmt: dict[str, Any], stored: str) -> tuple[Any, ...]:
    """The :data:`STATEMENT_COLUMNS` of a valid statement stored at ``stored`` (ISO 8601 text).

    ``stmt`` is as received (no ``stored``, maybe no ``id``, ``timestamp`` or ``version``);
    it is not changed.
    """
    sid, canonical = identity(stmt)
    digest = None
    if "id" in stmt:
        sid, digest = stmt["id"], content_digest(stmt)
    timestamp = stmt.get("timestamp", stored)
    version = stmt.get("version", DEFAULT_VERSION)
    context = stmt.get("context") or {}
    cext = context.get("extensions") or {}
    result = stmt.get("result") or {}
    score = result.get("score") or {}
    obj = stmt["object"]
    verb = stmt["verb"]["id"]
    definition = obj.get("definition") or {}
    return (
        sid, digest, timestamp, context.get("registration"),
        obj["id"].lower() if verb == vocab.VOIDED else None,
        actor_key(stmt["actor"]), verb, obj.get("id"), obj.get("objectType", "Activity"), definition.get("type"),
        _first_parent(context),
        _number(score.get("raw")), _number(score.get("scaled")), _number(score.get("min")), _number(score.get("max")),
        result.get("success"), result.get("completion"), result.get("response"),
        duration_seconds(result.get("duration")),
        *(json_text(cext.get(iri)) for _, iri in PROFILE_COLUMNS),
        _canonical(cext), _canonical(result.get("extensions")), version,
        _raw(stmt, sid, canonical, stored, version),
    )  # fmt: skip


def _first_parent(context: dict[str, Any]) -> str | None:
    parent = (context.get("contextActivities") or {}).get("parent")
    if isinstance(parent, dict):  # a single Activity: xAPI 0.95 habit, which the validator accepts
        parent = [parent]
    return parent[0].get("id") if parent else None


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def json_text(value: Any) -> str | None:
    """A profile extension's value as text: a string as it is, anything else as its JSON text
    (what DuckDB's ``json_extract_string`` gives; the attribution SQL reads it so)."""
    if value is None or value.__class__ is str:
        return value
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _canonical(extensions: Any) -> str | None:
    """An extensions object as canonical JSON text; None when absent or empty."""
    return orjson.dumps(extensions, option=orjson.OPT_SORT_KEYS).decode() if extensions else None


def _raw(stmt: dict[str, Any], sid: str, canonical: bytes, stored: str, version: str) -> bytes:
    """The stored statement's JSON: the head (id, stored, [timestamp], version, [authority]), then ``canonical``.

    ``canonical`` (from :func:`lat.xapi.ids.identity`) holds every property but ``id``, ``stored``,
    ``authority`` and ``version``; a valid statement has actor, verb and object, so it is never "{}".
    """
    head: dict[str, Any] = {"id": sid, "stored": stored}
    if "timestamp" not in stmt:
        head["timestamp"] = stored
    head["version"] = version
    if "authority" in stmt:
        head["authority"] = stmt["authority"]
    return orjson.dumps(head)[:-1] + b"," + canonical[1:]


def add_statement(columns: Columns, seq: int, source: str, line: int | None, index: int | None, stmt: dict[str, Any], stored: str) -> None:
    """Append the row of the valid statement ``stmt`` to ``columns``."""
    columns.append(seq, source, line, index, statement_values(stmt, stored))


def flatten(stmt: dict[str, Any]) -> dict[str, Any]:
    """The ``statements`` columns of a stored statement (``stored`` set), by :func:`statement_values`.

    Without ``raw``'s neighbours ``source`` and ``voided``; ``school`` and ``hub`` are the
    profile's extensions only (the writer adds the registry's part, see :mod:`lat.store.attribution`);
    ``context_extensions`` and ``result_extensions`` are canonical JSON text.
    """
    stored: Any = stmt.get("stored")  # set on every stored statement
    row = dict(zip(STATEMENT_COLUMNS, statement_values(stmt, stored), strict=True))
    del row["void_target"]
    row["stored"] = stored
    return row
