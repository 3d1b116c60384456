"""``lat retention``: apply the retention period."""

from __future__ import annotations

import click

from lat.config import get_settings


@click.group()
def retention() -> None:
    """Keep statements no longer than LAT_RETENTION_MONTHS."""


@retention.command("apply")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@click.option("--no-recompute", is_flag=True, help="Do not recompute the marts now.")
def apply(dry_run: bool, no_recompute: bool) -> None:
    """Delete statements (and rejected/conflict rows) older than LAT_RETENTION_MONTHS, then recompute the marts.

    Run it regularly (cron, a systemd timer) when the retention period is set.
    """
    from lat.privacy.retention import apply as run_retention
    from pipelines.core.compute import run as compute  # the composition root hands the pipelines in

    run = run_retention(get_settings(), dry_run=dry_run, recompute=None if no_recompute else compute)
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(
        f"{verb} {run.statements_deleted} statements, {run.rejected_deleted} rejected and "
        f"{run.conflicts_deleted} conflict rows from before {run.cutoff:%Y-%m-%d %H:%M} UTC."
    )
    if run.marts_recomputed:
        click.echo("Marts recomputed.")
