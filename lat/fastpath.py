"""The fast path of file ingest: NDJSON lines straight to rows, in C, when that is safe.

:func:`scan` appends to a :class:`lat.rows.Columns` the rows of the records of an NDJSON
block that it can prove valid, and hands back every other record, which the Python path
(:mod:`lat.batches`: parse, :mod:`lat.validation`, :mod:`lat.rows`) then stores or rejects
with its reason. Without the compiled module (:mod:`lat._fastxapi`) every record goes the
Python path: slower, same result.

What the C module promises (tests/test_fastpath.py checks each against the Python code):

* a row it writes equals :func:`lat.rows.statement_values`' (every column, ``raw`` byte for
  byte, floats exactly), with ``seq``, ``source``, ``line`` and ``item_index`` (None) before it;
* for a statement with its own ``id`` the digest (:func:`lat.ids.content_digest`, the xAPI
  comparison form) is computed here in Python from the line; the rest of the row is C's;
* it writes a row only for a statement that :func:`lat.validation.validate` accepts and that is
  no voiding statement (the rules are in lat/_fastxapi_rules.c); anything it cannot prove (a
  statement with an ``authority``, a group actor, an odd number, broken JSON,
  ...) is a pending record;
* records are numbered as :meth:`lat.readers.LineBlock.numbered` numbers them.

See docs/ingest.md, "The C fast path", for how it is built and measured.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import orjson

from lat import vocab
from lat.flatten import PROFILE_COLUMNS
from lat.ids import NAMESPACE, content_digest
from lat.readers import LineBlock
from lat.rows import NAMES, Columns

# (seq, line, text) of a record left to the Python path
Pending = tuple[int, int, bytes]
_DIGEST = NAMES.index("digest")



def _load() -> tuple[ModuleType | None, str]:
    """The configured C module, or None and why not."""
    try:
        module = importlib.import_module("lat._fastxapi")
    except ImportError as exc:  # not built (no compiler where it was installed): Python does everything
        return None, f"lat._fastxapi is not built ({exc}); `make install` or `python setup.py build_ext --inplace` builds it"
    if module.COLUMNS != len(NAMES):
        return None, f"lat._fastxapi writes {module.COLUMNS} columns, lat.rows has {len(NAMES)}: rebuild it"
    module.configure(NAMESPACE.bytes, vocab.VOIDED, tuple(iri for _, iri in PROFILE_COLUMNS))
    return module, "lat._fastxapi is built"


_fastxapi, REASON = _load()
# True when the C module does the proven records (REASON says why not otherwise)
AVAILABLE = _fastxapi is not None


def scan(block: LineBlock, seq: int, stored: str, columns: Columns) -> tuple[int, list[Pending]]:
    """Rows of ``block``'s records go to ``columns`` where proven valid; returns (records seen, the others).

    Records are numbered from ``seq`` on in file order (blank lines are no records);
    ``stored`` is the batch's ``stored`` value.
    """
    if _fastxapi is None:
        pending = [(seq + i, line, text) for i, (line, text) in enumerate(block.numbered())]
        return len(pending), pending
    records: int
    pending_c: list[Pending]
    digests: list[tuple[int, bytes]]
    records, pending_c, digests = _fastxapi.scan(block.text(), block.first_line, seq, stored, block.source,
                                                 columns.lists)
    # a statement with its own id: the row is C's, the digest (xAPI comparison form) Python's
    column = columns.lists[_DIGEST]
    for row, text in digests:
        column[row] = content_digest(orjson.loads(text))
    return records, pending_c
