"""Which schools of a hub mentor and which are mentored, and the optimal pairs.

The top third of a hub by overall maturity (rounded up) are mentor schools, the rest
mentees. Each mentor school has ``capacity`` slots; the assignment maximising the total
complementarity score over all slots is solved exactly (``linear_sum_assignment``), a pair
allowed only when both schools have the same language and the score is above zero.
"""

from __future__ import annotations

import math

import numpy as np

from pipelines.pairing.score import Candidate, allowed_scores

MENTOR_FRACTION = 1 / 3
_INFEASIBLE = 1e6  # larger than any total score, so the solver fills feasible slots first


def split_roles(hub_schools: list[Candidate], mentor_fraction: float = MENTOR_FRACTION) -> tuple[list[Candidate], list[Candidate]]:
    """(mentors, mentees): the top ``mentor_fraction`` of a hub by overall score, rounded up."""
    ranked = sorted(hub_schools, key=lambda s: (-float(s["overall"]), str(s["school"])))
    n_mentors = math.ceil(len(ranked) * mentor_fraction) if len(ranked) > 1 else 0
    return ranked[:n_mentors], ranked[n_mentors:]


def assign(mentors: list[Candidate], mentees: list[Candidate], capacity: int) -> list[tuple[int, int, float]]:
    """Optimal (mentor index, mentee index, score) pairs under capacity and language."""
    # lazy: scipy.optimize takes over half a second to import, and the catalogue (lat.access, docs) imports this module
    from scipy.optimize import linear_sum_assignment

    slots = [i for i in range(len(mentors)) for _ in range(capacity)]
    if not slots or not mentees:
        return []
    scores = allowed_scores(mentors, mentees)[slots]
    cost = np.where(scores > 0, -scores, _INFEASIBLE)
    rows, cols = linear_sum_assignment(cost)
    return [(slots[r], int(c), float(scores[r, c])) for r, c in zip(rows, cols, strict=True) if scores[r, c] > 0]
