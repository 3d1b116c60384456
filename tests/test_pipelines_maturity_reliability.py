"""Cronbach's alpha against pingouin (an independent implementation) and the textbook formula."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
import polars as pl
import pytest

from pipelines.maturity.reliability import cronbach_alpha


def _long(matrix: np.ndarray, cell: str) -> pl.DataFrame:
    rows = [
        {"cell": cell, "respondent": f"r{i}", "item": f"A{j + 1}", "score": float(v)}
        for i, row in enumerate(matrix)
        for j, v in enumerate(row)
        if not np.isnan(v)
    ]
    return pl.DataFrame(rows)


def test_alpha_equals_pingouin_on_a_complete_matrix() -> None:
    rng = np.random.default_rng(7)
    trait = rng.normal(size=(40, 1))
    matrix = np.clip(np.round(3 + trait + rng.normal(scale=0.8, size=(40, 6))), 1, 5)
    got = cronbach_alpha(_long(matrix, "x").lazy(), ["cell"]).collect()
    want, _ = pingouin.cronbach_alpha(pd.DataFrame(matrix))
    assert got["alpha"][0] == pytest.approx(want, abs=1e-12)
    assert (got["alpha_n"][0], got["alpha_k"][0]) == (40, 6)


def test_incomplete_respondents_and_rare_items_are_left_out() -> None:
    # 4 respondents; A3 answered by one only (< half): dropped; r3 lacks A2: not a complete case.
    nan = np.nan
    matrix = np.array([[1, 2, 5], [2, 2, nan], [4, 5, nan], [5, nan, nan]], dtype=float)
    got = cronbach_alpha(_long(matrix, "x").lazy(), ["cell"]).collect()
    kept = matrix[:3, :2]
    k = kept.shape[1]
    textbook = k / (k - 1) * (1 - kept.var(axis=0, ddof=1).sum() / kept.sum(axis=1).var(ddof=1))
    assert got["alpha"][0] == pytest.approx(textbook)
    assert (got["alpha_n"][0], got["alpha_k"][0]) == (3, 2)


def test_alpha_is_empty_without_variance_or_with_one_item() -> None:
    constant = _long(np.full((5, 3), 4.0), "same")
    single = _long(np.array([[1.0], [2.0], [3.0]]), "one")
    got = cronbach_alpha(pl.concat([constant, single]).lazy(), ["cell"]).collect().sort("cell")
    assert got.select("cell", "alpha", "alpha_k").rows() == [("one", None, 1), ("same", None, 3)]
