"""What a writer keeps in memory about the store, so that a batch need not scan it.

The ``statements`` table has no index on ``id`` (it would slow every insert, see
docs/store.md), so asking "is this id stored?" reads every id: a cost that grows with the
store. A writer that is the store's only writer for a while (one ``lat ingest``, ``lat pull``
or survey import; the LRS for as long as it runs) remembers instead:

* :class:`IdFilter`: the first 64 bits of every stored id. An id whose prefix is unknown is
  certainly new; only the others (repeats, retries, and one chance in 2**64 / stored of a
  false alarm) are looked up in the store.
* the ids that stored voiding statements name: the voiding SQL runs only for a batch that
  holds a voiding statement or one of these ids.

Both parts load lazily from the store (an empty store costs nothing) and are dropped with
:meth:`Known.reset` when another path may have written, or when a transaction rolled back.
:mod:`lat.store.writer` is the one user.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import duckdb
import numpy as np
import pyarrow as pa

from lat.xapi import vocab

MERGE_AT = 1 << 16  # recent prefixes are merged into the sorted array once there are this many
# A bitmap of the top BUCKET_BITS bits of the stored prefixes (2**24 booleans) answers
# "certainly new" for most new ids in one lookup; only the others are searched in the sorted
# array, which is about ten times slower per batch (docs/ingest.md).
BUCKET_BITS = 24
_BUCKET_SHIFT = np.uint64(64 - BUCKET_BITS)

# UUID -> UHUGEINT gives the 128-bit number of the UUID (checked against uuid.UUID().int);
# its high and low halves identify an id whatever its spelling (case).
HIGH = "(({0})::UHUGEINT >> 64)::UBIGINT"
LOW = "(({0})::UHUGEINT & 18446744073709551615::UHUGEINT)::UBIGINT"


def prefix(sid: str) -> int:
    """The first 64 bits of a statement id (any spelling DuckDB reads as the same UUID)."""
    return uuid.UUID(sid).int >> 64


class IdFilter:
    """A set of stored ids' 64-bit prefixes: a sorted numpy array plus the recent additions."""

    def __init__(self, keys: np.ndarray) -> None:
        # np.sort, not np.unique: ids are unique in the store already, and numpy 2's unique
        # takes over a second for a million keys where a sort takes milliseconds
        self._sorted = np.sort(keys.astype(np.uint64))
        self._recent = np.zeros(0, dtype=np.uint64)  # sorted too; merged in at MERGE_AT
        self._buckets = np.zeros(1 << BUCKET_BITS, dtype=bool)
        self._buckets[self._sorted >> _BUCKET_SHIFT] = True

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> IdFilter:
        """The prefixes of every id in the store."""
        keys = con.execute(f"SELECT {HIGH.format('id')} AS k FROM statements").fetchnumpy()["k"]
        return cls(np.asarray(keys, dtype=np.uint64))

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent)

    def maybe_keys(self, keys: np.ndarray) -> np.ndarray:
        """A boolean mask over ``keys`` (id prefixes): True where the id may be stored."""
        keys = np.asarray(keys, dtype=np.uint64)
        hits = np.zeros(len(keys), dtype=bool)
        rows = np.flatnonzero(self._buckets[keys >> _BUCKET_SHIFT])
        some = keys[rows]
        for known in (self._sorted, self._recent):
            if len(known) and len(some):
                at = np.minimum(np.searchsorted(known, some), len(known) - 1)
                hits[rows] |= known[at] == some
        return hits

    def maybe(self, ids: Sequence[str]) -> list[str]:
        """The ids of ``ids`` that may be stored (the others certainly are not)."""
        keys = np.fromiter((prefix(i) for i in ids), dtype=np.uint64, count=len(ids))
        return [sid for sid, hit in zip(ids, self.maybe_keys(keys).tolist(), strict=True) if hit]

    def add_keys(self, keys: np.ndarray) -> None:
        """Remember newly stored ids by their prefixes."""
        if not len(keys):
            return
        keys = np.asarray(keys, dtype=np.uint64)
        self._buckets[keys >> _BUCKET_SHIFT] = True
        self._recent = np.sort(np.concatenate((self._recent, keys)))
        if len(self._recent) >= MERGE_AT:
            # two sorted runs: numpy's stable sort (timsort for 64-bit keys) merges them in
            # linear time, where the default quicksort re-sorts the whole store's keys
            self._sorted = np.sort(np.concatenate((self._sorted, self._recent)), kind="stable")
            self._recent = np.zeros(0, dtype=np.uint64)


class Known:
    """A writer's memory of the store (see the module docstring); each part loads on first use."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything: another path may have written to the store, or a write rolled back."""
        self._ids: IdFilter | None = None
        self._void_targets: set[str] | None = None

    def load(self, con: duckdb.DuckDBPyConnection) -> None:
        """Load every part now (the LRS at start: the first request should not pay for it)."""
        self.ids(con)
        self.void_targets(con)

    def stored(self, keys: np.ndarray, void_targets: pa.ChunkedArray) -> None:
        """A write committed the ids of prefixes ``keys``, voiding the (lower-case) ``void_targets`` (None: none)."""
        if self._ids is not None:
            self._ids.add_keys(keys)
        if self._void_targets is not None and void_targets.null_count < len(void_targets):
            self._void_targets.update(t for t in void_targets.to_pylist() if t is not None)

    def ids(self, con: duckdb.DuckDBPyConnection) -> IdFilter:
        """The stored ids' filter, loaded on first use."""
        if self._ids is None:
            self._ids = IdFilter.load(con)
        return self._ids

    def void_targets(self, con: duckdb.DuckDBPyConnection) -> set[str]:
        """Lower-case ids named by stored voiding statements."""
        if self._void_targets is None:
            rows = con.execute("SELECT DISTINCT lower(object_id) FROM statements WHERE verb = ? AND object_id IS NOT NULL", [vocab.VOIDED]).fetchall()
            self._void_targets = {str(target) for (target,) in rows}
        return self._void_targets
