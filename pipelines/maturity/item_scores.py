"""Maturity per school, round, item and respondent group: the item's statistics per partition
(stage 1) and the published cell (stage 2, ``maturity_item``)."""

from __future__ import annotations

import polars as pl

from pipelines.core.suppression import is_small, suppress_also
from pipelines.maturity.cells import AGREE_FROM, ITEM_CELL


def item_state(scored: pl.LazyFrame, shown: pl.LazyFrame) -> pl.LazyFrame:
    """Per school, round, item, group: respondents scoring it (n, from every answer), and
    from the shown answers only: their number (scored), sum and agreeing answers."""
    sums = shown.group_by(ITEM_CELL).agg(
        pl.len().alias("scored"),
        pl.col("score").sum().alias("score_sum"),
        (pl.col("score") >= AGREE_FROM).sum().alias("agree"),
    )
    counts = [pl.col(c).fill_null(0).cast(pl.Int64) for c in ("scored", "score_sum", "agree")]
    return scored.group_by(ITEM_CELL).agg(pl.len().cast(pl.Int64).alias("n")).join(sums, on=ITEM_CELL, how="left").select(*ITEM_CELL, "n", *counts)


def item_cells(items: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    """maturity_item: the same per item."""
    return suppress_also(
        items.select(
            *ITEM_CELL,
            "n",
            "scored",
            (pl.col("score_sum") / pl.col("scored")).alias("mean"),
            (pl.col("agree") / pl.col("scored")).alias("share_agree"),
        ),
        when=is_small("scored", min_cell_size),
        values=["mean", "share_agree"],
    ).drop("scored")
