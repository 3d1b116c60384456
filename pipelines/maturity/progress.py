"""Progress between self-assessment rounds, with a 95% Welch confidence interval.

For each school, area and group, a round is compared with the same cell's previous round
(rounds ordered by when they started, see :func:`pipelines.maturity.rounds.round_order`). The
compared quantity is the mean of respondents' area means (each respondent counts once,
whatever number of items they answered); the two rounds' respondents are treated as
independent samples (answers are anonymous, so people cannot be linked across rounds):

    change = m1 - m0,  se = sqrt(s1^2/n1 + s0^2/n0),
    df = se^4 / ((s1^2/n1)^2/(n1-1) + (s0^2/n0)^2/(n0-1))   (Welch-Satterthwaite),
    CI = change -/+ t(0.975, df) * se.

Each round's mean is shown as its cell is (a suppressed cell has none; the means come from
the shown answers alone, see :mod:`pipelines.core.suppression`); the change and its interval
are withheld, and ``suppressed`` set, when either round's cell is suppressed (as in
``competence_progress``).
"""

from __future__ import annotations

import polars as pl

from pipelines.core.intervals import mean_var, welch
from pipelines.core.suppression import withheld


def between_rounds(area_state: pl.LazyFrame, order: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    """maturity_progress: each cell against the same school, area and group's previous round."""
    keys = ["school", "area", "group"]
    mean, var = mean_var("scored", "rmean_sum", "rmean_sumsq")
    cells = area_state.join(order, on="round").select(
        *keys, "round", "round_order", "n", "scored", mean.alias("mean"), var.alias("var"), withheld(min_cell_size).alias("_hidden")
    )
    cells = cells.sort("round_order")
    previous = cells.with_columns(pl.col("round").shift(-1).over(keys).alias("_next")).filter(pl.col("_next").is_not_null())
    paired = cells.join(
        previous.select(
            *keys,
            pl.col("_next").alias("round"),
            pl.col("round").alias("previous_round"),
            pl.col("n").alias("n_previous"),
            pl.col("mean").alias("mean_previous"),
            pl.col("var").alias("var_previous"),
            pl.col("scored").alias("scored_previous"),
            pl.col("_hidden").alias("_hidden_previous"),
        ),
        on=[*keys, "round"],
    )
    hidden = pl.col("_hidden") | pl.col("_hidden_previous")
    blanked = {"mean": pl.col("_hidden"), "mean_previous": pl.col("_hidden_previous")} | dict.fromkeys(("change", "ci_low", "ci_high", "significant"), hidden)
    return (
        paired.with_columns(welch("mean", "var", "scored", "mean_previous", "var_previous", "scored_previous"))
        .with_columns(*[pl.when(when).then(None).otherwise(pl.col(c)).alias(c) for c, when in blanked.items()], hidden.alias("suppressed"))
        .select("school", "round", "previous_round", "area", "group", "n", "n_previous", *blanked, "suppressed")
    )
