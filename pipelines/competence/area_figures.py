"""Teachers' competence per school, round and area: mean level and share at B1 or above,
small cells suppressed (``competence_area``)."""

from __future__ import annotations

import polars as pl

from pipelines.competence.teacher_levels import B1, CELL, COUNT_COLUMNS
from pipelines.core.suppression import is_small


def area_figures(frame: pl.LazyFrame, k: int) -> pl.LazyFrame:
    """``frame`` with mean_level, share_b1_plus and suppressed: the figures empty when the cell has fewer than ``k`` teachers."""
    b1_plus = pl.sum_horizontal(COUNT_COLUMNS[B1 - 1 :])
    hidden = is_small("n", k)
    return frame.with_columns(
        pl.when(hidden).then(None).otherwise(pl.col("level_sum") / pl.col("n")).alias("mean_level"),
        pl.when(hidden).then(None).otherwise(b1_plus / pl.col("n")).alias("share_b1_plus"),
        hidden.alias("suppressed"),
    )


def area_cells(st: pl.LazyFrame, k: int) -> pl.LazyFrame:
    """competence_area: per school, round and area, the teachers counted, mean level and share at B1 or above."""
    return area_figures(st, k).select(*CELL, "n", "mean_level", "share_b1_plus", "suppressed")
