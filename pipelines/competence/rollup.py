"""Hub and country roll-ups of teachers' competence (``competence_hub``, ``competence_country``).

As the maturity roll-ups (:mod:`pipelines.rollups.maturity`): ``weighting = school`` counts
each unsuppressed school once, ``weighting = respondent`` pools the teachers with the
small-cell rule (and secondary suppression) on the pooled cell.
"""

from __future__ import annotations

import polars as pl

from pipelines.competence.area_figures import area_figures
from pipelines.competence.teacher_levels import B1, COUNT_COLUMNS
from pipelines.core.suppression import is_small


def rollup(st: pl.LazyFrame, schools: pl.LazyFrame, level: str, k: int) -> pl.LazyFrame:
    """competence_hub / competence_country: school-weighted (unsuppressed schools) and pooled teachers."""
    keys = [level, *(["country"] if level == "hub" else []), "round", "area"]
    cells = area_figures(st.join(schools.select("school", *dict.fromkeys([level, "country"])), on="school"), k)
    cells = cells.filter(pl.col(level).is_not_null())
    shown = ~pl.col("suppressed")
    share = pl.col("share_b1_plus").filter(shown)
    by_school = (
        cells.group_by(keys)
        .agg(
            shown.sum().cast(pl.Int64).alias("schools"),
            (~shown).sum().cast(pl.Int64).alias("schools_excluded"),
            pl.col("n").filter(shown).sum().cast(pl.Int64).alias("n"),
            share.mean().alias("share_b1_plus"),
            pl.col("mean_level").filter(shown).mean().alias("mean_level"),
            share.median().alias("median"),
            share.quantile(0.25, interpolation="linear").alias("q1"),
            share.quantile(0.75, interpolation="linear").alias("q3"),
        )
        .with_columns(pl.lit("school").alias("weighting"), (pl.col("schools") == 0).alias("suppressed"))
    )
    b1_plus = pl.sum_horizontal(COUNT_COLUMNS[B1 - 1 :])
    pooled = (
        cells.with_columns(b1_plus.alias("_b1"))
        .group_by(keys)
        .agg(
            pl.len().cast(pl.Int64).alias("schools"),
            pl.col("n").sum().cast(pl.Int64).alias("n"),
            pl.col("n").filter(is_small("n", k)).sum().alias("_hidden"),
            pl.col("_b1").sum(),
            pl.col("level_sum").sum(),
        )
    )
    hidden = is_small("n", k) | ((pl.col("_hidden") > 0) & (pl.col("_hidden") < k))
    pooled = pooled.with_columns(
        pl.lit("respondent").alias("weighting"),
        pl.lit(0, dtype=pl.Int64).alias("schools_excluded"),
        pl.when(hidden).then(None).otherwise(pl.col("_b1") / pl.col("n")).alias("share_b1_plus"),
        pl.when(hidden).then(None).otherwise(pl.col("level_sum") / pl.col("n")).alias("mean_level"),
        *[pl.lit(None, dtype=pl.Float64).alias(c) for c in ("median", "q1", "q3")],
        hidden.alias("suppressed"),
    )
    out = [*keys, "weighting", "schools", "schools_excluded", "n", "share_b1_plus", "mean_level", "median", "q1", "q3", "suppressed"]
    return pl.concat([by_school.select(out), pooled.select(out)])
