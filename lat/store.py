"""The DuckDB store: opening it, creating its schema, and telling the user when it is busy.

DuckDB lets one process at a time open a database file for writing. Commands that write
(ingest, registry import, compute, the LRS) open the store briefly; the dashboard never opens
it and reads the published marts instead (see ``lat.marts`` and docs/architecture.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from lat.config import Settings, get_settings
from lat.errors import LatError, StoreBusy

_PID = re.compile(r"PID (\d+)")


def schema_sql() -> str:
    return resources.files("lat").joinpath("schema.sql").read_text(encoding="utf-8")


def connect(settings: Settings | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store (creating ``LAT_HOME`` and the schema when needed)."""
    settings = settings or get_settings()
    path: Path = settings.db_path
    if read_only and not path.exists():
        raise LatError(f"No store at {path}: run 'lat ingest' or 'lat demo' first (LAT_HOME={settings.home}).")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            pid = _PID.search(str(exc))
            holder = f" (process {pid.group(1)})" if pid else ""
            raise StoreBusy(
                f"The store {path} is in use by another LAT process{holder}; "
                "wait for it to finish or stop it, then run this again."
            ) from None
        raise LatError(f"Cannot open the store {path}: {exc}") from None
    if not read_only:
        con.execute(schema_sql())
    return con


@contextmanager
def session(settings: Settings | None = None, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """``with store.session() as con:`` opens the store and always closes it."""
    con = connect(settings, read_only=read_only)
    try:
        yield con
    finally:
        con.close()
