"""Maturity per school, round, item and respondent group: the item's statistics per partition
(stage 1) and the published cell (stage 2, ``maturity_item``)."""

from __future__ import annotations

import polars as pl

from pipelines.core.suppression import suppress
from pipelines.maturity.cells import AGREE_FROM, ITEM_CELL


def item_state(answers: pl.LazyFrame) -> pl.LazyFrame:
    """Per school, round, item, group: respondents scoring it (n), sum, agreeing answers."""
    return (
        answers.filter(pl.col("score").is_not_null())
        .group_by(ITEM_CELL)
        .agg(
            pl.len().alias("n"),
            pl.col("score").sum().alias("score_sum"),
            (pl.col("score") >= AGREE_FROM).sum().alias("agree"),
        )
    )


def item_cells(items: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    """maturity_item: the same per item."""
    return suppress(
        items.select(
            *ITEM_CELL,
            "n",
            (pl.col("score_sum") / pl.col("n")).alias("mean"),
            (pl.col("agree") / pl.col("n")).alias("share_agree"),
        ),
        n="n",
        values=["mean", "share_agree"],
        min_cell_size=min_cell_size,
    )
