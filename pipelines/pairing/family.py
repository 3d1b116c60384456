"""Mentor-mentee pairing: which advanced school should mentor which less advanced one.

Within each hub, schools are ranked by their overall maturity (mean of their latest-round
area scores, see :mod:`pipelines.profiles.area_scores`: suppressed cells are left out, the
latest round is the last to start). The top third (rounded up) are mentor schools,
the rest mentees. The *complementarity score* of a mentor M for a mentee E is

    score(M, E) = mean over the areas both have of  need_E(a) * max(0, M_a - E_a)
    need_E(a)   = (5 - E_a) / 4        (1 where E answers "strongly disagree", 0 at 5)

so a mentor counts where it leads, weighted by how weak the mentee is there. Each mentor
school has ``capacity`` slots (default 2); the assignment maximising the total score over
all slots is solved exactly (``scipy.optimize.linear_sum_assignment``). A pair is allowed
only when both schools have the same ``schools.language`` and the score is above zero;
a mentee left without a pair is listed with the reason.

This module is the pairing family: the suggestions table per hub, and its mart and
definitions; the score is :mod:`pipelines.pairing.score`, the roles and the optimal
assignment :mod:`pipelines.pairing.assignment`.
"""

from __future__ import annotations

import polars as pl

from lat.access.roles import ADMIN, HUB_COORDINATOR
from lat.config import Settings
from lat.xapi import vocab
from pipelines.core.catalogue import Mart, register_mart
from pipelines.core.definitions import Indicator, register, register_dimension
from pipelines.core.source import Sources
from pipelines.pairing.assignment import assign, split_roles
from pipelines.pairing.score import Candidate, explain
from pipelines.profiles.area_scores import area_matrix

CAPACITY = 2

PAIR_SCHEMA = {
    "hub": pl.String, "mentor_school": pl.String, "mentor_name": pl.String, "mentee_school": pl.String,
    "mentee_name": pl.String, "language": pl.String, "mentor_score": pl.Float64, "mentee_score": pl.Float64,
    "score": pl.Float64, "explanation": pl.String,
}  # fmt: skip


def pairs(matrix: pl.DataFrame, schools: pl.DataFrame, capacity: int = CAPACITY) -> pl.DataFrame:
    """Suggested pairs per hub from a latest-round area matrix (school, A..H) and the school registry."""
    if capacity < 1:
        raise ValueError("capacity must be at least 1")
    candidates = _candidates(matrix, schools)
    rows: list[dict[str, object]] = []
    for hub in sorted({str(c["hub"]) for c in candidates}):
        mentors, mentees = split_roles([c for c in candidates if c["hub"] == hub])
        matched = assign(mentors, mentees, capacity)
        rows += [_pair_row(hub, mentors[m], mentees[e], s) for m, e, s in matched]
        paired = {e for _, e, _ in matched}
        rows += [_unpaired_row(hub, mentee) for i, mentee in enumerate(mentees) if i not in paired]
    return pl.DataFrame(rows, schema=PAIR_SCHEMA).sort("hub", "mentor_school", "mentee_school", nulls_last=True)


def _candidates(matrix: pl.DataFrame, schools: pl.DataFrame) -> list[Candidate]:
    areas = [a for a in vocab.AREAS if a in matrix.columns]
    if not areas:
        return []
    registry = schools.select(pl.col("school_id").alias("school"), "name", "hub", pl.col("language").str.to_lowercase())
    joined = matrix.join(registry, on="school", how="inner").with_columns(pl.mean_horizontal(areas).alias("overall"))
    return [
        {"school": r["school"], "name": r["name"], "hub": r["hub"], "language": r["language"], "overall": r["overall"],
         "areas": {a: r[a] for a in areas if r[a] is not None}}
        for r in joined.filter(pl.col("overall").is_not_null()).iter_rows(named=True)
    ]  # fmt: skip


def _pair_row(hub: str, mentor: Candidate, mentee: Candidate, score: float) -> dict[str, object]:
    return {
        "hub": hub, "mentor_school": mentor["school"], "mentor_name": mentor["name"], "mentee_school": mentee["school"],
        "mentee_name": mentee["name"], "language": mentee["language"], "mentor_score": mentor["overall"],
        "mentee_score": mentee["overall"], "score": score,
        "explanation": explain(str(mentor["name"]), mentor["areas"], str(mentee["name"]), mentee["areas"]),
    }  # fmt: skip


