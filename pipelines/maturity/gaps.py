"""Where respondent groups disagree (the strongest and weakest items: :mod:`pipelines.maturity.strengths`)."""

from __future__ import annotations

import polars as pl

GAP_FLAG = 0.5  # |gap| on the 1-5 scale that counts as a notable disagreement
PAIRS: tuple[tuple[str, str], ...] = (("leader", "teacher"), ("teacher", "student"))


def group_gaps(cells: pl.LazyFrame) -> pl.LazyFrame:
    """Per school, round, area and pair: gap = mean of the first group minus the second.

    A pair appears when both groups have a cell; ``gap`` is empty and ``suppressed`` true when
    either cell is suppressed. ``large_gap`` is true where |gap| >= 0.5.
    """
    keys = ["school", "round", "area"]
    frames = []
    for first, second in PAIRS:
        a = cells.filter(pl.col("group") == first).select(*keys, pl.col("mean").alias("_a"), pl.col("suppressed").alias("_sa"))
        b = cells.filter(pl.col("group") == second).select(*keys, pl.col("mean").alias("_b"), pl.col("suppressed").alias("_sb"))
        frames.append(a.join(b, on=keys).with_columns(pl.lit(f"{first}-{second}").alias("pair")))
    hidden = pl.col("_sa") | pl.col("_sb")
    gap = pl.when(hidden).then(None).otherwise(pl.col("_a") - pl.col("_b"))
    return (
        pl.concat(frames)
        .with_columns(gap.alias("gap"))
        .select(
            *keys,
            "pair",
            "gap",
            (pl.col("gap").abs() >= GAP_FLAG - 1e-9).fill_null(False).alias("large_gap"),
            hidden.alias("suppressed"),
        )
    )
