"""The fast path of file ingest: NDJSON lines straight to rows, in C, when that is safe.

:func:`scan_table` turns the records of an NDJSON block that the C module can prove valid
into an Arrow table of :data:`lat.store.rows.ROW_SCHEMA` and hands back every other record, which
the Python path (:mod:`lat.ingest.batches`: parse, :mod:`lat.xapi.validation`, :mod:`lat.store.rows`) then
stores or rejects with its reason. Without the compiled module (:mod:`lat.ingest._fastxapi`) every
record goes the Python path: slower, same result.

How the table is made: the C module writes each column into C buffers laid out as Arrow
arrays (validity bitmaps, offsets and UTF-8 data, float64 values, value bits), with the GIL
released for the whole block (two threads scan two blocks at once), and pyarrow wraps those
buffers without copying them. No Python object is made per value.

What the C module promises (tests/test_fastpath.py checks each against the Python code):

* its rows equal the rows :class:`lat.store.rows.Columns` builds for the same lines (every column,
  ``raw`` byte for byte, floats bit for bit);
* for a statement with its own ``id`` the digest (:func:`lat.xapi.ids.content_digest`, the xAPI
  comparison form) is computed here in Python from the line; the rest of the row is C's;
* it writes a row only for a statement that :func:`lat.xapi.validation.validate` accepts and that is
  no voiding statement (the rules are in lat/ingest/_fastxapi_rules.c); anything it cannot prove (a
  statement with an ``authority``, a group actor, an odd number, broken JSON, ...) is a
  pending record;
* records are numbered as :meth:`lat.ingest.readers.LineBlock.numbered` numbers them.

See docs/ingest.md, "The C fast path", for how it is built and measured.
"""

from __future__ import annotations

import ctypes.util
import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pyarrow as pa

from lat.ingest.readers import LineBlock
from lat.store.rows import NAMES, ROW_SCHEMA
from lat.xapi import vocab
from lat.xapi.fields import PROFILE_COLUMNS
from lat.xapi.ids import NAMESPACE, content_digest

# (seq, line, text) of a record left to the Python path
Pending = tuple[int, int, bytes]


def libcrypto() -> str | None:
    """The OpenSSL libcrypto that hashlib uses (its SHA1() derives ids without the GIL), or None."""
    import _hashlib  # noqa: F401  (loads libcrypto, if Python was built with OpenSSL)

    try:  # the very library _hashlib loaded
        for line in Path("/proc/self/maps").read_text().splitlines():
            path = line.split()[-1]
            if "/libcrypto" in path and path.startswith("/"):
                return path
    except OSError:  # no /proc (not Linux)
        pass
    return ctypes.util.find_library("crypto")


def _load() -> tuple[ModuleType | None, str]:
    """The configured C module, or None; and why (which SHA-1 it uses, or why it is not used)."""
    try:
        module = importlib.import_module("lat.ingest._fastxapi")
    except ImportError as exc:  # not built (no compiler where it was installed): Python does everything
        return None, f"lat.ingest._fastxapi is not built ({exc}); `make install` or `python setup.py build_ext --inplace` builds it"
    if module.COLUMNS != len(NAMES) or not hasattr(module, "scan_table"):
        return None, "lat.ingest._fastxapi is older than lat.ingest.fastpath: rebuild it (`make install`)"
    sha1 = module.configure(NAMESPACE.bytes, vocab.VOIDED, tuple(iri for _, iri in PROFILE_COLUMNS), libcrypto())
    return module, f"lat.ingest._fastxapi is built; {sha1}"


_fastxapi, REASON = _load()
# True when the C module does the proven records (REASON says why not otherwise, and which SHA-1 it uses)
AVAILABLE = _fastxapi is not None


def scan_table(block: LineBlock, seq: int, stored: str) -> tuple[int, pa.Table, list[Pending]]:
    """(records seen, the rows of the records proven valid, the other records) of ``block``.

    Records are numbered from ``seq`` on in file order (blank lines are no records);
    ``stored`` is the batch's ``stored`` value. The table has the schema
    :data:`lat.store.rows.ROW_SCHEMA`; the other records go the Python path.
    """
    if _fastxapi is None:
        pending = [(seq + i, line, text) for i, (line, text) in enumerate(block.numbered())]
        return len(pending), ROW_SCHEMA.empty_table(), pending
    records, rows, parts, pending, own_ids = _fastxapi.scan_table(block.data, block.first_line, seq, stored)
    return records, _table(rows, parts, own_ids, block.source), pending


def _table(rows: int, parts: tuple[Any, ...], own_ids: list[tuple[int, bytes]], source: str) -> pa.Table:
    """The Arrow table of C's buffers, plus the columns made here."""
    made = {
        "source": lambda: pa.repeat(pa.scalar(source, pa.string()), rows),
        "item_index": lambda: pa.nulls(rows, pa.int64()),
        "void_target": lambda: pa.nulls(rows, pa.string()),  # voiding statements go the Python path
        "digest": lambda: _digests(rows, own_ids),
    }
    arrays = [made[field.name]() if part is None else _array(field.type, rows, part) for field, part in zip(ROW_SCHEMA, parts, strict=True)]
    return pa.Table.from_arrays(arrays, schema=ROW_SCHEMA)


def _array(kind: pa.DataType, rows: int, part: tuple[int, Any, Any, Any]) -> pa.Array:
    """One column from its C buffers (null count, validity, offsets, data), without a copy."""
    nulls, validity, offsets, data = part
    storage = kind.storage_type if isinstance(kind, pa.BaseExtensionType) else kind
    buffers = [pa.py_buffer(validity) if validity is not None and nulls else None]
    if offsets is not None:
        buffers.append(pa.py_buffer(offsets))
    buffers.append(pa.py_buffer(data))
    array = pa.Array.from_buffers(storage, rows, buffers, null_count=nulls)
    return pa.ExtensionArray.from_storage(kind, array) if storage is not kind else array


def _digests(rows: int, own_ids: list[tuple[int, bytes]]) -> pa.Array:
    """The digest column: :func:`lat.xapi.ids.content_digest` for the statements with their own id (rare), else null."""
    if not own_ids:
        return pa.nulls(rows, pa.binary())
    values: list[bytes | None] = [None] * rows
    for row, text in own_ids:
        values[row] = content_digest(orjson.loads(text))
    return pa.array(values, pa.binary())