def _unpaired_row(hub: str, mentee: Candidate) -> dict[str, object]:
    reason = f"No mentor school in hub {hub} with language {mentee['language'] or 'unknown'}, a lead in some area and a free slot."
    return {
        "hub": hub, "mentor_school": None, "mentor_name": None, "mentee_school": mentee["school"], "mentee_name": mentee["name"],
        "language": mentee["language"], "mentor_score": None, "mentee_score": mentee["overall"], "score": None, "explanation": reason,
    }  # fmt: skip


# --- lat compute: the pairing family -------------------------------------------------------------


def compute(sources: Sources, settings: Settings) -> dict[str, pl.DataFrame]:
    """pairing_suggestions: optimal mentor-mentee pairs per hub (capacity 2)."""
    return {"pairing_suggestions": pairs(area_matrix(sources, settings), sources.table("schools").collect())}


_FEEDS = (
    "SELFIE answers (answered + cmi.interaction): each school's area scores in its latest round (the last to start); the school's language and hub "
    "from the registry"
)
_SUPPRESSION = "suppressed maturity_area cells are left out of the area scores, and so of the scores and the explanation"
register_dimension("mentor_school", "The suggested mentor school's id (registry).")
register_dimension("mentor_name", "Name of the suggested mentor school (registry).")
register_dimension("mentee_name", "Name of the mentee school (registry).")
register(
    Indicator(
        "pairing.mentor_score",
        "pairing",
        "The mentor school's overall maturity (mean of its latest-round area scores).",
        "score 1-5",
        "plain mean of the school's area scores in its latest round, each area once (area scores as for mentoring.first_score)",
        _FEEDS,
        _SUPPRESSION,
    ),
    Indicator(
        "pairing.mentee_score",
        "pairing",
        "The mentee school's overall maturity (mean of its latest-round area scores).",
        "score 1-5",
        "as mentor_score, for the mentee school",
        _FEEDS,
        _SUPPRESSION,
    ),
    Indicator(
        "pairing.score",
        "pairing",
        "Complementarity of the pair: the mentor's lead in each area weighted by the mentee's weakness there.",
        "0-4",
        "mean over the areas both schools have of (5 - mentee_a) / 4 * max(0, mentor_a - mentee_a). Within each hub the top third of the schools by "
        "overall score (rounded up; none in a hub of one school; ties by school id) are mentor schools, the others mentees; each mentor school takes at "
        "most 2 mentees; a pair needs the same school language and a score above 0; the pairs chosen give the largest possible sum of scores over the "
        "hub (an exact optimal assignment). Empty on the row of a mentee left without a mentor",
        _FEEDS,
        _SUPPRESSION,
    ),
    Indicator(
        "pairing.explanation",
        "pairing",
        "Why the pair fits (the two areas adding most), or why a mentee is left without a mentor.",
        "text",
        "for a pair: '<mentor> is strong in <area> (<mentor's score>) where <mentee> is weakest (<mentee's score>)', naming the area that adds most to "
        "the pair's score ('scores <mentee's score>' instead of 'is weakest' when it is not the mentee's lowest area), then '; also <area> (<mentor's "
        "score> vs <mentee's score>)' for the area adding second most, if any; scores to one decimal. For a mentee without a pair: 'No mentor school in "
        "hub <hub> with language <language>, a lead in some area and a free slot.'",
        _FEEDS,
        _SUPPRESSION,
    ),
)
register_mart(Mart("pairing_suggestions", "school", "Suggested mentor-mentee school pairs per hub, explained; unpaired mentees with the reason.", {
    "hub": "hub", "mentor_school": "mentor_school", "mentor_name": "mentor_name", "mentee_school": "mentee_school", "mentee_name": "mentee_name",
    "language": "language", "mentor_score": "pairing.mentor_score", "mentee_score": "pairing.mentee_score",
    "score": "pairing.score", "explanation": "pairing.explanation",
}, readers=frozenset({ADMIN, HUB_COORDINATOR})))  # fmt: skip
