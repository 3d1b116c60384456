"""How many of a school's teachers are at each DigCompEdu level, per round and area (``competence_levels``)."""

from __future__ import annotations

import polars as pl

from pipelines.competence.teacher_levels import CELL, COUNT_COLUMNS
from pipelines.core.suppression import is_small


def level_distribution(st: pl.LazyFrame, k: int) -> pl.LazyFrame:
    """Long table: six rows per cell (A1..C2, a level nobody is at with 0), teachers and share at each level; counts blanked in small cells."""
    long = st.unpivot(index=[*CELL, "n"], on=COUNT_COLUMNS, variable_name="competence_level", value_name="teachers_at_level")
    hidden = is_small("n", k)
    return long.select(
        *CELL,
        pl.col("competence_level").str.strip_prefix("level_").str.to_uppercase(),
        "n",
        pl.when(hidden).then(None).otherwise(pl.col("teachers_at_level")).alias("teachers_at_level"),
        pl.when(hidden).then(None).otherwise(pl.col("teachers_at_level") / pl.col("n")).alias("share"),
        hidden.alias("suppressed"),
    )
