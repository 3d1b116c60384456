"""What counts as a completion: a statement with verb *completed* or ``result.completion`` true."""

from __future__ import annotations

import polars as pl

from lat.xapi import vocab


def completed() -> pl.Expr:
    """The number of completions in a group (verb completed or ``result.completion`` true), as Int64."""
    return ((pl.col("verb") == vocab.COMPLETED) | pl.col("completion").fill_null(False)).sum().cast(pl.Int64)
