"""``lat compute``: run every indicator family and publish the marts.

Registration point for families (see pipelines/README.md): add one line to ``FAMILIES``.

A family module has ``compute(sources, settings) -> {mart name: frame}``. A family may also
be *partitioned*: it then has ``state(sources, settings)`` (sufficient statistics keyed by
``school`` and ``round``) and ``derive(state, sources, settings)`` (marts from statistics).

Incremental update. After each run the orchestrator remembers, in ``LAT_HOME/compute-state``,
the partitioned families' statistics, the largest ``stored`` time and the statement count.
The next run recomputes statistics only for the (school, round) partitions touched by
statements stored since then (including the targets of new voiding statements), keeps the
other partitions' statistics, and derives all marts again (cheap: a few rows per school).
It falls back to a full run when there is no remembered state, when the registry or the
settings changed (attribution may have moved statements between schools), when statements
arrived with an older ``stored`` than the last run's (the count does not add up), or with
``--full``. Unpartitioned families run in full, except that one declaring ``READS`` (an SQL
condition on statements: what it reads) keeps its last published marts when no statement
stored since the last run matches it and none voids anything (and, for a family that also
defines ``inputs(sources) -> str``, when that fingerprint of its other inputs is unchanged).
Kept marts are hard-linked into the new version, not rewritten, and their ``mart_*`` tables
are left as they are. The ``mart_*`` tables of marts a partitioned family declares per
partition (``PARTITION_MARTS``) are updated in place: the touched partitions' rows deleted
and inserted again, in the same single transaction as the rest.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import polars as pl

from lat import marts as mart_store
from lat import store, vocab
from lat.config import Settings
from lat.errors import LatError
from pipelines.core.catalogue import MARTS
from pipelines.core.definitions import describe
from pipelines.core.source import REGISTRY_TABLES, Sources

# (family name, "module:function"); imported lazily, in this order.
FAMILIES: list[tuple[str, str]] = [
    ("registry", "pipelines.registry.family:compute"),
    ("maturity", "pipelines.maturity.family:compute"),
    ("competence", "pipelines.competence.family:compute"),
    ("mentoring", "pipelines.mentoring.family:compute"),
    ("outcome", "pipelines.mentoring.outcome_family:compute"),
    ("activity", "pipelines.activity.family:compute"),
    ("profiles", "pipelines.profiles.family:compute"),
    ("pairing", "pipelines.pairing.family:compute"),
    ("credentials", "pipelines.credentials.family:compute"),
]

STATE_DIR = "compute-state"
PARTITION = ["school", "round"]
Frame = pl.LazyFrame | pl.DataFrame


@dataclass
class ComputeResult:
    """What a run did (printed by ``lat compute``)."""

    mode: str  # "full" | "incremental"
    reason: str
    version: Path | None = None
    rows: dict[str, int] = field(default_factory=dict)
    partitions: int = 0
    seconds: float = 0.0


def family_modules() -> list[tuple[str, ModuleType, str]]:
    """(name, module, function name) of every registered family."""
    out = []
    for name, target in FAMILIES:
        module_name, attr = target.split(":")
        out.append((name, importlib.import_module(module_name), attr))
    return out


def load_catalogue() -> None:
    """Import every family module and every module of the package, so every mart and
    indicator is registered whatever a family imports lazily."""
    import pkgutil

    import pipelines

    family_modules()
    for info in pkgutil.walk_packages(pipelines.__path__, prefix="pipelines."):
        if info.name.rsplit(".", 1)[-1] not in ("docs", "__main__"):
            importlib.import_module(info.name)


def run(settings: Settings, *, full: bool = False, now: datetime | None = None) -> ComputeResult:
    """Compute every family and publish the marts (Parquet and ``mart_*`` tables)."""
    started = time.perf_counter()
    preload = _preload(family_modules())
    with store.session(settings) as con:
        sources = Sources(con, settings, now=now or datetime.now(UTC))
        snapshot = _snapshot(con, settings)
        remembered = _read_meta(settings)
        mode, reason, touched = _plan(con, snapshot, remembered, full)
        families = family_modules()
        # Every partitioned family's statistics first: they share one read of the answers
        # (Sources.shared), and later families may build on them (Sources.states).
        restricted = sources.restricted(touched) if mode == "incremental" else sources
        for _, module, _ in families:
            if _partitioned(module):
                sources.states.update(_family_state(module, restricted, settings, touched if mode == "incremental" else None))
        restricted.forget_shared()
        preload.join()  # before any family runs: no two threads import the same modules
        snapshot["inputs"] = {name: module.inputs(sources) for name, module, _ in families if hasattr(module, "inputs")}
        kept = _unchanged_families(con, families, remembered, settings, snapshot["inputs"]) if mode == "incremental" else {}
        frames: dict[str, Frame] = {}
        family_marts: dict[str, list[str]] = dict(kept)
        for name, module, attr in families:
            if name in kept:
                continue  # its marts are carried into the new version as they are
            if _partitioned(module):
                produced: dict[str, Frame] = module.derive(sources.states, sources, settings)
            else:
                produced = getattr(module, attr)(sources, settings)
            frames.update(_check(name, produced))
            family_marts[name] = sorted(produced)
        new_state = sources.states
        snapshot["family_marts"] = family_marts
        collected = _collect(frames)
        carried = [mart for marts in kept.values() for mart in marts]
        # the kept marts' files are hard-linked and their mart_* tables left as they are
        version = mart_store.publish(collected, settings, unchanged=carried)
        if mode == "incremental":
            assert touched is not None
            _publish_tables(con, collected, touched, _partition_marts(families))
        else:
            _publish_tables(con, collected)
        _write_state(settings, new_state, snapshot)
    rows = {k: v.height for k, v in collected.items()} | {k: _parquet_rows(version / f"{k}.parquet") for k in carried}
    result = ComputeResult(mode, reason + (f"; kept {', '.join(sorted(kept))}" if kept else ""), version, rows)
    result.partitions = 0 if touched is None else touched.height
    result.seconds = time.perf_counter() - started
    return result


# --- planning an update -----------------------------------------------------------------------

def _snapshot(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, Any]:
    """The numbers that decide whether an incremental update is sound."""
    count, max_stored = con.execute("SELECT count(*), max(stored) FROM statements").fetchall()[0]
    # every column of every registry table: a family kept from the last run may read any
    registry = con.execute(
        "SELECT " + " || '/' || ".join(f"(SELECT count(*) || ':' || coalesce(sum(hash(t)), 0) FROM {table} t)" for table in REGISTRY_TABLES)
    ).fetchall()[0][0]
    return {
        "statements": int(count),
        "max_stored": max_stored.astimezone(UTC).isoformat() if max_stored else None,
        "registry": str(registry),
        # marts kept from the last run must have been computed with the same settings
        "settings": hashlib.sha256(settings.model_dump_json().encode()).hexdigest(),
        "families": [name for name, _ in FAMILIES],
        # a family that became partitioned has no remembered statistics yet: full run
        "partitioned": [name for name, module, _ in family_modules() if _partitioned(module)],
    }


def _plan(
    con: duckdb.DuckDBPyConnection, now: dict[str, Any], before: dict[str, Any] | None, full: bool
) -> tuple[str, str, pl.DataFrame | None]:
    if full:
        return "full", "asked for (--full)", None
    if before is None:
        return "full", "first run (no remembered state)", None
    if any(before.get(key) != now[key] for key in ("registry", "families", "partitioned")):
        return "full", "registry or families changed", None
    if before.get("settings") != now["settings"]:
        return "full", "settings changed", None
    since = before.get("max_stored")
    if since is None:
        return "full", "no statements at the last run", None
    new = con.execute("SELECT count(*) FROM statements WHERE stored > ?::TIMESTAMPTZ", [since]).fetchall()[0][0]
    if before["statements"] + new != now["statements"]:
        return "full", "statements arrived with an older stored time than the last run", None
    touched = touched_partitions(con, since)
    return "incremental", f"{new} statements since {since}", touched


def touched_partitions(con: duckdb.DuckDBPyConnection, since: str) -> pl.DataFrame:
    """(school, round) of statements stored after ``since`` and of the statements they void."""
    sql = """
        SELECT DISTINCT school, round FROM statements
        WHERE stored > ?::TIMESTAMPTZ AND school IS NOT NULL AND round IS NOT NULL
        UNION
        SELECT DISTINCT t.school, t.round FROM statements v JOIN statements t ON t.id = TRY_CAST(v.object_id AS UUID)
        WHERE v.stored > ?::TIMESTAMPTZ AND v.verb = ? AND t.school IS NOT NULL AND t.round IS NOT NULL
    """
    table = con.sql(sql, params=[since, since, vocab.VOIDED]).to_arrow_table()
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _unchanged_families(
    con: duckdb.DuckDBPyConnection,
    families: list[tuple[str, ModuleType, str]],
    before: dict[str, Any] | None,
    settings: Settings,
    inputs: dict[str, str],
) -> dict[str, list[str]]:
    """The names of the last published marts of each unpartitioned family that declares what
    it reads (``READS``, an SQL condition on statements) and that no statement stored since
    the last run touches: none matches ``READS`` and none is a voiding statement. An update
    of survey answers then does not recompute, say, the LMS activity of every school.

    A family may also define ``inputs(sources) -> str``: a fingerprint of what else it
    depends on (mentoring: its "today"); it is kept only when that is unchanged too."""
    if before is None:
        return {}
    current = mart_store.current_dir(settings)
    kept = {}
    for name, module, _ in families:
        reads, names = getattr(module, "READS", None), before.get("family_marts", {}).get(name)
        if reads is None or _partitioned(module) or not names or not all((current / f"{m}.parquet").exists() for m in names):
            continue
        if name in inputs and before.get("inputs", {}).get(name) != inputs[name]:
            continue
        touching = con.execute(
            f"SELECT count(*) FROM statements WHERE stored > ?::TIMESTAMPTZ AND (verb = ? OR ({reads}))",
            [before["max_stored"], vocab.VOIDED],
        ).fetchall()[0][0]
        if touching == 0:
            kept[name] = list(names)
    return kept


def _parquet_rows(path: Path) -> int:
    """Rows of a Parquet file, from its footer (the data is not read)."""
    import pyarrow.parquet as pq

    return int(pq.read_metadata(path).num_rows)


def _preload(families: list[tuple[str, ModuleType, str]]) -> threading.Thread:
    """Import the heavy modules partitioned families derive with (``PRELOAD``, e.g. sklearn
    for the profiles' clustering; they always derive) in a thread, while the main one waits
    on DuckDB reading the store: an update then does not wait 1.5 s for sklearn at the end."""
    names = [name for _, module, _ in families if _partitioned(module) for name in getattr(module, "PRELOAD", ())]
    thread = threading.Thread(target=lambda: [importlib.import_module(name) for name in names], name="lat-preload", daemon=True)
    thread.start()
    return thread


def _partitioned(module: ModuleType) -> bool:
    return hasattr(module, "state") and hasattr(module, "derive")


def _family_state(
    module: ModuleType, sources: Sources, settings: Settings, touched: pl.DataFrame | None
) -> dict[str, pl.DataFrame]:
    """The family's statistics: all fresh (full run) or old ones with touched partitions redone
    (``sources`` then reads only the touched partitions)."""
    produced = module.state(sources, settings)
    fresh = dict(zip(produced, pl.collect_all([f.lazy() for f in produced.values()]), strict=True))
    if touched is None:
        return fresh
    merged = {}
    for name, frame in fresh.items():
        old = pl.read_parquet(_state_dir(settings) / f"{name}.parquet")
        kept = old.join(touched, on=PARTITION, how="anti")
        merged[name] = pl.concat([kept, frame.select(old.columns)], how="vertical_relaxed")
    return merged


# --- checking and publishing ------------------------------------------------------------------

def _check(family: str, produced: dict[str, Frame]) -> dict[str, Frame]:
    for name in produced:
        if name not in MARTS:
            raise LatError(f"family {family} produced mart {name!r}, which pipelines/catalogue.py does not declare")
    return produced


def _collect(frames: dict[str, Frame]) -> dict[str, pl.DataFrame]:
    lazy = {k: v for k, v in frames.items() if isinstance(v, pl.LazyFrame)}
    done = dict(zip(lazy, pl.collect_all(list(lazy.values())), strict=True))
    out = {k: done.get(k, v) for k, v in frames.items()}  # type: ignore[misc]
    for name, frame in out.items():
        declared = MARTS[name].columns
        undeclared = [c for c in frame.columns if c not in declared or describe(declared[c]) is None]
        if undeclared or set(declared) - set(frame.columns):
            raise LatError(f"mart {name}: columns {undeclared or sorted(set(declared) - set(frame.columns))} "
                           "do not match its catalogue entry (pipelines/catalogue.py)")
        out[name] = frame.select(list(declared))
    return out  # type: ignore[return-value]


def _partition_marts(families: list[tuple[str, ModuleType, str]]) -> set[str]:
    """Marts that partitioned families declare per (school, round) partition (``PARTITION_MARTS``)."""
    return {mart for _, module, _ in families if _partitioned(module) for mart in getattr(module, "PARTITION_MARTS", ())}


def _publish_tables(
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


# --- remembered state ---------------------------------------------------------------------------

def _state_dir(settings: Settings) -> Path:
    return settings.home / STATE_DIR


def _read_meta(settings: Settings) -> dict[str, Any] | None:
    path = _state_dir(settings) / "meta.json"
    if not path.exists():
        return None
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None  # unreadable state only costs a full run
    names = meta.get("state", [])
    return meta if all((_state_dir(settings) / f"{n}.parquet").exists() for n in names) else None


def _write_state(settings: Settings, state: dict[str, pl.DataFrame], snapshot: dict[str, Any]) -> None:
    """Statistics first, the meta file last (a crash in between leaves the old meta, whose
    counts no longer add up or whose files are gone: the next run is then a full one)."""
    directory = _state_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    meta_path = directory / "meta.json"
    meta_path.unlink(missing_ok=True)
    for name, frame in state.items():
        tmp = directory / f".{name}.parquet.tmp"
        frame.write_parquet(tmp)
        os.replace(tmp, directory / f"{name}.parquet")
    tmp_meta = directory / ".meta.json.tmp"
    tmp_meta.write_text(json.dumps({**snapshot, "state": sorted(state)}, indent=2), encoding="utf-8")
    os.replace(tmp_meta, meta_path)
