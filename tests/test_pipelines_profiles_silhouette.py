"""The numpy silhouette equals sklearn.metrics.silhouette_score (same formula, same floats)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import silhouette_score

from pipelines.profiles import silhouette


def test_a_hand_computed_score() -> None:
    # points 0, 1 in one cluster and 4 in another (1-D): s0 = (4 - 1) / 4, s1 = (3 - 1) / 3, s2 = 0 (alone)
    values = np.array([[0.0], [1.0], [4.0]])
    assert silhouette.scorer(values)([0, 0, 1]) == pytest.approx((3 / 4 + 2 / 3 + 0) / 3, abs=1e-15)


@pytest.mark.parametrize("keep_up_to", [10_000, 0])  # whole distance matrix, and row chunks
def test_equals_sklearn_silhouette_score(keep_up_to: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(silhouette, "CHUNK_ROWS", 37)  # several chunks, the last one short
    rng = np.random.default_rng(7)
    values = np.round(rng.uniform(1, 5, size=(300, 8)), 2)  # area scores of 300 schools
    values[5] = values[6]  # two identical schools
    score = silhouette.scorer(values, keep_up_to=keep_up_to)
    for k in (2, 3, 6):
        labels = rng.integers(0, k, size=300)
        labels[0] = k  # a cluster of one school
        assert abs(score(labels) - silhouette_score(values, labels)) < 1e-12
    separated = np.vstack([values[:100] + 10, values[100:]])
    labels = np.array([0] * 100 + [1] * 200)
    assert abs(silhouette.scorer(separated)(labels) - silhouette_score(separated, labels)) < 1e-12


def test_one_cluster_is_refused() -> None:
    with pytest.raises(ValueError, match="2 to n - 1 clusters"):
        silhouette.scorer(np.array([[0.0], [1.0], [2.0]]))([0, 0, 0])
