"""Mean silhouette of a clustering, in numpy: the formula of ``sklearn.metrics.silhouette_score``
(Euclidean distances), without importing ``sklearn.metrics`` (about a second of an update's
time; only k-means needs sklearn).

For each point i: a = mean distance to the other points of its cluster, b = the smallest mean
distance to the points of another cluster, s = (b - a) / max(a, b), and s = 0 in a cluster
of one. The score is the mean of s. Distances are computed as sklearn's
``euclidean_distances`` does (|x|^2 - 2 x.y + |y|^2, clipped at 0, 0 to itself), so the
scores agree with sklearn's to about 1e-15.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]
CHUNK_ROWS = 2_048  # rows of the distance matrix at a time when it is not kept whole (16 MB per 1,000 columns)


def distances(x: Matrix, start: int = 0, stop: int | None = None) -> Matrix:
    """Euclidean distances from rows ``start:stop`` of ``x`` to every row of ``x``."""
    stop = x.shape[0] if stop is None else stop
    norms = np.einsum("ij,ij->i", x, x)
    d = -2.0 * (x[start:stop] @ x.T)
    d += norms[start:stop, None]
    d += norms[None, :]
    np.maximum(d, 0.0, out=d)
    d[np.arange(stop - start), np.arange(start, stop)] = 0.0  # rounding must not move a point from itself
    return np.sqrt(d, out=d)


def scorer(values: npt.ArrayLike, keep_up_to: int = 10_000) -> Callable[[npt.ArrayLike], float]:
    """labels -> mean silhouette of ``values``. Up to ``keep_up_to`` points the distance matrix
    is computed once for every labelling scored (n * n * 8 bytes); beyond, per chunk of rows."""
    x = np.asarray(values, dtype=np.float64)
    n = x.shape[0]
    if n <= keep_up_to:
        whole = distances(x)
        return lambda labels: score(lambda: [whole], labels)
    bounds = [(i, min(i + CHUNK_ROWS, n)) for i in range(0, n, CHUNK_ROWS)]
    return lambda labels: score(lambda: (distances(x, a, b) for a, b in bounds), labels)


def score(chunks: Callable[[], Iterable[Matrix]], labels: npt.ArrayLike) -> float:
    """Mean silhouette from the distance matrix in row chunks (``chunks()`` yields them in order)."""
    _, codes = np.unique(np.asarray(labels), return_inverse=True)
    codes = codes.ravel()
    sizes = np.bincount(codes).astype(np.float64)
    if not 2 <= sizes.size <= codes.size - 1:
        raise ValueError(f"silhouette needs 2 to n - 1 clusters, got {sizes.size} for {codes.size} points")
    members = np.zeros((codes.size, sizes.size))
    members[np.arange(codes.size), codes] = 1.0
    # per point, the sum of its distances to each cluster's points
    sums = np.vstack([chunk @ members for chunk in chunks()])
    rows = np.arange(codes.size)
    own = sums[rows, codes]
    sums[rows, codes] = np.inf
    nearest = (sums / sizes).min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = own / (sizes[codes] - 1)  # 0 / 0 in a cluster of one: nan, then s = 0 below
        s = (nearest - inner) / np.maximum(inner, nearest)
    return float(np.nan_to_num(s).mean())
