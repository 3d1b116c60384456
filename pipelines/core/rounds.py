"""The one order of self-assessment rounds, for the whole product.

A round starts with its first answer anywhere in the store: the earliest ``first_answer``
that any family's remembered statistics give for it (SELFIE-style answers and DigCompEdu
self-assessments alike), in any school. Rounds are ordered by that start, then by label when
two start at the same moment. A round's label is only a name: ``2025-spring`` comes before
``2025-autumn`` when it started first, whatever the alphabet says.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

STARTS = ("round", "first_answer")  # the columns a family's statistics give a round's start in


def round_starts(states: Mapping[str, pl.DataFrame]) -> pl.LazyFrame:
    """round, started: the earliest first answer of each round over every statistic that has one."""
    frames = [frame.lazy().select(*STARTS) for frame in states.values() if set(STARTS) <= set(frame.columns)]
    if not frames:
        return pl.LazyFrame(schema={"round": pl.String, "started": pl.Datetime("us", "UTC")})
    both = pl.concat(frames, how="vertical_relaxed").filter(pl.col("round").is_not_null())
    return both.group_by("round").agg(pl.col("first_answer").min().alias("started"))


def round_order(states: Mapping[str, pl.DataFrame]) -> pl.LazyFrame:
    """round, started, round_order (0, 1, ...): rounds by their start, then label."""
    ordered = round_starts(states).sort("started", "round", nulls_last=True)
    return ordered.with_row_index("round_order").select("round", "started", pl.col("round_order").cast(pl.Int64))
