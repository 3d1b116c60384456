"""Planning an incremental ``lat compute``: whether an update is sound, which (school, round)
partitions it touches, and which unpartitioned families keep their last marts (see the
docstring of :mod:`pipelines.core.compute`)."""

from __future__ import annotations

import hashlib
from datetime import UTC
from types import ModuleType
from typing import Any

import duckdb
import polars as pl

from lat.config import Settings
from lat.store import marts as mart_store
from lat.xapi import vocab
from pipelines.core.families import FAMILIES, family_modules, partitioned
from pipelines.core.source import REGISTRY_TABLES

# Raised when the remembered statistics change shape or meaning (a new column, another rule):
# the next run is then a full one instead of merging old statistics with new.
STATE_VERSION = 3  # 3: issue 23 definitions (competence_levels.teachers_at_level, progress figures, activity and credentials rows)


def snapshot(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, Any]:
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
        "partitioned": [name for name, module, _ in family_modules() if partitioned(module)],
        "state_version": STATE_VERSION,
    }


def plan(con: duckdb.DuckDBPyConnection, now: dict[str, Any], before: dict[str, Any] | None, full: bool) -> tuple[str, str, pl.DataFrame | None]:
    """(mode, reason, touched partitions): "full" with its reason and None, or "incremental" with the partitions new statements touch."""
    if full:
        return "full", "asked for (--full)", None
    if before is None:
        return "full", "first run (no remembered state)", None
    if any(before.get(key) != now[key] for key in ("registry", "families", "partitioned")):
        return "full", "registry or families changed", None
    if before.get("state_version") != now["state_version"]:
        return "full", "the remembered statistics are of an older LAT", None
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


def unchanged_families(
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
        if reads is None or partitioned(module) or not names or not all((current / f"{m}.parquet").exists() for m in names):
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
