"""Hub and country roll-ups of maturity school cells, weighting schools or respondents.

- ``weighting = school``: every school whose cell is *not* suppressed counts once: mean of
  the school means with a 95% t interval over schools, median and quartiles of the school
  means (linear interpolation), mean of the school shares agreeing. Suppressed school cells
  are left out, never averaged in, and counted in ``schools_excluded``.
- ``weighting = respondent``: respondents of all schools are pooled: mean of all their
  answers, share of all answers agreeing, and a 95% t interval from the spread of
  respondents' area means. The small-cell rule applies to the pooled count, and (secondary
  suppression) the pooled cell is also suppressed when the respondents coming from
  suppressed school cells number 1 to LAT_MIN_CELL_SIZE-1, since subtracting the published
  school cells would reveal them. Median and quartiles are empty (respondent-level
  distributions are not kept).

Schools the registry does not know have no hub or country and are left out of roll-ups.
"""

from __future__ import annotations

import polars as pl

from pipelines.core.intervals import mean_var, t_quantile

CELL = ["round", "area", "group"]
OUTPUT = [
    "weighting",
    "schools",
    "schools_excluded",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "median",
    "q1",
    "q3",
    "share_agree",
    "suppressed",
]


def with_registry(area_state: pl.LazyFrame, schools: pl.LazyFrame, level: str) -> pl.LazyFrame:
    """School cells with the school's hub (or country; a hub's country too) from the registry, unknown schools left out."""
    extra = ["country"] if level == "hub" else []
    return area_state.join(schools.select("school", level, *extra), on="school").filter(pl.col(level).is_not_null())


def school_weighted(cells: pl.LazyFrame, keys: list[str], min_cell_size: int) -> pl.LazyFrame:
    """Roll-up counting each unsuppressed school once."""
    shown = pl.col("n") >= min_cell_size
    school_mean = pl.col("score_sum") / pl.col("answers")
    school_share = pl.col("agree") / pl.col("answers")
    mean_of = school_mean.filter(shown)
    grouped = cells.group_by(keys).agg(
        shown.sum().cast(pl.Int64).alias("schools"),
        (~shown).sum().cast(pl.Int64).alias("schools_excluded"),
        pl.col("n").filter(shown).sum().cast(pl.Int64).alias("n"),
        mean_of.mean().alias("mean"),
        mean_of.std(ddof=1).alias("_sd"),
        mean_of.median().alias("median"),
        mean_of.quantile(0.25, interpolation="linear").alias("q1"),
        mean_of.quantile(0.75, interpolation="linear").alias("q3"),
        school_share.filter(shown).mean().alias("share_agree"),
    )
    half = t_quantile(pl.col("schools") - 1) * pl.col("_sd") / pl.col("schools").cast(pl.Float64).sqrt()
    return grouped.with_columns(
        pl.lit("school").alias("weighting"),
        (pl.col("mean") - half).alias("ci_low"),
        (pl.col("mean") + half).alias("ci_high"),
        (pl.col("schools") == 0).alias("suppressed"),
    )


def respondent_weighted(cells: pl.LazyFrame, keys: list[str], min_cell_size: int) -> pl.LazyFrame:
    """Roll-up pooling respondents, with the small-cell rule on the pooled cell."""
    small_school = pl.col("n") < min_cell_size
    pooled = cells.group_by(keys).agg(
        pl.len().cast(pl.Int64).alias("schools"),
        pl.col("n").sum().cast(pl.Int64).alias("n"),
        pl.col("n").filter(small_school).sum().alias("_hidden_n"),
        pl.col("answers").sum(),
        pl.col("score_sum").sum(),
        pl.col("agree").sum(),
        pl.col("rmean_sum").sum(),
        pl.col("rmean_sumsq").sum(),
    )
    _, var = mean_var("n", "rmean_sum", "rmean_sumsq")
    half = t_quantile(pl.col("n") - 1) * (var / pl.col("n").cast(pl.Float64)).sqrt()
    mean = pl.col("score_sum") / pl.col("answers")
    hidden = (pl.col("n") < min_cell_size) | ((pl.col("_hidden_n") > 0) & (pl.col("_hidden_n") < min_cell_size))
    figures = {
        "mean": mean,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "share_agree": pl.col("agree") / pl.col("answers"),
    }
    return pooled.with_columns(
        pl.lit("respondent").alias("weighting"),
        pl.lit(0, dtype=pl.Int64).alias("schools_excluded"),
        *[pl.when(hidden).then(None).otherwise(expr).alias(name) for name, expr in figures.items()],
        pl.lit(None, dtype=pl.Float64).alias("median"),
        pl.lit(None, dtype=pl.Float64).alias("q1"),
        pl.lit(None, dtype=pl.Float64).alias("q3"),
        hidden.alias("suppressed"),
    )


def maturity_rollup(area_state: pl.LazyFrame, schools: pl.LazyFrame, level: str, min_cell_size: int) -> pl.LazyFrame:
    """maturity_hub / maturity_country: both weightings, one row each per cell."""
    keys = [level, *(["country"] if level == "hub" else []), *CELL]
    cells = with_registry(area_state, schools, level)
    return pl.concat(
        [
            school_weighted(cells, keys, min_cell_size).select(*keys, *OUTPUT),
            respondent_weighted(cells, keys, min_cell_size).select(*keys, *OUTPUT),
        ]
    )
