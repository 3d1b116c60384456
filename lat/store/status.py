"""What the store holds: counts of statements, voided, rejected and conflicts, per source.

Read-only: :func:`gather` works on a connection opened with ``read_only=True``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

import duckdb

_TOTALS = """
SELECT (SELECT count(*) FILTER (WHERE NOT voided) FROM statements),
       (SELECT count(*) FILTER (WHERE voided) FROM statements),
       (SELECT count(*) FROM rejected),
       (SELECT count(*) FROM conflicts),
       (SELECT max(stored) FROM statements)
"""

# One row per source that appears in any of the three tables.
_SOURCES = """
WITH s AS (SELECT source, count(*) FILTER (WHERE NOT voided) AS statements,
                  count(*) FILTER (WHERE voided) AS voided, max(stored) AS last_stored
           FROM statements GROUP BY source),
     r AS (SELECT source, count(*) AS rejected FROM rejected GROUP BY source),
     c AS (SELECT source, count(*) AS conflicts FROM conflicts GROUP BY source)
SELECT source, coalesce(s.statements, 0), coalesce(s.voided, 0), coalesce(r.rejected, 0),
       coalesce(c.conflicts, 0), s.last_stored
FROM s FULL JOIN r USING (source) FULL JOIN c USING (source)
ORDER BY source NULLS LAST
"""


class SourceStatus(TypedDict):
    """The counts of one source (None: rows stored without a source)."""

    source: str | None
    statements: int
    voided: int
    rejected: int
    conflicts: int
    last_stored: str | None  # ISO 8601


class StoreStatus(TypedDict):
    """What :func:`gather` returns (and ``lat status --json`` prints)."""

    statements: int
    voided: int
    rejected: int
    conflicts: int
    last_stored: str | None  # ISO 8601
    sources: list[SourceStatus]


def gather(con: duckdb.DuckDBPyConnection) -> StoreStatus:
    """The store's counts: ``statements`` (stored, not voided), ``voided``, ``rejected``,
    ``conflicts``, ``last_stored`` and ``sources`` (the same counts per source)."""
    statements, voided, rejected, conflicts, last = con.execute(_TOTALS).fetchall()[0]
    sources: list[SourceStatus] = [
        {"source": source, "statements": n, "voided": v, "rejected": r, "conflicts": c, "last_stored": _iso(stored)}
        for source, n, v, r, c, stored in con.execute(_SOURCES).fetchall()
    ]
    return {"statements": statements, "voided": voided, "rejected": rejected, "conflicts": conflicts, "last_stored": _iso(last), "sources": sources}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def render(status: StoreStatus) -> str:
    """A readable table of :func:`gather`'s result."""
    lines = [
        f"statements  {status['statements']:>10}   (stored, not voided)",
        f"voided      {status['voided']:>10}",
        f"rejected    {status['rejected']:>10}",
        f"conflicts   {status['conflicts']:>10}",
        f"last stored {status['last_stored'] or '-':>10}",
    ]
    if status["sources"]:
        header = ("source", "statements", "voided", "rejected", "conflicts")
        rows = [(s["source"] or "(none)", str(s["statements"]), str(s["voided"]), str(s["rejected"]), str(s["conflicts"])) for s in status["sources"]]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines.append("")
        lines.append("  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True))))
        for row in rows:
            lines.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True))))
    return "\n".join(lines)
