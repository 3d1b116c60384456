"""The ``mart_<name>`` tables of the published marts in the store."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.core.families import PARTITION


def publish_tables(
    con: duckdb.DuckDBPyConnection,
    frames: dict[str, pl.DataFrame],
    touched: pl.DataFrame | None = None,
    in_place: set[str] | frozenset[str] = frozenset(),
) -> None:
    """``mart_<name>`` tables in the store, in one transaction.

    A full run replaces every table whole. An update replaces only the touched (school, round)
    partitions' rows of the marts in ``in_place`` (rows that depend on their partition alone,
    so the other rows are those a full run would write): rewriting maturity_item whole (about
    700,000 rows at national scale) for 20 changed partitions cost an update a second. A table
    that is missing or whose columns or types differ from the frame's is replaced whole."""
    existing = _table_columns(con)
    con.execute("BEGIN TRANSACTION")
    try:
        for name, frame in frames.items():
            table = f"mart_{name}"
            if touched is not None and name in in_place and existing.get(table) == _frame_columns(con, frame):
                _replace_partitions(con, table, frame, touched)
                continue
            con.register("_lat_mart", frame.to_arrow())
            con.execute(f'CREATE OR REPLACE TABLE "{table}" AS SELECT * FROM _lat_mart')
            con.unregister("_lat_mart")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _replace_partitions(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, touched: pl.DataFrame) -> None:
    """Delete the touched partitions' rows of ``table`` and insert ``frame``'s rows for them
    (a partition with no rows left, e.g. all voided, is only deleted)."""
    keys = touched.select([pl.col(c).cast(frame.schema[c]) for c in PARTITION])
    con.register("_lat_touched", keys.to_arrow())
    con.execute(f'DELETE FROM "{table}" t USING _lat_touched k WHERE t.school = k.school AND t."round" = k."round"')
    con.register("_lat_mart", frame.join(keys, on=PARTITION, how="semi").to_arrow())
    con.execute(f'INSERT INTO "{table}" SELECT * FROM _lat_mart')
    con.unregister("_lat_mart")
    con.unregister("_lat_touched")


def _table_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """(column, type) of every ``mart_*`` table in the store."""
    rows = con.execute(
        "SELECT table_name, list((column_name, data_type) ORDER BY ordinal_position) FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name LIKE 'mart\\_%' ESCAPE '\\' GROUP BY table_name"
    ).fetchall()
    return {name: [tuple(c.values()) if isinstance(c, dict) else tuple(c) for c in columns] for name, columns in rows}


def _frame_columns(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> list[tuple[str, str]]:
    """(column, type) that a table created from ``frame`` has (DuckDB's mapping of its Arrow types)."""
    con.register("_lat_probe", frame.head(0).to_arrow())
    try:
        return [(str(row[0]), str(row[1])) for row in con.execute("DESCRIBE SELECT * FROM _lat_probe").fetchall()]
    finally:
        con.unregister("_lat_probe")
