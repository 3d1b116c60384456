"""Hub and country roll-ups of teachers' competence (``competence_hub``, ``competence_country``).

As the maturity roll-ups (:mod:`pipelines.rollups.maturity`): only school cells with figures
take part (the others are counted in ``schools_excluded``); ``weighting = school`` counts each
of them once, ``weighting = respondent`` pools their teachers; a roll-up of fewer than
``LAT_MIN_SCHOOLS`` schools is suppressed (``suppressed_reason``).
"""

from __future__ import annotations

import polars as pl

from pipelines.competence.area_figures import area_figures
from pipelines.competence.teacher_levels import B1, COUNT_COLUMNS
from pipelines.core import stable
from pipelines.core.suppression import withhold_few_schools

FIGURES = ["share_b1_plus", "mean_level", "median", "q1", "q3"]
OUTPUT = ["weighting", "schools", "schools_excluded", "n", *FIGURES, "suppressed", "suppressed_reason"]


def rollup(st: pl.LazyFrame, schools: pl.LazyFrame, level: str, k: int, min_schools: int) -> pl.LazyFrame:
    """competence_hub / competence_country: school-weighted and pooled teachers, over the school cells with figures."""
    keys = [level, *(["country"] if level == "hub" else []), "round", "area"]
    cells = area_figures(st.join(schools.select("school", *dict.fromkeys([level, "country"])), on="school"), k)
    cells = cells.filter(pl.col(level).is_not_null()).with_columns(b1_plus=pl.sum_horizontal(COUNT_COLUMNS[B1 - 1 :]))
    shown = ~pl.col("suppressed")
    share = pl.col("share_b1_plus").filter(shown)
    grouped = cells.group_by(keys).agg(
        shown.sum().cast(pl.Int64).alias("schools"),
        (~shown).sum().cast(pl.Int64).alias("schools_excluded"),
        pl.col("n").filter(shown).sum().cast(pl.Int64).alias("n"),
        stable.mean(share).alias("share_b1_plus"),
        stable.mean(pl.col("mean_level").filter(shown)).alias("mean_level"),
        share.median().alias("median"),
        share.quantile(0.25, interpolation="linear").alias("q1"),
        share.quantile(0.75, interpolation="linear").alias("q3"),
        pl.col("b1_plus").filter(shown).sum().alias("_b1"),
        pl.col("level_sum").filter(shown).sum().alias("_level_sum"),
    )
    by_school = grouped.with_columns(pl.lit("school").alias("weighting"))
    pooled = grouped.with_columns(
        pl.lit("respondent").alias("weighting"),
        (pl.col("_b1") / pl.col("n")).alias("share_b1_plus"),
        (pl.col("_level_sum") / pl.col("n")).alias("mean_level"),
        *[pl.lit(None, dtype=pl.Float64).alias(c) for c in ("median", "q1", "q3")],
    )
    both = pl.concat([by_school.select(*keys, *OUTPUT[:-2]), pooled.select(*keys, *OUTPUT[:-2])])
    return withhold_few_schools(both, schools="schools", values=FIGURES, min_schools=min_schools).select(*keys, *OUTPUT)
