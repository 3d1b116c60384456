"""The mentoring outcome: maturity change of mentored schools and of the others.

The rules of the outcome family (:mod:`pipelines.mentoring.outcome_family`); its marts and
indicator definitions are declared with the mentoring family's (:mod:`pipelines.mentoring.family`).
"""

from __future__ import annotations

import polars as pl

from pipelines.core import stable
from pipelines.core.suppression import withhold_few_schools


def maturity_change(area_scores: pl.LazyFrame) -> pl.LazyFrame:
    """school, first_round, latest_round, first_score, latest_score, change (rounds in the
    order they started: ``round_order``).

    A round's overall score is the mean of the school's area scores, which leave suppressed
    cells out (see :func:`pipelines.profiles.area_scores.school_area_scores`); schools with one
    round have no change.
    """
    overall = area_scores.group_by("school", "round", "round_order").agg(stable.mean(pl.col("score")).alias("overall"))
    return (
        overall.sort("school", "round_order")
        .group_by("school")
        .agg(
            pl.col("round").first().alias("first_round"),
            pl.col("round").last().alias("latest_round"),
            pl.col("overall").first().alias("first_score"),
            pl.col("overall").last().alias("latest_score"),
            pl.len().alias("rounds"),
        )
        .with_columns(pl.when(pl.col("rounds") > 1).then(pl.col("latest_score") - pl.col("first_score")).alias("change"))
        .drop("rounds")
    )


def outcome(change: pl.LazyFrame, mentoring: pl.LazyFrame, schools: pl.LazyFrame) -> pl.LazyFrame:
    """Every registered school with its maturity change and whether it is (or was) a mentee."""
    mentees = mentoring.select(pl.col("mentee_school").alias("school")).unique().with_columns(pl.lit(True).alias("mentored"))
    return (
        schools.select(pl.col("school_id").alias("school"), pl.col("name").alias("school_name"), "hub")
        .join(change, on="school", how="left")
        .join(mentees, on="school", how="left")
        .with_columns(pl.col("mentored").fill_null(False))
        .sort("school")
    )


def outcome_summary(per_school: pl.LazyFrame, min_schools: int) -> pl.LazyFrame:
    """Per hub and group (mentored or not): schools with a change, their mean change (withheld
    below ``min_schools`` schools), and for the mentored row the difference to the hub's
    schools not mentored."""
    changed = per_school.filter(pl.col("change").is_not_null()).group_by("hub", "mentored")
    groups = withhold_few_schools(
        changed.agg(pl.len().cast(pl.Int64).alias("schools"), stable.mean(pl.col("change")).alias("mean_change")),
        schools="schools",
        values=["mean_change"],
        min_schools=min_schools,
    )
    others = groups.filter(~pl.col("mentored")).select("hub", pl.col("mean_change").alias("_other"))
    return (
        groups.join(others, on="hub", how="left")
        .with_columns(pl.when(pl.col("mentored")).then(pl.col("mean_change") - pl.col("_other")).alias("difference"))
        .select("hub", "mentored", "schools", "mean_change", "difference", "suppressed", "suppressed_reason")
        .sort("hub", "mentored", descending=[False, True])
    )
