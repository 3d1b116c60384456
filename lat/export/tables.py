"""The three export levels, built from a :class:`~lat.export.source.Source`.

1. Schools are made k-anonymous first, over their own QIs (hub, country, level, size band,
   mentored); every other table takes the school attributes from there, so two files of one
   export never disclose a school attribute that the other withholds.
2. Respondents (one row per respondent and round) are made k-anonymous over the school's
   pseudonym and attributes, the round, the respondent group and the answering period.
3. Answers inherit the generalised QIs of their respondent; suppressed respondents' answers
   are dropped with them. The schools table aggregates every answer under the small-cell rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from lat.export import generalise as gen
from lat.export.anonymise import Pseudonymiser
from lat.export.kanon import KResult, enforce
from lat.export.source import PROGRESS, Source
from lat.xapi import vocab

SCHOOL_QIS = ("hub", "country", "school_level", "size_band", "mentored")
RECORD_QIS = ("school", *SCHOOL_QIS, "round", "group", "period")
# Cheapest first: size detail, then level, then where, then mentored (the usual outcome split).
SCHOOL_LADDER = ("size_band", "size_band", "school_level", "hub", "country", "mentored")
# Week before month, leader/teacher before staff, then the period, the group, the school.
RECORD_LADDER = ("period", "group", "period", "group", "school")
AREAS = tuple(vocab.AREAS)
GROUPS = vocab.GROUPS
MAX_SUPPRESSION = 0.05  # share of rows suppressed rather than climbing another step


@dataclass(frozen=True)
class Built:
    """One level's table plus the k-anonymity outcome(s) behind it."""

    frame: pl.DataFrame
    quasi_identifiers: tuple[str, ...]
    loss: dict[str, object]


def schools_k(source: Source, pseud: Pseudonymiser, k: int) -> KResult:
    """One row per school, QIs generalised to k schools per class (suppressed schools removed)."""
    frame = source.schools.with_columns(
        pl.col("school").map_elements(pseud.school, return_dtype=pl.String).alias("pseudonym"),
        pl.when(pl.col("mentored")).then(pl.lit("yes")).otherwise(pl.lit("no")).alias("mentored_text"),
    )
    hierarchies = [
        gen.identity("hub"),
        gen.identity("country"),
        gen.Hierarchy("school_level", ("level", "withheld"), (pl.col("level"), gen.top())),
        gen.size_band("size_band", "students"),
        gen.Hierarchy("mentored", ("yes/no", "withheld"), (pl.col("mentored_text"), gen.top())),
    ]
    return enforce(frame, hierarchies, SCHOOL_LADDER, k, ids=["school"], max_suppression=MAX_SUPPRESSION)


def school_attributes(source: Source, schools: KResult, pseud: Pseudonymiser) -> pl.DataFrame:
    """Raw school id -> pseudonym and generalised attributes; suppressed schools get ``*``."""
    kept = schools.frame.select("school", pl.col("pseudonym").alias("school_pseudonym"), *SCHOOL_QIS)
    withheld = schools.suppressed_keys.with_columns(
        pl.col("school").map_elements(pseud.school, return_dtype=pl.String).alias("school_pseudonym"),
        *(pl.lit(gen.TOP).alias(c) for c in SCHOOL_QIS),
    )
    return pl.concat([kept, withheld.select(kept.columns)])


def respondents_k(source: Source, attributes: pl.DataFrame, pseud: Pseudonymiser, k: int) -> KResult:
    """One row per respondent and round, k-anonymous over RECORD_QIS."""
    people = (
        source.answers.filter(pl.col("group").is_not_null())
        .group_by("actor_key", "school", "round")
        .agg(pl.col("group").first().alias("group_raw"), pl.col("timestamp").min().alias("first_answer"))
        .join(attributes, on="school", how="inner")
        .with_columns(pl.col("actor_key").map_elements(pseud.respondent, return_dtype=pl.String).alias("respondent"))
    )
    fixed = [gen.Hierarchy(c, ("as for the school",), (pl.col(c),)) for c in SCHOOL_QIS]
    hierarchies = [
        gen.Hierarchy("school", ("pseudonym", "withheld"), (pl.col("school_pseudonym"), gen.top())),
        *fixed,
        gen.Hierarchy("round", ("round",), (pl.col("round"),)),
        gen.group("group", "group_raw"),
        gen.period("period", "first_answer"),
    ]
    return enforce(people, hierarchies, RECORD_LADDER, k, ids=["actor_key", "round"], max_suppression=MAX_SUPPRESSION)


