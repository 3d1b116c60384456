"""``lat ingest``: load xAPI statement files into the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported by the command itself, when it runs
    from lat.config import Settings

SHOWN_REJECTIONS = 10


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--batch-size", type=click.IntRange(min=1), default=None, help="Statements per transaction (default: LAT_INGEST_BATCH_SIZE).")
@click.option("--workers", type=click.IntRange(min=0), default=None, help="Builder threads; 0 = one per core (default: LAT_INGEST_WORKERS).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def ingest(paths: tuple[Path, ...], batch_size: int | None, workers: int | None, as_json: bool) -> None:
    """Load xAPI statements from PATHS (files or directories) into the store.

    Reads .json (one statement or an array), .ndjson / .jsonl (one statement per line) and
    the .gz of either; directories are read recursively and other files are skipped with a
    note. Files of any size stream in bounded memory.

    Each statement is validated: an invalid one goes to the `rejected` table with its file,
    line and the reason, and the good ones in the same file are still stored. A statement
    without an id gets one derived from its content, so ingesting the same file twice stores
    nothing new. Each batch is one transaction: an interrupted ingest can simply be run again.

    A progress bar shows on a terminal; a summary follows at the end.
    """
    from lat.config import get_settings
    from lat.ingest.engine import ingest_paths

    overrides: dict[str, int] = {}
    if batch_size is not None:
        overrides["ingest_batch_size"] = batch_size
    if workers is not None:
        overrides["ingest_workers"] = workers
    settings = get_settings(**overrides)

    def note(path: Path, why: str) -> None:
        click.echo(f"skipped {path}: {why}", err=True)

    from lat.ingest.engine import IngestSummary
    from lat.store import database as store

    if store.live_writer(settings):  # `lat lrs` holds the store: it ingests for us
        summary = IngestSummary(**store.delegate("ingest", settings, paths=[str(p.resolve()) for p in paths]))
        click.echo(json.dumps(summary.as_dict()) if as_json else ", ".join(f"{name} {value}" for name, value in summary.as_dict().items()))
        return
    summary = ingest_paths(list(paths), settings, progress=not as_json, on_skip=note)
    if as_json:
        click.echo(json.dumps(summary.as_dict()))
        return
    click.echo(", ".join(f"{name} {value}" for name, value in summary.as_dict().items()))
    if summary.rejected:
        _show_rejections(settings, summary.rejected)


def _show_rejections(settings: Settings, count: int) -> None:
    """The most recent rejections of this run, so the user sees why without querying."""
    from lat.store import database as store

    with store.session(settings, read_only=True) as con:
        rows = con.execute(
            "SELECT source, reason FROM rejected ORDER BY rejected_at DESC, rowid DESC LIMIT ?",
            [min(count, SHOWN_REJECTIONS)],
        ).fetchall()
    click.echo("rejected:", err=True)
    for source, reason in reversed(rows):
        click.echo(f"  {source}: {reason}", err=True)
    if count > SHOWN_REJECTIONS:
        click.echo(f"  ... {count - SHOWN_REJECTIONS} more: see the `rejected` table ('lat status').", err=True)
