"""The organisation registry: countries, hubs, schools, people and mentoring pairs.

A hub keeps its registry as CSV files in one directory (see docs/registry.md). Importing is
two steps, so that nothing is ever half-imported:

1. :func:`load` reads and validates every file *in memory* and collects every problem it
   finds (file, line, column, what is wrong); if there is any, it raises one
   :class:`~lat.errors.LatError` listing them all.
2. :func:`write` replaces the registry tables with the loaded rows in one DuckDB
   transaction (upsert, then delete what the files no longer hold) and re-applies school
   attribution (:func:`lat.store.attribution.apply`) in that same transaction.

:func:`import_dir` does both. The registry in memory is :mod:`lat.registry.model`; reading and
checking the files is :mod:`lat.registry.checks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:  # pyarrow is imported when the registry is written (see _replace)
    import pyarrow as pa

from lat.errors import LatError
from lat.registry.checks import SPECS, VALIDATORS, Checker, read_rows
from lat.registry.model import TABLES, Registry, RegistryInvalid
from lat.store import attribution


def load(directory: Path) -> Registry:
    """Read and validate the registry CSV files in ``directory``.

    Raises :class:`RegistryInvalid` (a :class:`LatError`) listing every problem found.
    """
    if not directory.is_dir():
        raise LatError(f"registry directory {directory} does not exist (it should hold countries.csv, hubs.csv, schools.csv)")
    checker = Checker(directory)
    registry = Registry()
    for table, validate in VALIDATORS.items():
        rows = read_rows(checker.path(table), SPECS[table], checker.issues)
        if rows is not None:
            setattr(registry, table, validate(checker, rows))
    if checker.issues:
        raise RegistryInvalid(directory, checker.issues)
    return registry


# --- writing -------------------------------------------------------------------------------

# table -> (key column or None for "replace all", columns in schema order)
_COLUMNS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "countries": ("country_id", ("country_id", "name")),
    "hubs": ("hub_id", ("hub_id", "name", "country")),
    "schools": ("school_id", ("school_id", "name", "country", "hub", "level", "teachers", "students", "language")),
    "people": ("person_id", ("person_id", "school", "role", "actor")),
    "mentoring": (None, ("mentor", "mentee_school", "start", "end")),
}


def write(con: duckdb.DuckDBPyConnection, registry: Registry) -> int:
    """Make the store's registry tables hold exactly ``registry``, in one transaction.

    Rows are upserted by id, rows the files no longer hold are deleted (the directory is the
    full registry), and school attribution is re-applied. Returns the number of statements
    whose school or hub changed.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        for table in TABLES:
            _replace(con, table, getattr(registry, table))
        changed = attribution.apply(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return changed


def _replace(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[object]) -> None:
    import pyarrow as pa

    key, columns = _COLUMNS[table]
    data = pa.table({column: [getattr(row, column) for row in rows] for column in columns}, schema=_arrow_schema(columns))
    view = f"_lat_new_{table}"
    quoted = ", ".join(f'"{c}"' for c in columns)
    con.register(view, data)
    try:
        if key is None:  # no natural key (a pair may repeat over time): replace the whole table
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM {view}")
            return
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c != key)
        con.execute(f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM {view} ON CONFLICT ({key}) DO UPDATE SET {updates}")
        con.execute(f"DELETE FROM {table} WHERE {key} NOT IN (SELECT {key} FROM {view})")
    finally:
        con.unregister(view)


def _arrow_schema(columns: tuple[str, ...]) -> pa.Schema:
    import pyarrow as pa

    types = {"teachers": pa.int32(), "students": pa.int32(), "start": pa.date32(), "end": pa.date32()}
    return pa.schema([(c, types.get(c, pa.string())) for c in columns])


@dataclass(frozen=True)
class ImportResult:
    """What a registry import did: rows per table and statements reattributed."""

    counts: dict[str, int]  # rows per table after the import
    reattributed: int  # statements whose school or hub changed


def import_dir(con: duckdb.DuckDBPyConnection, directory: Path) -> ImportResult:
    """Validate ``directory`` fully, then write it (see :func:`load` and :func:`write`)."""
    registry = load(directory)
    changed = write(con, registry)
    return ImportResult(registry.counts(), changed)


# --- reading back --------------------------------------------------------------------------


def overview(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Rows per registry table, and per hub its schools, teachers (head count) and mentoring pairs."""
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}
    hubs = con.execute(
        """
        SELECT h.hub_id, h.name, h.country,
               (SELECT count(*) FROM schools s WHERE s.hub = h.hub_id) AS schools,
               (SELECT coalesce(sum(s.teachers), 0) FROM schools s WHERE s.hub = h.hub_id) AS teachers,
               (SELECT count(*) FROM mentoring m JOIN schools s ON s.school_id = m.mentee_school
                 WHERE s.hub = h.hub_id) AS mentoring_pairs
        FROM hubs h ORDER BY h.hub_id
        """
    ).fetchall()
    keys = ("hub_id", "name", "country", "schools", "teachers", "mentoring_pairs")
    return {"tables": counts, "hubs": [dict(zip(keys, (*row[:3], *map(int, row[3:])), strict=True)) for row in hubs]}
