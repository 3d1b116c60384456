"""What to tell a user, read from the published marts through their own role policy, so an
alert never names a school the user may not see.

- ``stalled``: a mentee school in the user's scope that is stalled in the latest mentoring
  snapshot (once per school and stall: a school that recovers and stalls again is news).
- ``digest``: once per ISO week, the state of the user's mentee schools.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from lat.access.policy import DataAccess

PROGRESS = "mentoring_progress"


@dataclass(frozen=True)
class Stalled:
    """A stalled school: ids, name, the stall codes and the figures behind them."""

    school: str
    school_name: str
    codes: tuple[str, ...]
    reason: str
    days_since_contact: int | None
    last_contact: date | None


@dataclass(frozen=True)
class Finding:
    """One alert for one user; ``key`` makes it go out once."""

    kind: str  # "stalled" | "digest"
    key: str
    stalled: tuple[Stalled, ...] = ()
    schools: int = 0
    meetings_this_month: int = 0
    week: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def latest_progress(access: DataAccess) -> pl.DataFrame:
    """Each in-scope mentee school's row of the latest mentoring snapshot (empty when unpublished or not readable)."""
    if PROGRESS not in access.marts():
        return pl.DataFrame()
    frame = access.mart(PROGRESS)
    if frame.is_empty():
        return frame
    return frame.filter(pl.col("as_of") == pl.col("as_of").max()).sort("school")


def _stalled(row: dict[str, object]) -> Stalled:
    codes = tuple(c for c in str(row.get("stall_code") or "").split(",") if c)
    days = row.get("days_since_contact")
    last = row.get("last_contact")
    return Stalled(
        str(row["school"]),
        str(row.get("school_name") or row["school"]),
        codes,
        str(row.get("stall_reason") or ""),
        int(days) if isinstance(days, int) else None,
        last if isinstance(last, date) else None,
    )


def findings(access: DataAccess, today: date) -> list[Finding]:
    """The alerts for ``access.user``: one per newly stalled school, and the week's digest."""
    progress = latest_progress(access)
    if progress.is_empty():
        return []
    stalled = [_stalled(row) for row in progress.filter(pl.col("stalled")).iter_rows(named=True)]
    out = [Finding("stalled", f"stalled:{s.school}:{s.last_contact or 'never'}", (s,)) for s in stalled]
    year, week, _ = today.isocalendar()
    label = f"{year}-W{week:02d}"
    meetings = int(progress["meetings_this_month"].fill_null(0).sum()) if "meetings_this_month" in progress.columns else 0
    out.append(Finding("digest", f"digest:{label}", tuple(stalled), schools=progress.height, meetings_this_month=meetings, week=label))
    return out
