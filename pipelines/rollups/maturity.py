"""Hub and country roll-ups of maturity school cells, weighting schools or respondents.

Only school cells with figures take part (a suppressed cell is absent from every later
computation, :mod:`pipelines.core.suppression`); the others are counted in
``schools_excluded``. Both weightings cover the same schools:

- ``weighting = school``: every school counts once: mean of the school means with a 95% t
  interval over schools, median and quartiles of the school means (linear interpolation),
  mean of the school shares agreeing.
- ``weighting = respondent``: the schools' respondents are pooled: mean of all their
  shown answers, share of those answers agreeing, and a 95% t interval from the spread of
  respondents' area means. Median and quartiles are empty (respondent-level distributions
  are not kept).

A roll-up of fewer than ``LAT_MIN_SCHOOLS`` schools is suppressed (``suppressed_reason``).
Schools the registry does not know have no hub or country and are left out of roll-ups.
"""

from __future__ import annotations

import polars as pl

from pipelines.core import stable
from pipelines.core.intervals import mean_var, t_quantile
from pipelines.core.suppression import withheld, withhold_few_schools

CELL = ["round", "area", "group"]
FIGURES = ["mean", "ci_low", "ci_high", "median", "q1", "q3", "share_agree"]
OUTPUT = ["weighting", "schools", "schools_excluded", "n", *FIGURES, "suppressed", "suppressed_reason"]


def with_registry(area_state: pl.LazyFrame, schools: pl.LazyFrame, level: str, min_cell_size: int) -> pl.LazyFrame:
    """School cells with the school's hub (or country; a hub's country too) from the registry,
    unknown schools left out, and ``shown`` (the cell has figures)."""
    extra = ["country"] if level == "hub" else []
    joined = area_state.join(schools.select("school", level, *extra), on="school").filter(pl.col(level).is_not_null())
    return joined.with_columns((~withheld(min_cell_size)).alias("shown"))


def _counts(shown: pl.Expr) -> list[pl.Expr]:
    return [
        shown.sum().cast(pl.Int64).alias("schools"),
        (~shown).sum().cast(pl.Int64).alias("schools_excluded"),
        pl.col("n").filter(shown).sum().cast(pl.Int64).alias("n"),
    ]


def school_weighted(cells: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Roll-up counting each school with figures once."""
    shown = pl.col("shown")
    mean_of = (pl.col("score_sum") / pl.col("answers")).filter(shown)
    grouped = cells.group_by(keys).agg(
        *_counts(shown),
        stable.mean(mean_of).alias("mean"),
        stable.std(mean_of).alias("_sd"),
        mean_of.median().alias("median"),
        mean_of.quantile(0.25, interpolation="linear").alias("q1"),
        mean_of.quantile(0.75, interpolation="linear").alias("q3"),
        stable.mean((pl.col("agree") / pl.col("answers")).filter(shown)).alias("share_agree"),
    )
    half = t_quantile(pl.col("schools") - 1) * pl.col("_sd") / pl.col("schools").cast(pl.Float64).sqrt()
    return grouped.with_columns(pl.lit("school").alias("weighting"), (pl.col("mean") - half).alias("ci_low"), (pl.col("mean") + half).alias("ci_high"))


def respondent_weighted(cells: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Roll-up pooling the respondents of the schools with figures."""
    shown = pl.col("shown")
    pooled = cells.group_by(keys).agg(
        *_counts(shown),
        *[stable.total(pl.col(c).filter(shown)).alias(c) for c in ("scored", "answers", "score_sum", "agree", "rmean_sum", "rmean_sumsq")],
    )
    _, var = mean_var("scored", "rmean_sum", "rmean_sumsq")
    half = t_quantile(pl.col("scored") - 1) * (var / pl.col("scored").cast(pl.Float64)).sqrt()
    mean = pl.col("score_sum") / pl.col("answers")
    return pooled.with_columns(
        pl.lit("respondent").alias("weighting"),
        mean.alias("mean"),
        (mean - half).alias("ci_low"),
        (mean + half).alias("ci_high"),
        (pl.col("agree") / pl.col("answers")).alias("share_agree"),
        *[pl.lit(None, dtype=pl.Float64).alias(c) for c in ("median", "q1", "q3")],
    )


def maturity_rollup(area_state: pl.LazyFrame, schools: pl.LazyFrame, level: str, min_cell_size: int, min_schools: int) -> pl.LazyFrame:
    """maturity_hub / maturity_country: both weightings, one row each per cell."""
    keys = [level, *(["country"] if level == "hub" else []), *CELL]
    cells = with_registry(area_state, schools, level, min_cell_size)
    both = pl.concat([school_weighted(cells, keys).select(*keys, *OUTPUT[:-2]), respondent_weighted(cells, keys).select(*keys, *OUTPUT[:-2])])
    return withhold_few_schools(both, schools="schools", values=FIGURES, min_schools=min_schools).select(*keys, *OUTPUT)
