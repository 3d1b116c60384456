"""School area scores: per school, round and area, the mean of the respondent groups' area
means (leaders, teachers and students each count once), from the maturity cells that have
figures: a suppressed group cell is left out, exactly as in ``maturity_area``
(:mod:`pipelines.core.suppression`). The profiles, the mentoring outcome and the pairing
build on them; rounds are ordered by when they started
(:func:`pipelines.core.rounds.round_order`), never by label.
"""

from __future__ import annotations

import polars as pl

from lat.config import Settings
from lat.xapi import vocab
from pipelines.core import stable
from pipelines.core.rounds import round_order
from pipelines.core.source import Sources
from pipelines.core.suppression import withheld
from pipelines.maturity import family as maturity

AREA_STATE = "maturity_area_state"


def school_area_scores(area_state: pl.LazyFrame, order: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    """school, round, round_order, area, score, respondents: the SELFIE areas A-H of every
    school and round with at least one group cell with figures; score = mean of those cells'
    means, respondents = their respondents. Sorted by school, round order and area."""
    shown = area_state.filter(~withheld(min_cell_size) & pl.col("area").is_in(list(vocab.AREAS)))
    scores = shown.group_by("school", "round", "area").agg(
        stable.mean(pl.col("score_sum") / pl.col("answers")).alias("score"), pl.col("n").sum().cast(pl.Int64).alias("respondents")
    )
    return (
        scores.join(order.select("round", "round_order"), on="round")
        .select("school", "round", "round_order", "area", "score", "respondents")
        .sort("school", "round_order", "area")
    )


def area_scores(sources: Sources, settings: Settings) -> pl.LazyFrame:
    """:func:`school_area_scores` of the whole store, from this run's maturity statistics when
    the orchestrator has computed them (it always has, before any family derives), else
    computed here."""
    states = sources.states
    if AREA_STATE not in states:
        states = {name: frame.collect() for name, frame in maturity.state(sources, settings).items()}
    return school_area_scores(states[AREA_STATE].lazy(), round_order(states), settings.min_cell_size)


def latest_round_matrix(area_scores: pl.DataFrame) -> pl.DataFrame:
    """One row per school (its latest round: the last to start), one column per area."""
    if area_scores.is_empty():
        return pl.DataFrame(schema={"school": pl.String, "round": pl.String})
    latest = area_scores.filter(pl.col("round_order") == pl.col("round_order").max().over("school"))
    wide = latest.pivot(on="area", index=["school", "round"], values="score", sort_columns=True)
    areas = [a for a in vocab.AREAS if a in wide.columns]
    return wide.select("school", "round", *areas).sort("school")


def area_matrix(sources: Sources, settings: Settings) -> pl.DataFrame:
    """Latest-round area scores of every school, one column per area (shared with pairing)."""
    return latest_round_matrix(area_scores(sources, settings).collect())
