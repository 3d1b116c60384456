"""The DuckDB store: opening it, creating its schema, and telling the user when it is busy.

DuckDB lets one process at a time open a database file for writing. Commands that write
(ingest, registry import, compute, the LRS) open the store briefly; the dashboard never opens
it and reads the published marts instead (see ``lat.store.marts`` and docs/architecture.md).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypedDict

import duckdb

from lat.config import Settings, get_settings
from lat.errors import LatError, StoreBusy
from lat.keyfiles import write_private

_PID = re.compile(r"PID (\d+)")


# The store's whole schema, applied in this order on every writing connect (docs/store.md lists
# every table). The LRS's own tables stay beside its code, but are created here like the rest
# so that every writer, not only a running `lat lrs`, sees one and the same store.
SCHEMA_FILES = (("lat.store", "schema.sql"), ("lat.lrs", "schema.sql"))


def schema_sql() -> str:
    """Every ``CREATE ... IF NOT EXISTS`` of the store (``lat/store/schema.sql`` then ``lat/lrs/schema.sql``)."""
    return "\n".join(resources.files(package).joinpath(name).read_text(encoding="utf-8") for package, name in SCHEMA_FILES)


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
            raise StoreBusy(f"The store {path} is in use by another LAT process{holder}; wait for it to finish or stop it, then run this again.") from None
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


# --- The live writer (lat lrs) -------------------------------------------------------------
# While `lat lrs` runs it holds the store and announces itself in LAT_HOME/run/writer.json
# ({pid, url, token}, mode 0600, removed on exit). Commands that would open the store check
# live_writer() first and, when there is one, hand their job to it with delegate().


class WriterInfo(TypedDict):
    """The run file's content: who the live writer is and how to reach it."""

    pid: int
    url: str  # http://host:port of its LRS
    token: str  # bearer token of its /admin/run


def run_file(settings: Settings) -> Path:
    """Where a live writer (``lat lrs``) announces itself: LAT_HOME/run/writer.json."""
    return settings.home / "run" / "writer.json"


def write_run_file(settings: Settings, info: WriterInfo) -> None:
    """Announce this process as the store's writer (readable by the owner only)."""
    write_private(run_file(settings), json.dumps(info).encode())


def remove_run_file(settings: Settings) -> None:
    """Remove the writer's announcement (nothing happens when it is gone)."""
    run_file(settings).unlink(missing_ok=True)


def live_writer(settings: Settings | None = None) -> WriterInfo | None:
    """The running writer's {pid, url, token}, or None (no file, or its process is gone)."""
    settings = settings or get_settings()
    try:
        info: WriterInfo = json.loads(run_file(settings).read_text(encoding="utf-8"))
        os.kill(int(info["pid"]), 0)  # signal 0: only asks whether the process exists
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return info


def delegate(job: str, settings: Settings | None = None, **args: object) -> Any:
    """Run ``job`` in the live writer (lat.lrs.admin) and return its result; LatError on failure."""
    import urllib.error
    import urllib.request

    info = live_writer(settings)
    if info is None:
        raise LatError("no running LRS to hand the job to")
    request = urllib.request.Request(
        f"{info['url']}/admin/run",
        data=json.dumps({"job": job, **args}).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {info['token']}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=3600) as response:
            return json.loads(response.read())["result"]
    except urllib.error.HTTPError as exc:
        raise LatError(json.loads(exc.read() or b"{}").get("error", f"the LRS refused the job ({exc.code})")) from None
    except OSError as exc:
        raise LatError(f"the LRS at {info['url']} holds the store but did not answer: {exc}") from None
