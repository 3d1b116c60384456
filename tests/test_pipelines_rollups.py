"""Hub and country roll-ups: hand-computed figures, both weightings, suppressed cells never averaged in."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.rollups.hub_comparison import compare_hubs
from pipelines.rollups.maturity import maturity_rollup

SCHOOLS = pl.DataFrame({"school": ["S1", "S2", "S3", "S4"], "hub": ["H1", "H1", "H1", "H2"], "country": ["EE"] * 4}).lazy()


def _cell(school: str, n: int, answers: int, score_sum: float, agree: int, rmeans: list[float]) -> dict[str, object]:
    return {
        "school": school,
        "round": "R1",
        "area": "A",
        "group": "teacher",
        "n": n,
        "answers": answers,
        "score_sum": score_sum,
        "agree": agree,
        "rmean_sum": sum(rmeans),
        "rmean_sumsq": sum(m * m for m in rmeans),
    }


# S1: 5 respondents, 10 answers summing 30 (mean 3.0), 4 agreeing; S2: 6 respondents, mean 4.0;
# S3: 2 respondents (suppressed), mean 1.0; S4 is alone in hub H2.
AREA = pl.DataFrame(
    [
        _cell("S1", 5, 10, 30.0, 4, [3.0, 3.0, 2.0, 4.0, 3.0]),
        _cell("S2", 6, 12, 48.0, 9, [4.0, 4.5, 3.5, 4.0, 4.0, 4.0]),
        _cell("S3", 2, 4, 4.0, 0, [1.0, 1.0]),
        _cell("S4", 7, 7, 21.0, 2, [3.0] * 7),
    ]
).lazy()


def _row(frame: pl.DataFrame, hub: str, weighting: str) -> dict[str, object]:
    return frame.filter((pl.col("hub") == hub) & (pl.col("weighting") == weighting)).row(0, named=True)


def test_school_weighting_leaves_suppressed_schools_out_and_counts_them() -> None:
    row = _row(maturity_rollup(AREA, SCHOOLS, "hub", 5).collect(), "H1", "school")
    assert (row["schools"], row["schools_excluded"], row["n"]) == (2, 1, 11)
    assert row["mean"] == pytest.approx(3.5)  # (3.0 + 4.0) / 2, S3's 1.0 is not averaged in
    assert row["median"] == pytest.approx(3.5)
    assert (row["q1"], row["q3"]) == (pytest.approx(3.25), pytest.approx(3.75))
    assert row["share_agree"] == pytest.approx((0.4 + 0.75) / 2)
    # t interval over the two school means: sd = 0.7071, t(0.975, 1) = 12.7062
    assert row["ci_high"] - row["mean"] == pytest.approx(12.706204736 * 0.70710678 / 2**0.5, rel=1e-6)


def test_respondent_weighting_pools_respondents_and_hides_recoverable_small_schools() -> None:
    frame = maturity_rollup(AREA, SCHOOLS, "hub", 5).collect()
    row = _row(frame, "H1", "respondent")
    # S3's 2 respondents could be recovered by subtracting S1 and S2: the pooled cell is hidden.
    assert (row["n"], row["suppressed"], row["mean"]) == (13, True, None)
    without_small = maturity_rollup(AREA.filter(pl.col("school") != "S3"), SCHOOLS, "hub", 5).collect()
    row = _row(without_small, "H1", "respondent")
    assert row["mean"] == pytest.approx(78.0 / 22)  # all answers pooled
    assert row["share_agree"] == pytest.approx(13 / 22)
    assert row["suppressed"] is False


def test_country_rollup_covers_every_hub() -> None:
    row = maturity_rollup(AREA, SCHOOLS, "country", 5).collect().filter(pl.col("weighting") == "school").row(0, named=True)
    assert (row["country"], row["schools"], row["schools_excluded"]) == ("EE", 3, 1)
    assert row["mean"] == pytest.approx((3.0 + 4.0 + 3.0) / 3)


def test_hub_comparison_needs_two_schools_per_hub() -> None:
    row = compare_hubs(AREA, SCHOOLS, 5).collect().row(0, named=True)
    assert (row["hub_a"], row["hub_b"], row["schools_a"], row["schools_b"]) == ("H1", "H2", 2, 1)
    assert row["suppressed"] is True and row["difference"] is None
