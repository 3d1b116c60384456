"""Each school's strongest and weakest items."""

from __future__ import annotations

import polars as pl

TOP = 3  # items listed as strongest and as weakest


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
    weakest = ranked.filter((pl.col("_bottom") <= TOP) & (pl.col("_top") > TOP)).with_columns(pl.lit("weakest").alias("kind"), pl.col("_bottom").alias("rank"))
    return pl.concat([strongest, weakest]).select(*keys, "kind", pl.col("rank").cast(pl.Int64), "item", "area", "n", "mean", "share_agree")
