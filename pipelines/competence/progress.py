"""Change of teachers' competence from the school's previous round (``competence_progress``)."""

from __future__ import annotations

import polars as pl

from pipelines.competence.area_figures import area_figures
from pipelines.core.suppression import is_small


def between_rounds(st: pl.LazyFrame, order: pl.LazyFrame, k: int) -> pl.LazyFrame:
    """Change of share at B1+ and of mean level from the school's previous round (same area;
    rounds in the product's order, ``order``: :func:`pipelines.core.rounds.round_order`)."""
    cells = area_figures(st.join(order.select("round", "round_order"), on="round"), 1).sort("round_order")
    keys = ["school", "area"]
    prev = cells.with_columns(pl.col("round").shift(-1).over(keys).alias("_next")).filter(pl.col("_next").is_not_null())
    paired = cells.join(
        prev.select(
            *keys,
            pl.col("_next").alias("round"),
            pl.col("round").alias("previous_round"),
            pl.col("n").alias("n_previous"),
            pl.col("share_b1_plus").alias("share_b1_plus_previous"),
            pl.col("mean_level").alias("mean_level_previous"),
        ),
        on=[*keys, "round"],
    )
    hidden = is_small("n", k) | is_small("n_previous", k)
    figures = {
        "share_b1_plus": pl.col("share_b1_plus"),
        "share_b1_plus_previous": pl.col("share_b1_plus_previous"),
        "change_share_b1_plus": pl.col("share_b1_plus") - pl.col("share_b1_plus_previous"),
        "mean_level": pl.col("mean_level"),
        "mean_level_previous": pl.col("mean_level_previous"),
        "change_mean_level": pl.col("mean_level") - pl.col("mean_level_previous"),
    }
    return paired.select(
        "school",
        "round",
        "previous_round",
        "area",
        "n",
        "n_previous",
        *[pl.when(hidden).then(None).otherwise(e).alias(name) for name, e in figures.items()],
        hidden.alias("suppressed"),
    )
