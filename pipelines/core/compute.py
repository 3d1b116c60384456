"""``lat compute``: run every indicator family and publish the marts.

Registration point for families (see pipelines/README.md): add one line to ``FAMILIES`` in
:mod:`pipelines.core.families`. Planning an update is :mod:`pipelines.core.update`, what a
run remembers :mod:`pipelines.core.compute_state`, the ``mart_*`` tables :mod:`pipelines.core.tables`.

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

import importlib
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import polars as pl
import pyarrow.parquet as pq

from lat.config import Settings
from lat.errors import LatError
from lat.store import database as store
from lat.store import marts as mart_store
from pipelines.core import compute_state, tables, update
from pipelines.core.catalogue import MARTS, as_data
from pipelines.core.definitions import describe
from pipelines.core.families import FAMILIES, PARTITION, family_modules, partitioned
from pipelines.core.source import Sources

# FAMILIES is read here by lat.access; it is defined, and new families are added, in
# pipelines/core/families.py.
__all__ = ["FAMILIES", "ComputeResult", "run"]

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


def run(settings: Settings, *, full: bool = False, now: datetime | None = None) -> ComputeResult:
    """Compute every family and publish the marts (Parquet and ``mart_*`` tables)."""
    started = time.perf_counter()
    preload = _preload(family_modules())
    with store.session(settings) as con:
        sources = Sources(con, settings, now=now or datetime.now(UTC))
        snapshot = update.snapshot(con, settings)
        remembered = compute_state.read_meta(settings)
        mode, reason, touched = update.plan(con, snapshot, remembered, full)
        families = family_modules()
        # Every partitioned family's statistics first: they share one read of the answers
        # (Sources.shared), and later families may build on them (Sources.states).
        restricted = sources.restricted(touched) if mode == "incremental" else sources
        for _, module, _ in families:
            if partitioned(module):
                sources.states.update(_family_state(module, restricted, settings, touched if mode == "incremental" else None))
        restricted.forget_shared()
        preload.join()  # before any family runs: no two threads import the same modules
        snapshot["inputs"] = {name: module.inputs(sources) for name, module, _ in families if hasattr(module, "inputs")}
        kept = update.unchanged_families(con, families, remembered, settings, snapshot["inputs"]) if mode == "incremental" else {}
        frames: dict[str, Frame] = {}
        family_marts: dict[str, list[str]] = dict(kept)
        for name, module, attr in families:
            if name in kept:
                continue  # its marts are carried into the new version as they are
            if partitioned(module):
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
        version = mart_store.publish(collected, settings, unchanged=carried, catalogue=as_data(MARTS))
        if mode == "incremental":
            assert touched is not None
            tables.publish_tables(con, collected, touched, _partition_marts(families))
        else:
            tables.publish_tables(con, collected)
        compute_state.write_state(settings, new_state, snapshot)
    rows = {k: v.height for k, v in collected.items()} | {k: _parquet_rows(version / f"{k}.parquet") for k in carried}
    result = ComputeResult(mode, reason + (f"; kept {', '.join(sorted(kept))}" if kept else ""), version, rows)
    result.partitions = 0 if touched is None else touched.height
    result.seconds = time.perf_counter() - started
    return result


# --- running the families ----------------------------------------------------------------------


def _parquet_rows(path: Path) -> int:
    """Rows of a Parquet file, from its footer (the data is not read)."""
    return int(pq.read_metadata(path).num_rows)


def _preload(families: list[tuple[str, ModuleType, str]]) -> threading.Thread:
    """Import the heavy modules families compute with (``PRELOAD``, e.g. sklearn for the
    profiles' clustering) in a thread, while the main one waits on DuckDB reading the store:
    an update then does not wait for sklearn's import at the end."""
    names = [name for _, module, _ in families for name in getattr(module, "PRELOAD", ())]
    thread = threading.Thread(target=lambda: [importlib.import_module(name) for name in names], name="lat-preload", daemon=True)
    thread.start()
    return thread


def _family_state(module: ModuleType, sources: Sources, settings: Settings, touched: pl.DataFrame | None) -> dict[str, pl.DataFrame]:
    """The family's statistics: all fresh (full run) or old ones with touched partitions redone
    (``sources`` then reads only the touched partitions)."""
    produced = module.state(sources, settings)
    fresh = dict(zip(produced, pl.collect_all([f.lazy() for f in produced.values()]), strict=True))
    if touched is None:
        return fresh
    merged = {}
    for name, frame in fresh.items():
        old = pl.read_parquet(compute_state.state_dir(settings) / f"{name}.parquet")
        kept = old.join(touched, on=PARTITION, how="anti")
        merged[name] = pl.concat([kept, frame.select(old.columns)], how="vertical_relaxed")
    return merged


# --- checking and publishing ------------------------------------------------------------------


def _check(family: str, produced: dict[str, Frame]) -> dict[str, Frame]:
    for name in produced:
        if name not in MARTS:
            raise LatError(f"family {family} produced mart {name!r}, which pipelines/core/catalogue.py does not declare")
    return produced


def _collect(frames: dict[str, Frame]) -> dict[str, pl.DataFrame]:
    lazy = {k: v for k, v in frames.items() if isinstance(v, pl.LazyFrame)}
    done = dict(zip(lazy, pl.collect_all(list(lazy.values())), strict=True))
    out = {k: done[k] if isinstance(v, pl.LazyFrame) else v for k, v in frames.items()}
    for name, frame in out.items():
        declared = MARTS[name].columns
        undeclared = [c for c in frame.columns if c not in declared or describe(declared[c]) is None]
        if undeclared or set(declared) - set(frame.columns):
            raise LatError(
                f"mart {name}: columns {undeclared or sorted(set(declared) - set(frame.columns))} "
                "do not match its catalogue entry (pipelines/core/catalogue.py)"
            )
        out[name] = in_stable_order(frame.select(list(declared)))
    return out


def in_stable_order(frame: pl.DataFrame) -> pl.DataFrame:
    """The mart's rows sorted by its columns left to right (keys come first in every mart):
    the same statements always publish the same bytes, whatever order the engine produced."""
    nested = (pl.List, pl.Array, pl.Struct, pl.Object)
    columns = [c for c, dtype in frame.schema.items() if not isinstance(dtype, nested)]
    return frame.sort(columns, nulls_last=True, maintain_order=True) if columns and frame.height > 1 else frame


def _partition_marts(families: list[tuple[str, ModuleType, str]]) -> set[str]:
    """Marts that partitioned families declare per (school, round) partition (``PARTITION_MARTS``)."""
    return {mart for _, module, _ in families if partitioned(module) for mart in getattr(module, "PARTITION_MARTS", ())}
