"""The complementarity score of a mentor school for a mentee school, and why a pair fits.

    score(M, E) = mean over the areas both have of  need_E(a) * max(0, M_a - E_a)
    need_E(a)   = (5 - E_a) / 4        (1 where E answers "strongly disagree", 0 at 5)

A mentor counts where it leads, weighted by how weak the mentee is there.
"""

from __future__ import annotations

from typing import TypedDict

import numpy as np
import numpy.typing as npt

from lat.xapi import vocab


class Candidate(TypedDict):
    """A school of a hub as the pairing sees it (one row of :func:`pipelines.pairing.family._candidates`)."""

    school: str
    name: str
    hub: str
    language: str | None
    overall: float  # mean of the area scores
    areas: dict[str, float]  # SELFIE area -> latest-round score; areas without a score are left out


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


def allowed_scores(mentors: list[Candidate], mentees: list[Candidate]) -> npt.NDArray[np.float64]:
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


def _area_array(schools: list[Candidate]) -> npt.NDArray[np.float64]:
    """One row per school, one column per SELFIE area; NaN where the school has no score."""
    return np.array(
        [[float(s["areas"][a]) if s["areas"].get(a) is not None else np.nan for a in vocab.AREAS] for s in schools],
        dtype=float,
    ).reshape(len(schools), len(vocab.AREAS))
