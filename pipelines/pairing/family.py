"""Mentor-mentee pairing: which advanced school should mentor which less advanced one.

Within each hub, schools are ranked by their overall maturity (mean of their latest-round
area scores, see :mod:`pipelines.profiles`). The top third (rounded up) are mentor schools,
the rest mentees. The *complementarity score* of a mentor M for a mentee E is

    score(M, E) = mean over the areas both have of  need_E(a) * max(0, M_a - E_a)
    need_E(a)   = (5 - E_a) / 4        (1 where E answers "strongly disagree", 0 at 5)

so a mentor counts where it leads, weighted by how weak the mentee is there. Each mentor
school has ``capacity`` slots (default 2); the assignment maximising the total score over
all slots is solved exactly (``scipy.optimize.linear_sum_assignment``). A pair is allowed
only when both schools have the same ``schools.language`` and the score is above zero;
a mentee left without a pair is listed with the reason.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from lat import vocab
from lat.config import Settings
from lat.users import ADMIN, HUB_COORDINATOR
from pipelines.core.catalogue import Mart, register_mart
from pipelines.core.definitions import Indicator, register, register_dimension
from pipelines.core.source import Sources

CAPACITY = 2
MENTOR_FRACTION = 1 / 3
_INFEASIBLE = 1e6  # larger than any total score, so the solver fills feasible slots first

PAIR_SCHEMA = {
    "hub": pl.String, "mentor_school": pl.String, "mentor_name": pl.String, "mentee_school": pl.String,
    "mentee_name": pl.String, "language": pl.String, "mentor_score": pl.Float64, "mentee_score": pl.Float64,
    "score": pl.Float64, "explanation": pl.String,
}  # fmt: skip


def pair_score(mentor: dict[str, float], mentee: dict[str, float]) -> float:
    """The complementarity score (see the module docstring); 0 when no area is shared."""
    common = [a for a in vocab.AREAS if mentor.get(a) is not None and mentee.get(a) is not None]
    if not common:
        return 0.0
    return sum(_gain(mentor, mentee, a) for a in common) / len(common)


def _gain(mentor: dict[str, float], mentee: dict[str, float], area: str) -> float:
    m, e = mentor.get(area), mentee.get(area)
    if m is None or e is None:
        return 0.0
    return (5 - e) / 4 * max(0.0, m - e)


def explain(mentor_name: str, mentor: dict[str, float], mentee_name: str, mentee: dict[str, float]) -> str:
    """Why the pair fits, from the two areas that add most to its score."""
    ranked = sorted((a for a in vocab.AREAS if _gain(mentor, mentee, a) > 0), key=lambda a: -_gain(mentor, mentee, a))
    if not ranked:
        return f"{mentor_name} leads {mentee_name} in no area."
    weakest = min((a for a in vocab.AREAS if mentee.get(a) is not None), key=lambda a: mentee[a])
    first = ranked[0]
    where = f"is weakest ({mentee[first]:.1f})" if first == weakest else f"scores {mentee[first]:.1f}"
    text = f"{mentor_name} is strong in {first} {vocab.AREAS[first]} ({mentor[first]:.1f}) where {mentee_name} {where}"
    if len(ranked) > 1:
        second = ranked[1]
        text += f"; also {second} {vocab.AREAS[second]} ({mentor[second]:.1f} vs {mentee[second]:.1f})"
    return text + "."


def split_roles(hub_schools: list[dict[str, object]], mentor_fraction: float = MENTOR_FRACTION) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(mentors, mentees): the top ``mentor_fraction`` of a hub by overall score, rounded up."""
    ranked = sorted(hub_schools, key=lambda s: (-float(s["overall"]), str(s["school"])))  # type: ignore[arg-type]
    n_mentors = math.ceil(len(ranked) * mentor_fraction) if len(ranked) > 1 else 0
    return ranked[:n_mentors], ranked[n_mentors:]


def assign(mentors: list[dict[str, object]], mentees: list[dict[str, object]], capacity: int) -> list[tuple[int, int, float]]:
    """Optimal (mentor index, mentee index, score) pairs under capacity and language."""
    from scipy.optimize import linear_sum_assignment

    slots = [i for i in range(len(mentors)) for _ in range(capacity)]
    if not slots or not mentees:
        return []
    scores = allowed_scores(mentors, mentees)[slots]
    cost = np.where(scores > 0, -scores, _INFEASIBLE)
    rows, cols = linear_sum_assignment(cost)
    return [(slots[r], int(c), float(scores[r, c])) for r, c in zip(rows, cols, strict=True) if scores[r, c] > 0]


