"""Progress between self-assessment rounds, with a 95% Welch confidence interval.

For each school, area and group, a round is compared with the same cell's previous round
(rounds ordered by when they started, see :func:`pipelines.maturity.round_order`). The
compared quantity is the mean of respondents' area means (each respondent counts once,
whatever number of items they answered); the two rounds' respondents are treated as
independent samples (answers are anonymous, so people cannot be linked across rounds):

    change = m1 - m0,  se = sqrt(s1^2/n1 + s0^2/n0),
    df = se^4 / ((s1^2/n1)^2/(n1-1) + (s0^2/n0)^2/(n0-1))   (Welch-Satterthwaite),
    CI = change -/+ t(0.975, df) * se.

A comparison is suppressed when either round's cell has fewer than LAT_MIN_CELL_SIZE
respondents.
"""

from __future__ import annotations

import numpy as np
import polars as pl

CONFIDENCE = 0.95


def t_quantile(df: pl.Expr) -> pl.Expr:
    """The two-sided 95% t quantile for each degrees-of-freedom value (null stays null)."""
    q = 0.5 + CONFIDENCE / 2
    return df.map_batches(lambda s: pl.Series(_t_ppf(q, s.cast(pl.Float64).fill_null(np.nan).to_numpy())).fill_nan(None), return_dtype=pl.Float64)


def _t_ppf(q: float, df: np.ndarray) -> np.ndarray:
    """``scipy.stats.t.ppf(q, df)``: the same function (``stdtrit``), NaN where df <= 0 as
    there. scipy.special alone imports in a third of the time of scipy.stats, which an
    incremental ``lat compute`` would otherwise pay on every run."""
    from scipy.special import stdtrit

    with np.errstate(invalid="ignore"):
        return np.where(df > 0, stdtrit(df, q), np.nan)


def mean_var(n: str, total: str, sumsq: str) -> tuple[pl.Expr, pl.Expr]:
    """Mean and sample variance from a count, a sum and a sum of squares."""
    count = pl.col(n).cast(pl.Float64)
    mean = pl.col(total) / count
    var = pl.when(count >= 2).then((pl.col(sumsq) - count * mean**2).clip(lower_bound=0) / (count - 1))
    return mean, var


def welch(m1: str, v1: str, n1: str, m0: str, v0: str, n0: str, *, name: str = "change") -> list[pl.Expr]:
    """Expressions for the difference (named ``name``), ci_low, ci_high and significant (CI excludes 0)."""
    a = pl.col(v1) / pl.col(n1)
    b = pl.col(v0) / pl.col(n0)
    se = (a + b).sqrt()
    df = (a + b) ** 2 / (a**2 / (pl.col(n1) - 1) + b**2 / (pl.col(n0) - 1))
    half = t_quantile(df) * se
    diff = pl.col(m1) - pl.col(m0)
    low, high = diff - half, diff + half
    return [
        diff.alias(name),
        low.alias("ci_low"),
        high.alias("ci_high"),
        ((low > 0) | (high < 0)).alias("significant"),
    ]


def between_rounds(area_state: pl.LazyFrame, order: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    """maturity_progress: each cell against the same school, area and group's previous round."""
    keys = ["school", "area", "group"]
    mean, var = mean_var("n", "rmean_sum", "rmean_sumsq")
    cells = (
        area_state.join(order, on="round")
        .select(*keys, "round", "round_order", "n", mean.alias("mean"), var.alias("var"))
        .sort("round_order")
    )
    previous = cells.with_columns(pl.col("round").shift(-1).over(keys).alias("_next")).filter(pl.col("_next").is_not_null())
    paired = cells.join(
        previous.select(
            *keys,
            pl.col("_next").alias("round"),
            pl.col("round").alias("previous_round"),
            pl.col("n").alias("n_previous"),
            pl.col("mean").alias("mean_previous"),
            pl.col("var").alias("var_previous"),
        ),
        on=[*keys, "round"],
    )
    hidden = (pl.col("n") < min_cell_size) | (pl.col("n_previous") < min_cell_size)
    figures = ["mean", "mean_previous", "change", "ci_low", "ci_high", "significant"]
    return (
        paired.with_columns(welch("mean", "var", "n", "mean_previous", "var_previous", "n_previous"))
        .with_columns(*[pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in figures], hidden.alias("suppressed"))
        .select("school", "round", "previous_round", "area", "group", "n", "n_previous", *figures, "suppressed")
    )
