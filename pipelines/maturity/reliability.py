"""Cronbach's alpha of an area's items, per cell (school, round, area, group).

alpha = k / (k - 1) * (1 - sum of item variances / variance of respondents' total scores),
sample variances (ddof 1), on a complete respondents x items matrix:

- items: those of the area scored (1-5) by at least half of the cell's respondents, so that
  a school's optional or own items asked of few do not shrink the matrix to nothing;
- respondents: those who scored every one of these items (complete cases).

``alpha_n`` is the number of complete cases, ``alpha_k`` the number of items. Alpha is
null when k < 2, n < 2 or the total scores do not vary.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from pipelines.core import stable
from pipelines.core.suppression import suppress
from pipelines.maturity.cells import CELL


def cronbach_alpha(scores: pl.LazyFrame, keys: Sequence[str]) -> pl.LazyFrame:
    """``scores`` (keys..., respondent, item, score not null) -> keys, alpha, alpha_n, alpha_k.

    Each respondent has at most one score per item. Window expressions mark the kept items
    and the complete cases in the same frame (no joins back onto the answers), then two
    group-bys give the item variances and the variance of the totals.
    """
    cell = list(keys)
    covered = pl.len().over([*cell, "item"])  # respondents scoring the item
    respondents = pl.col("respondent").n_unique().over(cell)
    on_kept = scores.select(*cell, "respondent", "item", "score").filter(covered * 2 >= respondents)
    k = pl.col("item").n_unique().over(cell)
    complete = on_kept.with_columns(k.alias("alpha_k")).filter(pl.len().over([*cell, "respondent"]) == pl.col("alpha_k"))
    item_var = complete.group_by([*cell, "item"]).agg(stable.var(pl.col("score")).alias("_var"))
    item_var = item_var.group_by(cell).agg(stable.total(pl.col("_var")).alias("_sum_item_var"))
    totals = complete.group_by([*cell, "respondent"]).agg(pl.col("score").sum().alias("_total"), pl.col("alpha_k").first())
    total_var = totals.group_by(cell).agg(pl.len().alias("alpha_n"), stable.var(pl.col("_total")).alias("_total_var"), pl.col("alpha_k").first())
    kk = pl.col("alpha_k").cast(pl.Float64)
    alpha = (kk / (kk - 1)) * (1 - pl.col("_sum_item_var") / pl.col("_total_var"))
    usable = (pl.col("alpha_k") >= 2) & (pl.col("alpha_n") >= 2) & (pl.col("_total_var") > 0)
    return (
        total_var.join(item_var, on=cell, how="left")
        .with_columns(pl.when(usable).then(alpha).otherwise(None).alias("alpha"))
        .select(*cell, "alpha", pl.col("alpha_n").cast(pl.Int64), pl.col("alpha_k").cast(pl.Int64))
    )


def alpha_cells(area: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    """maturity_alpha: Cronbach's alpha of the area's items per school, round and group."""
    return suppress(
        area.select(*CELL, pl.col("alpha_n").fill_null(0).alias("n"), pl.col("alpha_k").fill_null(0).alias("items"), "alpha"),
        n="n",
        values=["alpha"],
        min_cell_size=min_cell_size,
    )
