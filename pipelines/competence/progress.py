"""Change of teachers' competence from the school's previous round (``competence_progress``).

Each round's figures are those ``competence_area`` publishes for its cell: a round with fewer
than ``LAT_MIN_CELL_SIZE`` teachers has none, so its figure is empty here too and so is the
change that would be derived from it; the other round's figure stays shown, as it is in
``competence_area``. ``suppressed`` says that the change is withheld.
"""

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
    small, small_previous = is_small("n", k), is_small("n_previous", k)
    hidden = small | small_previous
    figures = {
        "share_b1_plus": (small, pl.col("share_b1_plus")),
        "share_b1_plus_previous": (small_previous, pl.col("share_b1_plus_previous")),
        "change_share_b1_plus": (hidden, pl.col("share_b1_plus") - pl.col("share_b1_plus_previous")),
        "mean_level": (small, pl.col("mean_level")),
        "mean_level_previous": (small_previous, pl.col("mean_level_previous")),
        "change_mean_level": (hidden, pl.col("mean_level") - pl.col("mean_level_previous")),
    }
    return paired.select(
        "school",
        "round",
        "previous_round",
        "area",
        "n",
        "n_previous",
        *[pl.when(withheld).then(None).otherwise(e).alias(name) for name, (withheld, e) in figures.items()],
        hidden.alias("suppressed"),
    )
