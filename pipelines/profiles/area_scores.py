"""School area scores: per school, round and area, the mean of the respondent groups' mean
answers (leaders, teachers and students each count once), and the respondents behind it.

The partitioned statistics of the profiles family (:func:`state`, kept between runs); the
shown scores leave out cells with fewer than ``LAT_MIN_CELL_SIZE`` respondents. The
mentoring outcome and pairing build on them (:func:`area_scores`, :func:`area_matrix`).
"""

from __future__ import annotations

import polars as pl

from lat.config import Settings
from lat.xapi import vocab
from pipelines.core import answers
from pipelines.core.source import Sources

STATE = "profiles_area_state"


def area_state(scores: pl.LazyFrame) -> pl.LazyFrame:
    """Per school, round and area (a partition's own figures, whatever the small-cell rule):
    score = mean of the groups' mean scores, respondents = distinct respondents.
    ``scores``: school, round, area, group, respondent, score (not null)."""
    cell = ["school", "round", "area"]
    groups = scores.group_by(*cell, "group").agg(pl.col("score").mean())
    respondents = scores.group_by(cell).agg(pl.col("respondent").n_unique().cast(pl.Int64).alias("respondents"))
    return groups.group_by(cell).agg(pl.col("score").mean()).join(respondents, on=cell)


def shown_scores(state_frame: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    """school, round, area, score, respondents of the cells with enough respondents, sorted."""
    return state_frame.filter(pl.col("respondents") >= min_cell_size).sort("school", "round", "area")


def state(sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame]:
    """Area scores per (school, round) partition, before the small-cell rule (partitioned:
    an update recomputes only the touched partitions; clustering runs on all of them)."""
    rows = answers.latest(sources).lazy().filter(pl.col("for_profiles") & pl.col("score").is_not_null())
    frame = area_state(rows.select("school", "round", "area", "group", "respondent", "score"))
    return {STATE: frame.with_columns(pl.col(pl.Categorical).cast(pl.String))}


def area_scores(sources: Sources, settings: Settings) -> pl.LazyFrame:
    """school, round, area, score (mean of group means), respondents of the whole store;
    small cells left out. From this run's profiles state when the orchestrator has computed
    it (mentoring and pairing reuse it), else from :func:`pipelines.core.answers.latest`."""
    frame = sources.states.get(STATE)
    if frame is None:
        frame = state(sources, settings)[STATE].collect()
    return shown_scores(frame.lazy(), settings.min_cell_size)


def latest_round_matrix(area_scores: pl.DataFrame) -> pl.DataFrame:
    """One row per school (its latest round in label order), one column per area."""
    if area_scores.is_empty():
        return pl.DataFrame(schema={"school": pl.String, "round": pl.String})
    latest = area_scores.filter(pl.col("round") == pl.col("round").max().over("school"))
    wide = latest.pivot(on="area", index=["school", "round"], values="score", sort_columns=True)
    areas = [a for a in vocab.AREAS if a in wide.columns]
    return wide.select("school", "round", *areas).sort("school")


def area_matrix(sources: Sources, settings: Settings) -> pl.DataFrame:
    """Latest-round area scores of every school, one column per area (shared with pairing)."""
    return latest_round_matrix(area_scores(sources, settings).collect())
