"""Voiding, in SQL, inside the writer's transaction (:mod:`lat.store.writer`).

A voiding statement (verb ``http://adlnet.gov/expapi/verbs/voided``, object a StatementRef)
is stored like any other and marks its target ``voided``. The target may arrive before or
after the voiding statement: after each batch, :func:`apply` marks both the targets of the
batch's voiding statements and the batch's statements that an earlier voiding statement
names. A voiding statement that targets another voiding statement is rejected by the writer
(it asks :func:`stored_voiding` about the stored ones); voiding statements themselves are
never marked voided. The writer runs :func:`apply` only for a batch that holds a voiding
statement or an id a stored voiding statement names.
"""

from __future__ import annotations

import duckdb

from lat.xapi import vocab

# ``stored = $stored`` selects exactly the rows of this batch (each batch has its own stored).
_APPLY = """
UPDATE statements SET voided = true
WHERE NOT voided AND verb <> $voided
  AND (id IN (SELECT TRY_CAST(object_id AS UUID) FROM statements
              WHERE stored = CAST($stored AS TIMESTAMPTZ) AND verb = $voided)
       OR (stored = CAST($stored AS TIMESTAMPTZ)
           AND id IN (SELECT TRY_CAST(object_id AS UUID) FROM statements
                      WHERE verb = $voided AND object_type = 'StatementRef')))
"""


def apply(con: duckdb.DuckDBPyConnection, stored: str) -> int:
    """Mark voided what the batch stored at ``stored`` voids or is voided by; returns rows marked."""
    rows = con.execute(_APPLY, {"voided": vocab.VOIDED, "stored": stored}).fetchall()
    return int(rows[0][0]) if rows else 0


def stored_voiding(con: duckdb.DuckDBPyConnection, ids: list[str]) -> set[str]:
    """The ids of ``ids`` (lower case) that are stored voiding statements."""
    if not ids:
        return set()
    rows = con.execute(
        "SELECT lower(CAST(id AS VARCHAR)) FROM statements WHERE verb = ? AND id IN (SELECT TRY_CAST(unnest(?::VARCHAR[]) AS UUID))", [vocab.VOIDED, ids]
    ).fetchall()
    return {str(sid) for (sid,) in rows}
