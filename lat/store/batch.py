"""A batch: what every way in hands the store's one writer (:mod:`lat.store.writer`).

Rows of :data:`lat.store.rows.ROW_SCHEMA` for the candidate statements and the records already
rejected, with where each was found. File ingest builds batches in parts (:mod:`lat.ingest.batches`)
and joins them with :func:`combine`; the LRS, ``lat pull`` and survey import build one at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

from lat.store.rows import ROW_SCHEMA

REJECT_SCHEMA = pa.schema([("source", pa.string()), ("line", pa.int64()), ("item_index", pa.int64()), ("raw", pa.string()), ("reason", pa.string())])


@dataclass
class Batch:
    """One batch (or a part of one), ready for the store: candidate statements and the records already rejected."""

    statements: pa.Table  # rows of lat.store.rows.ROW_SCHEMA
    rejects: pa.Table
    read: int
    stored: str  # the batch's ``stored`` value (ISO 8601, UTC)
    # per row: True where DuckDB surely reads its id, timestamp and registration (the C fast
    # path proved the statement), so the writer need not check them; None: no row is proven
    proven: np.ndarray | None = None

    def proven_rows(self) -> np.ndarray:
        """:attr:`proven`, as a mask of every row."""
        return np.zeros(self.statements.num_rows, dtype=bool) if self.proven is None else self.proven


def combine(parts: Sequence[Batch], stored: str) -> Batch:
    """One batch of the parts of a batch, built apart (their ``seq`` already count from the batch's start).

    The tables are joined without copying their buffers: the columns keep one chunk per part.
    """
    tables = [p.statements for p in parts if p.statements.num_rows]
    rejects = [p.rejects for p in parts if p.rejects.num_rows]
    proven = [p.proven_rows() for p in parts if p.statements.num_rows]
    return Batch(
        statements=pa.concat_tables(tables) if tables else ROW_SCHEMA.empty_table(),
        rejects=pa.concat_tables(rejects) if rejects else REJECT_SCHEMA.empty_table(),
        read=sum(p.read for p in parts),
        stored=stored,
        proven=np.concatenate(proven) if proven else None,
    )


def location(line: int | None, index: int | None) -> str:
    """Where a record was found, as reasons quote it: 'line 7' or 'element 3 (line 40)'."""
    if index is not None:
        return f"element {index} (line {line})" if line is not None else f"element {index}"
    return f"line {line}" if line is not None else ""


def located(reason: str, line: int | None, index: int | None) -> str:
    """A rejection's reason as stored: prefixed with where the record was found, when known."""
    where = location(line, index)
    return f"{where}: {reason}" if where else reason


def iso(moment: datetime) -> str:
    """xAPI timestamp text of an aware datetime, in UTC with microseconds: 2025-01-31T09:00:00.000000Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def later_than(last: datetime) -> datetime:
    """Now, or one microsecond after ``last`` when the clock has not passed it: each batch's
    ``stored`` is strictly later than the one before, so that it identifies the batch."""
    now = datetime.now(UTC)
    return now if now > last else last + timedelta(microseconds=1)
