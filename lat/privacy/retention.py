"""Retention (``lat retention apply``): drop statements older than ``LAT_RETENTION_MONTHS``.

"Older" means the statement's ``timestamp`` (when the experience happened) lies before the
cut-off: the same calendar day ``retention_months`` months ago, UTC (clamped to the month's
last day, so 31 March minus one month is 28/29 February). Rows of ``rejected`` and
``conflicts`` recorded before the cut-off go too (they hold raw statements). The marts are
recomputed in full, older mart versions removed and the store file rewritten, as after an
erasure.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime

from lat.access import audit
from lat.config import Settings
from lat.errors import LatError
from lat.privacy.forget import compact_store, drop_old_mart_versions, recompute_marts
from lat.store import database as store
from lat.store.marts import Compute


@dataclass
class RetentionRun:
    """What one retention run removed."""

    cutoff: datetime
    statements_deleted: int = 0
    rejected_deleted: int = 0
    conflicts_deleted: int = 0
    marts_recomputed: bool = False
    mart_versions_removed: int = 0


def cutoff(months: int, now: datetime | None = None) -> datetime:
    """``now`` minus ``months`` calendar months (UTC)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    total = now.year * 12 + (now.month - 1) - months
    year, month = divmod(total, 12)
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)


def apply(
    settings: Settings, *, now: datetime | None = None, recompute: Compute | None = None, dry_run: bool = False, actor: str | None = None
) -> RetentionRun:
    """Delete what is older than the retention period; ``dry_run`` only counts."""
    if settings.retention_months is None:
        raise LatError("LAT_RETENTION_MONTHS is not set: every statement is kept. Set it to the number of months to keep.")
    run = RetentionRun(cutoff(settings.retention_months, now))
    checks = (
        ("statements", '"timestamp"', "statements_deleted"),
        ("rejected", "rejected_at", "rejected_deleted"),
        ("conflicts", "recorded_at", "conflicts_deleted"),
    )
    with store.session(settings) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            for table, column, field in checks:
                where = f"FROM {table} WHERE {column} < ?"
                setattr(run, field, int(con.execute(f"SELECT count(*) {where}", [run.cutoff]).fetchall()[0][0]))
                if not dry_run:
                    con.execute(f"DELETE {where}", [run.cutoff])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    if dry_run:
        return run
    if recompute is not None and run.statements_deleted:
        run.marts_recomputed = recompute_marts(settings, recompute)
        run.mart_versions_removed = drop_old_mart_versions(settings)
    if run.statements_deleted or run.rejected_deleted or run.conflicts_deleted:
        compact_store(settings)  # deleted rows leave the disk too
    audit.record(
        settings,
        actor or audit.cli_actor(),
        audit.RETENTION,
        target=run.cutoff.isoformat(timespec="seconds"),
        detail={
            "statements": run.statements_deleted,
            "rejected": run.rejected_deleted,
            "conflicts": run.conflicts_deleted,
            "marts_recomputed": run.marts_recomputed,
        },
    )
    return run
