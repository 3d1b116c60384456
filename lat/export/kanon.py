"""k-anonymity by generalisation along a ladder, then suppression of what is still too rare.

Each row is one individual (a respondent in a round, or a school in a round). The rows'
quasi-identifiers (QIs) are generalised one step at a time, in the order of a fixed *ladder*
(the steps that cost analysts least come first), until at most ``max_suppression`` of the rows
sit in equivalence classes smaller than ``k``; those rows are then suppressed (removed). The
result is k-anonymous over the QIs whatever happens: if the ladder runs out, everything in a
class below ``k`` is suppressed. A fixed ladder rather than a search over the whole
generalisation lattice (as ARX does) keeps the outcome predictable and explainable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from lat.export.generalise import Hierarchy


@dataclass(frozen=True)
class KResult:
    """The k-anonymous rows and what it cost."""

    frame: pl.DataFrame  # QI columns hold the generalised values; suppressed rows are gone
    k: int
    levels: dict[str, str]  # QI column -> name of the level it was generalised to
    rows_in: int
    rows_suppressed: int
    cells_generalised: int  # QI cells of kept rows whose value differs from the value as collected
    suppressed_keys: pl.DataFrame = field(repr=False)  # the id columns of the suppressed rows

    def loss(self) -> dict[str, object]:
        """The information lost, for the manifest and stdout."""
        return {
            "k": self.k,
            "rows_in": self.rows_in,
            "rows_suppressed": self.rows_suppressed,
            "cells_generalised": self.cells_generalised,
            "generalisation": dict(self.levels),
        }


def _level_column(column: str, level: int) -> str:
    return f"__{column}__{level}"


def small_rows(frame: pl.DataFrame, keys: Sequence[str], k: int) -> pl.Series:
    """A boolean mask: rows whose equivalence class over ``keys`` holds fewer than ``k`` rows."""
    if not keys:
        return pl.Series([frame.height < k] * frame.height, dtype=pl.Boolean)
    return frame.select((pl.len().over(list(keys)) < k).alias("small")).to_series()


def enforce(
    frame: pl.DataFrame,
    hierarchies: Sequence[Hierarchy],
    ladder: Sequence[str],
    k: int,
    *,
    ids: Sequence[str],
    max_suppression: float = 0.05,
) -> KResult:
    """Make ``frame`` k-anonymous over the hierarchies' columns (see the module docstring).

    ``ladder`` names hierarchy columns, once per step up; ``ids`` are the columns that say
    which rows were suppressed (they are reported, never used as QIs).
    """
    by_column = {h.column: h for h in hierarchies}
    unknown = [c for c in ladder if c not in by_column]
    if unknown:
        raise ValueError(f"ladder names columns without a hierarchy: {unknown}")
    work = frame.with_columns(level.alias(_level_column(h.column, i)) for h in hierarchies for i, level in enumerate(h.levels))
    levels = {h.column: 0 for h in hierarchies}
    budget = math.floor(max_suppression * work.height)
    steps: list[str | None] = [None, *ladder]
    for step in steps:
        if step is not None:
            levels[step] = min(levels[step] + 1, by_column[step].top)
        mask = small_rows(work, [_level_column(c, n) for c, n in levels.items()], k)
        if int(mask.sum()) <= budget:
            break
    kept = work.filter(~mask)
    cells = sum(int(kept.select(pl.col(_level_column(c, n)).ne_missing(pl.col(_level_column(c, 0))).sum()).item()) for c, n in levels.items() if n > 0)
    helpers = [_level_column(h.column, i) for h in hierarchies for i in range(len(h.levels))]
    result = kept.with_columns(pl.col(_level_column(c, n)).alias(c) for c, n in levels.items()).drop(helpers)
    return KResult(
        frame=result,
        k=k,
        levels={c: by_column[c].names[n] for c, n in levels.items()},
        rows_in=work.height,
        rows_suppressed=work.height - kept.height,
        cells_generalised=cells,
        suppressed_keys=work.filter(mask).select(list(ids)),
    )


def smallest_class(frame: pl.DataFrame, columns: Sequence[str]) -> int:
    """The size of the smallest equivalence class over ``columns`` (0 for no rows)."""
    if frame.height == 0:
        return 0
    if not columns:
        return frame.height
    smallest = frame.group_by(list(columns)).len()["len"].min()
    assert isinstance(smallest, int)  # the counts are UInt32, and there is at least one class
    return smallest