def answers_table(source: Source, respondents: KResult) -> pl.DataFrame:
    """One row per answer of a kept respondent (the respondent's generalised QIs repeated)."""
    people = respondents.frame.select("actor_key", pl.col("school").alias("school_out"), "respondent", *RECORD_QIS[1:])
    return (
        # the answers' own school and group are raw: only the respondent's generalised ones leave
        source.answers.drop("school", "group")
        .join(people, on=["actor_key", "round"], how="inner")
        .select(
            "respondent",
            pl.col("school_out").alias("school"),
            *RECORD_QIS[1:],
            "area",
            "item",
            "response",
            pl.col("response").cast(pl.Int8, strict=False).alias("value"),
        )
        .sort("respondent", "round", "item")
    )


def respondents_table(answers: pl.DataFrame) -> pl.DataFrame:
    """One row per kept respondent and round: QIs, answers scored, mean per area."""
    keys = ["respondent", *RECORD_QIS]
    means = answers.group_by(keys).agg(
        pl.col("value").count().alias("scored_answers"),
        *(pl.col("value").filter(pl.col("area") == a).mean().alias(f"mean_{a}") for a in AREAS),
    )
    return means.sort("respondent", "round")


def schools_table(source: Source, schools: KResult, min_cell: int, dp_epsilon: float | None = None) -> pl.DataFrame:
    """One row per kept school and round: attributes, area means per group, mentoring progress.

    With ``dp_epsilon`` the counts and means get Laplace noise (:mod:`lat.export.dp`) before
    the small-cell rule.
    """
    per_person = (
        source.answers.filter(pl.col("group").is_not_null())
        .with_columns(pl.col("response").cast(pl.Int8, strict=False).alias("value"))
        .group_by("school", "round", "group", "actor_key")
        .agg(
            pl.col("value").mean().alias("overall"),
            *(pl.col("value").filter(pl.col("area") == a).mean().alias(a) for a in AREAS),
        )
    )
    overall = per_person.group_by("school", "round").agg(
        pl.col("overall").count().alias("respondents"),
        pl.col("overall").mean().alias("overall_mean"),
    )
    cells = per_person.group_by("school", "round").agg(
        expr
        for a in AREAS
        for g in GROUPS
        for expr in (
            pl.col(a).filter(pl.col("group") == g).count().alias(f"{a}_{g}_n"),
            pl.col(a).filter(pl.col("group") == g).mean().alias(f"{a}_{g}_mean"),
        )
    )
    kept = schools.frame.select("school", "pseudonym", *SCHOOL_QIS)
    frame = kept.join(overall, on="school", how="inner").join(cells, on=["school", "round"], how="left").join(source.progress, on="school", how="left")
    if dp_epsilon is not None:
        from lat.export import dp

        frame = dp.noisy_cells(frame, cell_pairs(), dp_epsilon, len(AREAS))
    return (
        small_cells(frame, min_cell)
        .select(
            pl.col("pseudonym").alias("school"),
            *SCHOOL_QIS,
            "round",
            "respondents",
            "overall_mean",
            *(f"{a}_{g}_{s}" for a in AREAS for g in GROUPS for s in ("n", "mean")),
            *PROGRESS,
        )
        .sort("school", "round")
    )


def cell_pairs() -> list[tuple[str, str]]:
    """The (count, mean) column pairs of the schools table."""
    return [("respondents", "overall_mean")] + [(f"{a}_{g}_n", f"{a}_{g}_mean") for a in AREAS for g in GROUPS]


def small_cells(frame: pl.DataFrame, min_cell: int) -> pl.DataFrame:
    """Empty every count and mean resting on fewer than ``min_cell`` respondents (nulls stay null)."""
    return frame.with_columns(
        expr
        for n, mean in cell_pairs()
        for expr in (
            pl.when(pl.col(n) >= min_cell).then(pl.col(n)).alias(n),
            pl.when(pl.col(n) >= min_cell).then(pl.col(mean)).alias(mean),
        )
    )


def suppressed_cells(frame: pl.DataFrame) -> int:
    """How many count cells the small-cell rule emptied (a count is never null otherwise)."""
    counts = [c for c in frame.columns if c == "respondents" or c.endswith("_n")]
    return int(frame.select(pl.sum_horizontal(pl.col(c).is_null() for c in counts).sum()).item())