def allowed_scores(mentors: list[dict[str, object]], mentees: list[dict[str, object]]) -> np.ndarray:
    """mentors x mentees: :func:`pair_score` where the languages match, else 0.

    Vectorised over the pairs, but area by area in the same order and with the same
    operations as :func:`pair_score`, so every score is the same float."""
    m, e = _area_array(mentors), _area_array(mentees)
    mentor, mentee = m[:, None, :], e[None, :, :]
    both = ~np.isnan(mentor) & ~np.isnan(mentee)
    total = np.zeros((len(mentors), len(mentees)))
    for a in range(len(vocab.AREAS)):
        gain = (5 - mentee[..., a]) / 4 * np.maximum(0.0, mentor[..., a] - mentee[..., a])
        total = total + np.where(both[..., a], gain, 0.0)
    common = both.sum(axis=2)
    score = np.divide(total, common, out=np.zeros_like(total), where=common > 0)
    languages = [str(x["language"]) if x["language"] is not None else None for x in mentors]
    same = np.array([[lm is not None and lm == x["language"] for x in mentees] for lm in languages], dtype=bool).reshape(len(mentors), len(mentees))
    return np.where(same, score, 0.0)


def _area_array(schools: list[dict[str, object]]) -> np.ndarray:
    """One row per school, one column per SELFIE area; NaN where the school has no score."""
    return np.array(
        [[float(s["areas"][a]) if s["areas"].get(a) is not None else np.nan for a in vocab.AREAS] for s in schools],  # type: ignore[attr-defined]
        dtype=float,
    ).reshape(len(schools), len(vocab.AREAS))


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


def _candidates(matrix: pl.DataFrame, schools: pl.DataFrame) -> list[dict[str, object]]:
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


def _pair_row(hub: str, mentor: dict[str, object], mentee: dict[str, object], score: float) -> dict[str, object]:
    return {
        "hub": hub, "mentor_school": mentor["school"], "mentor_name": mentor["name"], "mentee_school": mentee["school"],
        "mentee_name": mentee["name"], "language": mentee["language"], "mentor_score": mentor["overall"],
        "mentee_score": mentee["overall"], "score": score,
        "explanation": explain(str(mentor["name"]), mentor["areas"], str(mentee["name"]), mentee["areas"]),  # type: ignore[arg-type]
    }  # fmt: skip


def _unpaired_row(hub: str, mentee: dict[str, object]) -> dict[str, object]:
    reason = f"No mentor school in hub {hub} with language {mentee['language'] or 'unknown'}, a lead in some area and a free slot."
    return {
        "hub": hub, "mentor_school": None, "mentor_name": None, "mentee_school": mentee["school"], "mentee_name": mentee["name"],
        "language": mentee["language"], "mentor_score": None, "mentee_score": mentee["overall"], "score": None, "explanation": reason,
    }  # fmt: skip


# --- lat compute: the pairing family -------------------------------------------------------------

def compute(sources: Sources, settings: Settings) -> dict[str, pl.DataFrame]:
    """pairing_suggestions: optimal mentor-mentee pairs per hub (capacity 2)."""
    from pipelines.profiles.family import area_matrix

    return {"pairing_suggestions": pairs(area_matrix(sources, settings), sources.table("schools").collect())}


_FEEDS = "SELFIE answers (answered + cmi.interaction): latest-round school area scores; schools.language and hub"
_SUPPRESSION = "areas with fewer than LAT_MIN_CELL_SIZE respondents are left out of the scores"
register_dimension("mentor_school", "The suggested mentor school's id (registry).")
register_dimension("mentor_name", "Name of the suggested mentor school (registry).")
register_dimension("mentee_name", "Name of the mentee school (registry).")
register(
    Indicator("pairing.mentor_score", "pairing", "The mentor school's overall maturity (mean of its latest-round area scores).", "score 1-5", "mean over areas", _FEEDS, _SUPPRESSION),
    Indicator("pairing.mentee_score", "pairing", "The mentee school's overall maturity.", "score 1-5", "mean over areas", _FEEDS, _SUPPRESSION),
    Indicator("pairing.score", "pairing", "Complementarity of the pair: the mentor's lead in each area weighted by the mentee's weakness there.", "0-4", "mean over shared areas of (5 - mentee_a) / 4 * max(0, mentor_a - mentee_a); pairs maximise the hub's total (linear_sum_assignment, capacity 2, same language)", _FEEDS, _SUPPRESSION),
    Indicator("pairing.explanation", "pairing", "Why the pair fits (the two areas adding most), or why a mentee is left without a mentor.", "text", "see pipelines/pairing.py", _FEEDS, _SUPPRESSION),
)
register_mart(Mart("pairing_suggestions", "school", "Suggested mentor-mentee school pairs per hub, explained; unpaired mentees with the reason.", {
    "hub": "hub", "mentor_school": "mentor_school", "mentor_name": "mentor_name", "mentee_school": "mentee_school", "mentee_name": "mentee_name",
    "language": "language", "mentor_score": "pairing.mentor_score", "mentee_score": "pairing.mentee_score",
    "score": "pairing.score", "explanation": "pairing.explanation",
}, readers=frozenset({ADMIN, HUB_COORDINATOR})))  # fmt: skip
