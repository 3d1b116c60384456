"""Published marts: the tables dashboards and exports read.

``lat compute`` writes every mart of one run into a fresh version directory
``LAT_HOME/marts/v<timestamp>/<name>.parquet`` and then swaps the ``current`` symlink to it
in one atomic rename. Readers resolve ``current`` once and so always see one consistent set,
and never touch the DuckDB store (which a writer may hold).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from lat.config import Settings, get_settings
from lat.errors import LatError

KEEP_VERSIONS = 3  # older versions are removed; readers holding one get a grace period
# Beside the marts of each version: what each mart is (level, description, readers, column ->
# definition key), as ``lat compute`` declared it. Access control reads it from here, so the
# core never imports the pipelines that declare it.
CATALOGUE_FILE = "catalogue.json"


class Compute(Protocol):
    """What computes and publishes every mart (``pipelines.core.compute.run``). The command line
    hands it to the parts of ``lat`` that must recompute (erasure, retention, the LRS's admin
    job): ``lat`` itself never imports the pipelines."""

    def __call__(self, settings: Settings, *, full: bool = False) -> Any:
        """Compute the marts (all of them when ``full``, else what changed) and publish them."""


def current_dir(settings: Settings | None = None) -> Path:
    """The directory of the currently published marts."""
    settings = settings or get_settings()
    link = settings.marts_dir / "current"
    if not link.exists():
        raise LatError(f"No marts published under {settings.marts_dir}: run 'lat compute' first.")
    return link.resolve()


def available(settings: Settings | None = None) -> list[str]:
    """Names of the published marts."""
    return sorted(p.stem for p in current_dir(settings).glob("*.parquet"))


def read(name: str, settings: Settings | None = None, *, directory: Path | None = None) -> pl.DataFrame:
    """One published mart as a polars DataFrame."""
    path = (directory or current_dir(settings)) / f"{name}.parquet"
    if not path.exists():
        raise LatError(f"Mart '{name}' is not published; run 'lat compute'.")
    return pl.read_parquet(path)


def read_catalogue(directory: Path) -> dict[str, dict[str, Any]]:
    """The catalogue published with the marts in ``directory`` (empty when there is none)."""
    path = directory / CATALOGUE_FILE
    if not path.exists():
        return {}
    entries: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return entries


def undescribed(settings: Settings) -> Path | None:
    """The current marts directory when it has no catalogue (published by an older LAT), else None."""
    link = settings.marts_dir / "current"
    if not link.exists() or (link / CATALOGUE_FILE).exists():
        return None
    return link.resolve()


def describe(directory: Path, catalogue: Mapping[str, Mapping[str, Any]]) -> None:
    """Write the catalogue of the marts in ``directory`` beside them (atomically)."""
    held = {p.stem for p in directory.glob("*.parquet")}
    text = json.dumps({k: dict(v) for k, v in sorted(catalogue.items()) if k in held}, indent=1, sort_keys=True)
    tmp = directory / f".{CATALOGUE_FILE}.tmp"
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, directory / CATALOGUE_FILE)


def publish(
    frames: dict[str, pl.DataFrame],
    settings: Settings | None = None,
    *,
    unchanged: Iterable[str] = (),
    catalogue: Mapping[str, Mapping[str, Any]] | None = None,
) -> Path:
    """Write all ``frames`` as a new version and make it current atomically.

    ``unchanged`` names marts of the current version to carry into the new one as they are
    (hard links, or copies where the file system has none) instead of rewriting them: an
    incremental ``lat compute`` passes the marts of the families it did not recompute.
    ``catalogue`` describes marts (see :data:`CATALOGUE_FILE`); the new version's catalogue is
    the previous one's entries updated by it, for the marts the new version holds.
    """
    settings = settings or get_settings()
    root = settings.marts_dir
    root.mkdir(parents=True, exist_ok=True)
    carried = sorted(set(unchanged))
    if set(carried) & set(frames):
        raise ValueError(f"marts both rewritten and carried over: {sorted(set(carried) & set(frames))}")
    previous = current_dir(settings) if (root / "current").exists() else None
    version = root / f"v{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 1_000_000_000:09d}"
    staging = root / f".staging-{version.name}"
    staging.mkdir()
    for name, frame in frames.items():
        frame.write_parquet(staging / f"{name}.parquet")
    for name in carried:
        assert previous is not None
        _carry(previous / f"{name}.parquet", staging / f"{name}.parquet")
    entries = (read_catalogue(previous) if previous else {}) | {k: dict(v) for k, v in (catalogue or {}).items()}
    describe(staging, entries)
    _fsync_dir(staging)
    staging.rename(version)
    tmp_link = root / f".current-{version.name}"
    tmp_link.symlink_to(version.name)
    os.replace(tmp_link, root / "current")  # the atomic swap
    _fsync_dir(root)
    _prune(root, keep=version)
    return version


def _carry(source: Path, target: Path) -> None:
    """``source`` into the new version: a hard link (published files are never modified in
    place, so sharing one inode between versions is safe), or a copy across devices."""
    if not source.exists():
        raise LatError(f"Mart file {source} to carry over is missing; run 'lat compute --full'.")
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prune(root: Path, keep: Path) -> None:
    versions = sorted(p for p in root.glob("v*") if p.is_dir())
    for old in versions[:-KEEP_VERSIONS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
    for stale in root.glob(".staging-*"):
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)
