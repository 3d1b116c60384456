"""Progress between rounds: the Welch interval against scipy's, from sufficient statistics."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats

from pipelines.maturity.progress import between_rounds


def _state(school: str, round: str, means: list[float]) -> dict[str, object]:
    arr = np.array(means)
    return {
        "school": school,
        "round": round,
        "area": "A",
        "group": "teacher",
        "n": len(arr),
        "scored": len(arr) if len(arr) >= 5 else 0,  # stage 1 keeps no answer of a small cell
        "rmean_sum": float(arr.sum()),
        "rmean_sumsq": float((arr**2).sum()),
    }


ORDER = pl.DataFrame({"round": ["2024-autumn", "2025-spring"], "round_order": [0, 1]}).lazy()


def test_change_and_interval_equal_scipy_welch() -> None:
    before = [2.0, 2.5, 3.0, 3.5, 2.25, 2.75]
    after = [3.0, 3.5, 4.0, 2.5, 3.25, 4.5, 3.75]
    area = pl.DataFrame([_state("S1", "2024-autumn", before), _state("S1", "2025-spring", after)]).lazy()
    got = between_rounds(area, ORDER, 5).collect().row(0, named=True)
    test = stats.ttest_ind(after, before, equal_var=False)
    ci = test.confidence_interval(0.95)
    assert got["previous_round"] == "2024-autumn" and got["round"] == "2025-spring"
    assert got["change"] == pytest.approx(np.mean(after) - np.mean(before))
    assert (got["ci_low"], got["ci_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert got["significant"] is bool(ci.low > 0)
    assert got["suppressed"] is False


def test_a_small_round_suppresses_the_comparison() -> None:
    area = pl.DataFrame([_state("S1", "2024-autumn", [2.0, 3.0, 4.0]), _state("S1", "2025-spring", [3.0] * 6)]).lazy()
    got = between_rounds(area, ORDER, 5).collect().row(0, named=True)
    assert got["suppressed"] is True
    assert (got["n"], got["n_previous"]) == (6, 3)
    assert got["change"] is None and got["ci_low"] is None and got["mean_previous"] is None
    assert got["mean"] == pytest.approx(3.0)  # this round's cell is shown, as in maturity_area


def test_first_round_has_no_progress_row() -> None:
    area = pl.DataFrame([_state("S2", "2025-spring", [3.0] * 6)]).lazy()
    assert between_rounds(area, ORDER, 5).collect().height == 0
