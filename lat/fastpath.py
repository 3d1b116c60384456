"""The fast path of file ingest: NDJSON lines straight to rows, in C, when that is safe.

:func:`scan` appends to a :class:`lat.rows.Columns` the rows of the records of an NDJSON
block that it can prove valid, and hands back every other record, which the Python path
(:mod:`lat.batches`: parse, :mod:`lat.validation`, :mod:`lat.rows`) then stores or rejects
with its reason. Without the compiled module (:mod:`lat._fastxapi`) every record goes the
Python path: slower, same result.
"""

from __future__ import annotations

from lat.readers import LineBlock
from lat.rows import Columns

# (seq, line, text) of a record left to the Python path
Pending = tuple[int, int, bytes]


def scan(block: LineBlock, seq: int, stored: str, columns: Columns) -> tuple[int, list[Pending]]:
    """Rows of ``block``'s records go to ``columns`` where proven valid; returns (records seen, the others).

    Records are numbered from ``seq`` on in file order (blank lines are no records);
    ``stored`` is the batch's ``stored`` value.
    """
    pending = [(seq + i, line, text) for i, (line, text) in enumerate(block.numbered())]
    return len(pending), pending
