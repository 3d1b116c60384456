"""When each school's round started (its first answer): the maturity family's part of the
product's round order (:mod:`pipelines.core.rounds`)."""

from __future__ import annotations

import polars as pl


def round_state(answers: pl.LazyFrame) -> pl.LazyFrame:
    """school, round, first_answer: the earliest answer of each school's round."""
    return answers.group_by(["school", "round"]).agg(pl.col("timestamp").min().alias("first_answer"))
