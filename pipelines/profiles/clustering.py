"""Schools clustered by their latest-round area scores: k-means (``random_state=0``, 10
starts) for k = 2..6 (at most n - 1), the k with the highest mean silhouette kept; a missing
area takes the mean of the other schools. Profiles are numbered from the highest centre down.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy.typing as npt
import polars as pl
from threadpoolctl import threadpool_limits

from lat.xapi import vocab
from pipelines.profiles.silhouette import scorer

if TYPE_CHECKING:  # sklearn is imported lazily (see _kmeans)
    from sklearn.cluster import KMeans

K_RANGE = range(2, 7)
RANDOM_STATE = 0


def fill_missing(matrix: pl.DataFrame, areas: list[str]) -> pl.DataFrame:
    """A school's missing area takes the mean of the schools that have it (clustering needs all)."""
    return matrix.with_columns(pl.col(a).fill_null(pl.col(a).mean()) for a in areas)


def choose_k(values: list[list[float]]) -> tuple[int, list[tuple[int, float]]]:
    """The k with the best mean silhouette over ``K_RANGE`` (ties: the smaller k), and every score."""
    k, scores, _ = _select_k(values)
    return k, scores


def _select_k(values: list[list[float]]) -> tuple[int, list[tuple[int, float]], dict[int, KMeans]]:
    """:func:`choose_k`, plus the fitted model of each k tried (the chosen one is reused)."""
    n = len(values)
    scores, models = [], {}
    # A few thousand schools x 8 areas is far too small to gain from thread pools, and on a
    # busy machine OpenMP's waiting threads made each KMeans fit tens of times slower.
    with threadpool_limits(limits=1):
        silhouette = _silhouette(values)
        for k in K_RANGE:
            if k >= n:
                break
            models[k] = _kmeans(values, k)
            labels = models[k].labels_
            # identical rows can collapse two centres into one label; silhouette then is undefined
            score = silhouette(labels) if len(set(labels)) > 1 else float("-inf")
            scores.append((k, score))
    if not scores:
        return 1, [], models
    best = max(scores, key=lambda ks: (ks[1], -ks[0]))
    return best[0], scores, models


PRECOMPUTED_UP_TO = 10_000  # schools; their distance matrix takes n * n * 8 bytes (800 MB)


def _silhouette(values: list[list[float]]) -> Callable[[npt.ArrayLike], float]:
    """labels -> mean silhouette of ``values`` (pipelines/profiles/silhouette.py: sklearn's
    formula in numpy, so that only k-means imports sklearn). The distances between schools
    are computed once for every k tried."""
    return scorer(values, keep_up_to=PRECOMPUTED_UP_TO)


def _kmeans(values: list[list[float]], k: int) -> KMeans:
    # lazy: sklearn takes seconds to import (the orchestrator imports it ahead, see PRELOAD)
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=10, random_state=RANDOM_STATE).fit(values)


def cluster(matrix: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(school -> profile, profile centres in long form, k selection) for a filled area matrix.

    Profiles are numbered 1..k from the highest centre mean down, so numbers are stable
    across runs on the same data.
    """
    areas = [a for a in vocab.AREAS if a in matrix.columns]
    values = matrix.select(areas).rows()
    k, scores, models = _select_k([list(r) for r in values])
    if k == 1:
        raw = [0] * len(values)
        centres = [[sum(col) / len(col) for col in zip(*values, strict=True)]] if values else []
    else:
        model = models[k]  # the same fit choose_k scored (same data, same random_state)
        raw, centres = [int(x) for x in model.labels_], [list(map(float, c)) for c in model.cluster_centers_]
    order = sorted(range(len(centres)), key=lambda i: -sum(centres[i]) / len(areas))
    renumber = {old: new + 1 for new, old in enumerate(order)}
    assignment = matrix.select("school", "round").with_columns(pl.Series("profile", [renumber[r] for r in raw], dtype=pl.Int64))
    centre_rows = [{"profile": renumber[i], "area": a, "centre": centres[i][j]} for i in range(len(centres)) for j, a in enumerate(areas)]
    centre_frame = pl.DataFrame(centre_rows, schema={"profile": pl.Int64, "area": pl.String, "centre": pl.Float64})
    selection = pl.DataFrame(
        {"k": [ks[0] for ks in scores], "silhouette": [ks[1] for ks in scores], "chosen": [ks[0] == k for ks in scores]},
        schema={"k": pl.Int64, "silhouette": pl.Float64, "chosen": pl.Boolean},
    )
    return assignment, centre_frame.sort("profile", "area"), selection
