"""``lat compute``: indicators from the store, published as marts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # heavy modules: imported by the command itself, when it runs
    from lat.config import Settings
    from pipelines.core.compute import ComputeResult


@click.command("compute")
@click.option("--full", is_flag=True, help="Recompute everything, ignoring the state remembered from the last run.")
def compute(full: bool) -> None:
    """Compute every indicator family and publish the marts.

    Reads the store (LAT_HOME/lat.duckdb), runs the pipelines and publishes each mart as
    LAT_HOME/marts/current/<name>.parquet (swapped in atomically) and as the table
    mart_<name> in the store. After the first run only the (school, round) partitions
    touched by statements stored since the last run are recomputed, unless --full.
    """
    from lat.config import get_settings
    from lat.store import database as store
    from pipelines.core import compute as pipeline

    settings = get_settings()
    result = _delegated(settings, full) if store.live_writer(settings) else pipeline.run(settings, full=full)
    scope = f", {result.partitions} partitions recomputed" if result.mode == "incremental" else ""
    click.echo(f"{result.mode} run ({result.reason}{scope}) in {result.seconds:.1f} s -> {result.version}")
    for name, rows in sorted(result.rows.items()):
        click.echo(f"  {name:<28} {rows:>10} rows")
    if "stall_model" in result.rows and result.version is not None:  # the cross-validated score (pipelines/stall_model.py)
        from lat.store import marts

        click.echo(f"stall model: {marts.read('stall_model', directory=result.version)['status'][0]}")


def _delegated(settings: Settings, full: bool) -> ComputeResult:
    """Run compute inside the running `lat lrs`, which holds the store (lat.lrs.admin)."""
    from pathlib import Path

    from lat.store import database as store
    from pipelines.core.compute import ComputeResult

    done = store.delegate("compute", settings, full=full)
    assert isinstance(done, dict)
    version = done.pop("version")
    return ComputeResult(**done, version=None if version is None else Path(version))
