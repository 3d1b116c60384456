"""95% confidence intervals: t quantiles, mean and variance from sums, Welch's difference.

Shared by maturity progress (:mod:`pipelines.maturity.progress`) and the roll-ups
(:mod:`pipelines.rollups`).
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
    # lazy: the catalogue (lat.access, docs) imports this module without computing anything
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
