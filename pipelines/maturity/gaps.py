"""Where respondent groups disagree, and each school's strongest and weakest items."""

from __future__ import annotations

import polars as pl

GAP_FLAG = 0.5  # |gap| on the 1-5 scale that counts as a notable disagreement
PAIRS: tuple[tuple[str, str], ...] = (("leader", "teacher"), ("teacher", "student"))
TOP = 3  # items listed as strongest and as weakest


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


def strengths_weaknesses(items: pl.LazyFrame) -> pl.LazyFrame:
    """Per school, round and group: the 3 items with the highest and the 3 with the lowest mean.

    Only unsuppressed items are ranked. Ties go to the higher (strongest) or lower (weakest)
    share agreeing, then to the item code. With fewer than 6 ranked items an item is listed
    as strongest only, never as both.
    """
    keys = ["school", "round", "group"]
    ranked = items.filter(~pl.col("suppressed")).with_columns(
        pl.struct(-pl.col("mean"), -pl.col("share_agree"), "item").rank("ordinal").over(keys).alias("_top"),
        pl.struct("mean", "share_agree", pl.col("item")).rank("ordinal").over(keys).alias("_bottom"),
    )
    strongest = ranked.filter(pl.col("_top") <= TOP).with_columns(pl.lit("strongest").alias("kind"), pl.col("_top").alias("rank"))
    weakest = ranked.filter((pl.col("_bottom") <= TOP) & (pl.col("_top") > TOP)).with_columns(
        pl.lit("weakest").alias("kind"), pl.col("_bottom").alias("rank")
    )
    return pl.concat([strongest, weakest]).select(
        *keys, "kind", pl.col("rank").cast(pl.Int64), "item", "area", "n", "mean", "share_agree"
    )
