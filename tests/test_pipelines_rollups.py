"""Hub and country roll-ups: hand-computed figures, both weightings over the same school cells
with figures, suppressed cells never taken in, and the minimum number of schools."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.rollups.hub_comparison import compare_hubs
from pipelines.rollups.maturity import maturity_rollup

SCHOOLS = pl.DataFrame(
    {"school": ["S1", "S2", "S3", "S4", "S5"], "hub": ["H1", "H1", "H1", "H2", "H2"], "country": ["EE"] * 5},
).lazy()


def _cell(school: str, n: int, answers: int, score_sum: float, agree: int, rmeans: list[float]) -> dict[str, object]:
    """A school cell's statistics as maturity's stage 1 keeps them (pipelines/maturity/area_scores.py)."""
    return {
        "school": school,
        "round": "R1",
        "area": "A",
        "group": "teacher",
        "n": n,
        "scored": len(rmeans),
        "answers": answers,
        "score_sum": score_sum,
        "agree": agree,
        "rmean_sum": sum(rmeans),
        "rmean_sumsq": sum(m * m for m in rmeans),
    }


# S1: 5 respondents, 10 answers summing 30 (mean 3.0), 4 agreeing; S2: 6 respondents, mean 4.0;
# S3: 2 respondents, suppressed (stage 1 keeps no answer of it); S4, S5: hub H2.
AREA = pl.DataFrame(
    [
        _cell("S1", 5, 10, 30.0, 4, [3.0, 3.0, 2.0, 4.0, 3.0]),
        _cell("S2", 6, 12, 48.0, 9, [4.0, 4.5, 3.5, 4.0, 4.0, 4.0]),
        _cell("S3", 2, 0, 0.0, 0, []),
        _cell("S4", 7, 7, 21.0, 2, [3.0] * 7),
        _cell("S5", 5, 5, 20.0, 5, [4.0] * 5),
    ]
).lazy()


def _row(frame: pl.DataFrame, hub: str, weighting: str) -> dict[str, object]:
    return frame.filter((pl.col("hub") == hub) & (pl.col("weighting") == weighting)).row(0, named=True)


def test_school_weighting_leaves_suppressed_schools_out_and_counts_them() -> None:
    row = _row(maturity_rollup(AREA, SCHOOLS, "hub", 5, 2).collect(), "H1", "school")
    assert (row["schools"], row["schools_excluded"], row["n"]) == (2, 1, 11)
    assert row["mean"] == pytest.approx(3.5)  # (3.0 + 4.0) / 2: S3 has no figure to average in
    assert row["median"] == pytest.approx(3.5)
    assert (row["q1"], row["q3"]) == (pytest.approx(3.25), pytest.approx(3.75))
    assert row["share_agree"] == pytest.approx((0.4 + 0.75) / 2)
    # t interval over the two school means: sd = 0.7071, t(0.975, 1) = 12.7062
    assert row["ci_high"] - row["mean"] == pytest.approx(12.706204736 * 0.70710678 / 2**0.5, rel=1e-6)
    assert (row["suppressed"], row["suppressed_reason"]) == (False, None)


def test_respondent_weighting_pools_the_same_schools() -> None:
    row = _row(maturity_rollup(AREA, SCHOOLS, "hub", 5, 2).collect(), "H1", "respondent")
    assert (row["schools"], row["schools_excluded"], row["n"]) == (2, 1, 11)
    assert row["mean"] == pytest.approx(78.0 / 22)  # S1's and S2's answers pooled
    assert row["share_agree"] == pytest.approx(13 / 22)
    rmeans = [3.0, 3.0, 2.0, 4.0, 3.0, 4.0, 4.5, 3.5, 4.0, 4.0, 4.0]
    sd = pl.Series(rmeans).std()
    assert row["mean"] - row["ci_low"] == pytest.approx(2.228138852 * sd / len(rmeans) ** 0.5, rel=1e-6)  # t(0.975, 10)
    assert row["median"] is None and row["suppressed"] is False


def test_a_roll_up_of_fewer_schools_than_the_minimum_is_withheld_with_its_reason() -> None:
    frame = maturity_rollup(AREA, SCHOOLS, "hub", 5, 3).collect()
    for weighting in ("school", "respondent"):
        row = _row(frame, "H1", weighting)
        assert (row["schools"], row["n"], row["suppressed"], row["suppressed_reason"]) == (2, 11, True, "few_schools")
        assert (row["mean"], row["ci_low"], row["share_agree"]) == (None, None, None)
    only_small = maturity_rollup(AREA.filter(pl.col("school") == "S3"), SCHOOLS, "hub", 5, 3).collect()
    assert _row(only_small, "H1", "school")["suppressed_reason"] == "few_respondents"


def test_country_rollup_covers_every_hub() -> None:
    row = maturity_rollup(AREA, SCHOOLS, "country", 5, 3).collect().filter(pl.col("weighting") == "school").row(0, named=True)
    assert (row["country"], row["schools"], row["schools_excluded"]) == ("EE", 4, 1)
    assert row["mean"] == pytest.approx((3.0 + 4.0 + 3.0 + 4.0) / 4)


def test_hub_comparison_needs_the_minimum_of_schools_in_each_hub() -> None:
    row = compare_hubs(AREA, SCHOOLS, 5, 2).collect().row(0, named=True)
    assert (row["hub_a"], row["hub_b"], row["schools_a"], row["schools_b"]) == ("H1", "H2", 2, 2)
    assert row["difference"] == pytest.approx(3.5 - 3.5) and row["suppressed"] is False
    withheld = compare_hubs(AREA, SCHOOLS, 5, 3).collect().row(0, named=True)
    assert (withheld["difference"], withheld["suppressed"], withheld["suppressed_reason"]) == (None, True, "few_schools")
    one_school = compare_hubs(AREA.filter(pl.col("school") != "S5"), SCHOOLS, 5, 1).collect().row(0, named=True)
    assert one_school["suppressed"] is True  # no spread with one school, whatever the setting
