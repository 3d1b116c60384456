"""What the hub issued, revoked and imported: three tables in the DuckDB store.

The tables (``credentials_issued``, ``credentials_revoked``, ``credentials_imported``) are
defined with the rest of the store in ``lat/store/schema.sql`` (documented in docs/store.md). The
unique key (achievement, round, subject) makes issuing idempotent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb


@dataclass(frozen=True)
class Issued:
    """One row of ``credentials_issued``."""

    credential_id: str
    achievement: str
    achievement_name: str
    achievement_url: str
    round: str
    subject_kind: str
    subject: str
    school: str | None
    status_index: int
    issued_at: dt.datetime
    statement_id: str
    jwt: str


def exists(con: duckdb.DuckDBPyConnection, achievement: str, round_: str, subject: str) -> bool:
    """Whether a credential for ``achievement`` and ``round_`` was issued to ``subject`` already."""
    return bool(
        con.execute("SELECT count(*) FROM credentials_issued WHERE achievement = ? AND round = ? AND subject = ?", [achievement, round_, subject]).fetchall()[
            0
        ][0]
    )


def next_index(con: duckdb.DuckDBPyConnection) -> int:
    """The next free index in the status list."""
    return int(con.execute("SELECT coalesce(max(status_index) + 1, 0) FROM credentials_issued").fetchall()[0][0])


def insert(con: duckdb.DuckDBPyConnection, row: Issued) -> None:
    """Record one issued credential."""
    con.execute(
        "INSERT INTO credentials_issued VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            row.credential_id,
            row.achievement,
            row.achievement_name,
            row.achievement_url,
            row.round,
            row.subject_kind,
            row.subject,
            row.school,
            row.status_index,
            row.issued_at,
            row.statement_id,
            row.jwt,
        ],
    )


def issued(con: duckdb.DuckDBPyConnection, where: str = "true", params: list[object] | None = None) -> list[Issued]:
    """The issued credentials matching the SQL condition ``where``, in status-list order."""
    rows = con.execute(f"SELECT * FROM credentials_issued WHERE {where} ORDER BY status_index", params or []).fetchall()
    return [_issued(r) for r in rows]


def _issued(row: tuple[Any, ...]) -> Issued:
    values = list(row)
    values[10] = str(values[10])  # statement_id: DuckDB gives a UUID
    return Issued(*values)


def revoked(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """credential id -> reason."""
    return dict(con.execute("SELECT credential_id, reason FROM credentials_revoked").fetchall())
