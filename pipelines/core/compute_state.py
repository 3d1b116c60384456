"""What ``lat compute`` remembers between runs in ``LAT_HOME/compute-state``: the partitioned
families' statistics, and the meta file (the snapshot the next run plans its update from)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import polars as pl

from lat.config import Settings

STATE_DIR = "compute-state"


def state_dir(settings: Settings) -> Path:
    """The folder of the remembered state: LAT_HOME/compute-state."""
    return settings.home / STATE_DIR


def read_meta(settings: Settings) -> dict[str, Any] | None:
    """The meta file of the last run; None when missing, unreadable or when a state file it names is gone."""
    path = state_dir(settings) / "meta.json"
    if not path.exists():
        return None
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None  # unreadable state only costs a full run
    names = meta.get("state", [])
    return meta if all((state_dir(settings) / f"{n}.parquet").exists() for n in names) else None


def write_state(settings: Settings, state: dict[str, pl.DataFrame], snapshot: dict[str, Any]) -> None:
    """Statistics first, the meta file last (a crash in between leaves the old meta, whose
    counts no longer add up or whose files are gone: the next run is then a full one)."""
    directory = state_dir(settings)
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
