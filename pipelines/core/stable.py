"""Float aggregates that do not depend on row order.

A sum of floats depends on the order of its terms in the last bits, and the engine's row
order varies from run to run (parallel reads, hash group-bys, joins). These aggregates add
the values as fixed-point decimals (18 digits after the point), whose sum is exact and so
the same in any order: the same data gives the same bytes every time (the suppression
property test, changing hidden answers changes no published byte, relies on it). Sorting
first would not do: the optimizer drops a sort before an order-independent aggregate.
"""

from __future__ import annotations

import polars as pl

EXACT = pl.Decimal(38, 18)


def total(values: pl.Expr) -> pl.Expr:
    """The sum of the non-null ``values`` (0 when there are none)."""
    return values.cast(EXACT).sum().cast(pl.Float64)


def mean(values: pl.Expr) -> pl.Expr:
    """The mean of the non-null ``values`` (null when there are none)."""
    count = values.count()
    return pl.when(count > 0).then(total(values) / count)


def var(values: pl.Expr) -> pl.Expr:
    """The sample variance (ddof 1) from the exact sums of the values and of their squares
    (null with fewer than 2 values; never below 0)."""
    n = values.count().cast(pl.Float64)
    x = values.cast(pl.Float64)
    sum_x, sum_xx = total(x), total(x * x)
    return pl.when(n >= 2).then(((sum_xx - sum_x**2 / n) / (n - 1)).clip(lower_bound=0))


def std(values: pl.Expr) -> pl.Expr:
    """The sample standard deviation (ddof 1)."""
    return var(values).sqrt()
