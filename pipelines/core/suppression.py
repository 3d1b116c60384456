"""The small-cell rule: a cell with fewer than ``min_cell_size`` respondents shows no figures.

Applied once, at the edge where a mart is published: the figures are set to null and
``suppressed`` to true, so no dashboard or export can show them by accident.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def is_small(n: str | pl.Expr, min_cell_size: int) -> pl.Expr:
    """True where the respondent count is below the threshold (a missing count is small too)."""
    count = pl.col(n) if isinstance(n, str) else n
    return count.fill_null(0) < min_cell_size


def suppress(frame: pl.LazyFrame, *, n: str, values: Sequence[str], min_cell_size: int) -> pl.LazyFrame:
    """Add ``suppressed`` and blank ``values`` where ``n`` < ``min_cell_size``.

    ``n`` itself stays visible: SELFIE reports show respondent counts beside averages, and a
    count alone does not reveal any answer.
    """
    small = is_small(n, min_cell_size)
    return frame.with_columns(
        *[pl.when(small).then(None).otherwise(pl.col(v)).alias(v) for v in values],
        small.alias("suppressed"),
    )


def suppress_also(frame: pl.LazyFrame, *, when: pl.Expr, values: Sequence[str]) -> pl.LazyFrame:
    """Blank ``values`` and set ``suppressed`` wherever ``when`` holds (e.g. a derived cell
    whose inputs were suppressed)."""
    return frame.with_columns(
        *[pl.when(when).then(None).otherwise(pl.col(v)).alias(v) for v in values],
        when.fill_null(True).alias("suppressed"),
    )
