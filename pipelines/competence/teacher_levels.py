"""Each teacher's DigCompEdu level: per competence (A1=1 .. C2=6) from the latest
self-assessments, and per area (the lower median of the teacher's competence levels)."""

from __future__ import annotations

import polars as pl

from lat.xapi import vocab

CELL = ["school", "round", "area"]
LEVELS = list(vocab.DIGCOMP_LEVELS)
B1 = 3  # index of B1 (Integrator)
COUNT_COLUMNS = [f"level_{lv.lower()}" for lv in LEVELS]


def latest_levels(latest: pl.LazyFrame) -> pl.LazyFrame:
    """school, round, area, competence, teacher, level (1..6) from the latest self-assessments."""
    from_response = pl.col("response").str.to_uppercase().replace_strict({lv: i + 1 for i, lv in enumerate(LEVELS)}, default=None, return_dtype=pl.Int64)
    from_raw = pl.when(pl.col("score_raw").is_in([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])).then(pl.col("score_raw").cast(pl.Int64))
    return latest.select(
        "school",
        "round",
        pl.col("competence").str.split(".").list.first().alias("area"),
        "competence",
        "teacher",
        pl.coalesce(from_response, from_raw).alias("level"),
        "timestamp",
    ).filter(pl.col("level").is_not_null())


def area_levels(levels: pl.LazyFrame) -> pl.LazyFrame:
    """Each teacher's area level: the lower median of their competence levels in the area."""
    return levels.group_by([*CELL, "teacher"]).agg(
        pl.col("level").quantile(0.5, interpolation="lower").cast(pl.Int64).alias("level"),
        pl.col("timestamp").min().alias("first_answer"),
    )
