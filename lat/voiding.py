"""Voiding, in SQL, inside the ingest transaction.

A voiding statement (verb ``http://adlnet.gov/expapi/verbs/voided``, object a StatementRef)
is stored like any other and marks its target ``voided``. The target may arrive before or
after the voiding statement: after each batch, :func:`apply` marks both the targets of the
batch's voiding statements and the batch's statements that an earlier voiding statement
names. A voiding statement that targets another voiding statement is rejected
(:func:`chained`); voiding statements themselves are never marked voided.
"""

from __future__ import annotations

import duckdb

from lat import vocab

# Voiding statements of the batch (temp table ``candidates``; a voiding statement is a row
# with a ``void_target``) whose target is a voiding
# statement already stored or arriving in the same batch.
_CHAINED = """
SELECT c.seq, c.void_target
FROM candidates AS c
WHERE c.void_target IS NOT NULL
  AND (TRY_CAST(c.void_target AS UUID) IN (SELECT id FROM statements WHERE verb = $voided)
       OR TRY_CAST(c.void_target AS UUID) IN (SELECT uid FROM candidates WHERE void_target IS NOT NULL AND uid IS NOT NULL))
"""

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


def chained(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """(seq, target) of candidate voiding statements that target a voiding statement."""
    rows = con.execute(_CHAINED, {"voided": vocab.VOIDED}).fetchall()
    return [(int(seq), str(target)) for seq, target in rows]


def apply(con: duckdb.DuckDBPyConnection, stored: str) -> int:
    """Mark voided what the batch stored at ``stored`` voids or is voided by; returns rows marked."""
    rows = con.execute(_APPLY, {"voided": vocab.VOIDED, "stored": stored}).fetchall()
    return int(rows[0][0]) if rows else 0
