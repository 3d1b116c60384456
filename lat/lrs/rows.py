"""Rows of the ``statements`` table for a commit group, built in Python and inserted with one SQL statement.

Why not :func:`lat.ingest.write_batch`: file ingest must sort every record into new,
duplicate, conflict or rejected inside the transaction (a dozen SQL statements, temporary
tables, a join with the whole store), a fixed ~30 ms of CPU per batch. The LRS has already
done all of that before a group reaches the store (validation in the request thread, 409s
and duplicates screened by the writer), so what is left is one ``INSERT`` of rows that are
certainly new. The columns come from the same rules as file ingest: :func:`lat.flatten.flatten`
(kept equal to the ingest's SQL flattening by tests/test_ingest_flatten.py) and
:mod:`lat.attribution`'s rule, applied here from the registry maps of :class:`lat.lrs.known.Known`
(tests/test_lrs_units.py checks that ``lat.attribution.apply`` finds nothing to change after).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
import pyarrow as pa

from lat import vocab
from lat.flatten import flatten

_STRING = ("id", "actor_key", "verb", "object_id", "object_type", "activity_type", "parent_id", "registration",
           "response", "timestamp", "stored", "school", "hub", "round", "area", "item", "respondent_group", "phase",
           "context_extensions", "result_extensions", "version", "source")
_DOUBLE = ("score_raw", "score_scaled", "score_min", "score_max", "duration_s")
_BOOL = ("success", "completion")
SCHEMA = pa.schema([*((n, pa.string()) for n in _STRING), *((n, pa.float64()) for n in _DOUBLE),
                    *((n, pa.bool_()) for n in _BOOL), ("digest", pa.binary()), ("raw", pa.json_(pa.string()))])

# DuckDB reads the text columns into their types; raw arrives typed as JSON (Arrow's JSON
# extension type), so it is not parsed again.
INSERT = """
INSERT INTO statements BY NAME
SELECT * REPLACE (CAST(id AS UUID) AS id, CAST(registration AS UUID) AS registration,
                  CAST("timestamp" AS TIMESTAMPTZ) AS "timestamp", CAST(stored AS TIMESTAMPTZ) AS stored,
                  CAST(context_extensions AS JSON) AS context_extensions,
                  CAST(result_extensions AS JSON) AS result_extensions),
       false AS voided
FROM lrs_rows
"""


def stored_form(stmt: dict[str, Any], stamp: str) -> dict[str, Any]:
    """The statement as the store keeps it (as :func:`lat.batches.prepare`): ``stored`` set,
    ``timestamp`` = ``stored`` when absent (the LRS has already set ``id`` and ``version``)."""
    out = dict(stmt)
    out["stored"] = stamp
    out.setdefault("timestamp", stamp)
    return out


def table(statements: list[tuple[dict[str, Any], bytes, str]], stamp: str,
          actors: Mapping[str, str], hubs: Mapping[str, str]) -> pa.Table:
    """The rows of ``(statement, content digest, source)`` triples, stored at ``stamp``."""
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
    for stmt, digest, source in statements:
        full = stored_form(stmt, stamp)
        row = flatten(full)
        row["school"], row["hub"] = _attributed(full, row["actor_key"], actors, hubs)
        row["context_extensions"] = _json(row["context_extensions"])
        row["result_extensions"] = _json(row["result_extensions"])
        row["source"] = source
        row["digest"] = digest
        row["raw"] = orjson.dumps(full).decode()
        for name, values in columns.items():
            values.append(row[name])
    arrays = [pa.array(columns[field.name], type=field.type) for field in SCHEMA if field.name != "raw"]
    raw = pa.ExtensionArray.from_storage(pa.json_(pa.string()), pa.array(columns["raw"], type=pa.string()))
    return pa.Table.from_arrays([*arrays, raw], schema=SCHEMA)


def _attributed(stmt: dict[str, Any], actor: str | None, actors: Mapping[str, str],
                hubs: Mapping[str, str]) -> tuple[str | None, str | None]:
    """School and hub by lat.attribution's rule: the school extension wins, else the registry's
    school of the actor; the hub is the registry's hub of that school, else the hub extension."""
    context = stmt.get("context")
    extensions = context.get("extensions") if isinstance(context, dict) else None
    extensions = extensions if isinstance(extensions, dict) else {}
    school = _text(extensions.get(vocab.EXT_SCHOOL))
    if school is None and actor is not None:
        school = actors.get(actor)
    hub = hubs.get(school) if school is not None else None
    return school, hub if hub is not None else _text(extensions.get(vocab.EXT_HUB))


def _text(value: Any) -> str | None:
    """A JSON value as DuckDB's json_extract_string gives it (the attribution SQL reads it so)."""
    if value is None or isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()
