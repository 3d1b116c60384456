"""What the writer keeps in memory about the store, so that a commit group need not scan it.

The ``statements`` table has no index on ``id`` (it would slow file ingest, see
docs/store.md), so asking "is this id stored?" reads every id: a cost that grows with the
store. While the LRS runs it is the only writer, so it can remember instead:

* :class:`IdFilter`: the first 64 bits of every stored id. An id whose prefix is unknown is
  certainly new; only the others (retries, and one chance in 2**64 / stored of a false
  alarm) are looked up in the store.
* the ids that stored voiding statements name (voiding SQL runs only when a group holds a
  voiding statement or one of these ids);
* the registry's attribution maps (actor -> school, school -> hub).

Everything is loaded lazily from the store and dropped (:meth:`Known.reset`) after any job
that may have written by another path (a delegated ingest or registry import).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

import duckdb
import numpy as np

from lat import vocab

MERGE_AT = 1 << 16  # recent prefixes are merged into the sorted array once there are this many


def prefix(sid: str) -> int:
    """The first 64 bits of a statement id (any spelling DuckDB reads as the same UUID)."""
    return uuid.UUID(sid).int >> 64


class IdFilter:
    """A set of stored ids' 64-bit prefixes: a sorted numpy array plus the recent additions."""

    def __init__(self, keys: np.ndarray) -> None:
        # np.sort, not np.unique: ids are unique in the store already, and numpy 2's unique
        # takes over a second for a million keys where a sort takes milliseconds
        self._sorted = np.sort(keys.astype(np.uint64))
        self._recent: set[int] = set()

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> IdFilter:
        # UUID -> UHUGEINT gives the 128-bit number of the text (checked against uuid.UUID().int)
        keys = con.execute("SELECT (id::UHUGEINT >> 64)::UBIGINT AS k FROM statements").fetchnumpy()["k"]
        return cls(np.asarray(keys, dtype=np.uint64))

    def maybe(self, ids: Sequence[str]) -> list[str]:
        """The ids of ``ids`` that may be stored (the others certainly are not)."""
        if not ids:
            return []
        keys = np.fromiter((prefix(i) for i in ids), dtype=np.uint64, count=len(ids))
        if len(self._sorted):
            at = np.minimum(np.searchsorted(self._sorted, keys), len(self._sorted) - 1)
            hits = self._sorted[at] == keys
        else:
            hits = np.zeros(len(ids), dtype=bool)
        return [sid for sid, hit, key in zip(ids, hits.tolist(), keys.tolist(), strict=True)
                if hit or key in self._recent]

    def add(self, ids: Iterable[str]) -> None:
        self._recent.update(prefix(i) for i in ids)
        if len(self._recent) >= MERGE_AT:
            recent = np.fromiter(self._recent, dtype=np.uint64, count=len(self._recent))
            self._sorted = np.sort(np.concatenate((self._sorted, recent)))
            self._recent.clear()


class Known:
    """The writer's memory of the store (see the module docstring); each part loads on first use."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything: another path may have written to the store."""
        self._ids: IdFilter | None = None
        self._void_targets: set[str] | None = None
        self._actors: dict[str, str] | None = None
        self._hubs: dict[str, str] | None = None

    def load(self, con: duckdb.DuckDBPyConnection) -> None:
        """Load every part now (at start: the first request should not pay for reading the store)."""
        self.ids(con)
        self.void_targets(con)
        self.actors(con)
        self.hubs(con)

    def ids(self, con: duckdb.DuckDBPyConnection) -> IdFilter:
        if self._ids is None:
            self._ids = IdFilter.load(con)
        return self._ids

    def void_targets(self, con: duckdb.DuckDBPyConnection) -> set[str]:
        """Lower-case ids named by stored voiding statements."""
        if self._void_targets is None:
            rows = con.execute("SELECT DISTINCT lower(object_id) FROM statements WHERE verb = ? AND object_id IS NOT NULL",
                               [vocab.VOIDED]).fetchall()
            self._void_targets = {str(target) for (target,) in rows}
        return self._void_targets

    def actors(self, con: duckdb.DuckDBPyConnection) -> dict[str, str]:
        """The registry's school of each actor key (lat.attribution's rule: the least, if several)."""
        if self._actors is None:
            rows = con.execute("SELECT actor, min(school) FROM people WHERE actor IS NOT NULL "
                               "GROUP BY actor HAVING min(school) IS NOT NULL").fetchall()
            self._actors = {str(actor): str(school) for actor, school in rows}
        return self._actors

    def hubs(self, con: duckdb.DuckDBPyConnection) -> dict[str, str]:
        """The registry's hub of each school."""
        if self._hubs is None:
            rows = con.execute("SELECT school_id, hub FROM schools WHERE hub IS NOT NULL").fetchall()
            self._hubs = {str(school): str(hub) for school, hub in rows}
        return self._hubs
