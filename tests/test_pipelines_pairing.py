"""Mentor-mentee pairing in one hub (tests/fixtures/pipelines/pairing/hub), computed by hand.

Overall scores: S1 3.93, S2 3.83 (the top third: mentors), S5 2.83, S3 2.37, S4 2.33, S6 2.17
(S6 speaks fi, nobody else does). Pair scores (mean over A, C, G of (5 - e)/4 * max(0, m - e)):
S1-S3 1.1567, S1-S4 1.1625, S1-S5 0.825, S2-S3 0.9675, S2-S4 1.375, S2-S5 0.5417. With two
slots per mentor the best total is S1-S3 + S1-S5 + S2-S4 = 3.3567 (the next best 3.1675).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from pipelines.core.source import Sources
from pipelines.pairing import family as pairing
from pipelines.pairing.score import pair_score
from tests.pipeline_fixtures import FIXTURES, answer, assert_frame_matches, expected, load, open_store, settings_for

CASE = FIXTURES / "pairing" / "hub"


def _inputs() -> tuple[pl.DataFrame, pl.DataFrame]:
    return expected(CASE / "areas.csv"), expected(CASE / "schools.csv")


def test_optimal_pairs_under_capacity_two_with_explanations() -> None:
    got = pairing.pairs(*_inputs())
    assert_frame_matches(got, expected(CASE / "expected-capacity-2.csv"), keys=["mentee_school"])


def test_capacity_one_leaves_the_least_complementary_mentee_unpaired() -> None:
    got = pairing.pairs(*_inputs(), capacity=1)
    assert_frame_matches(got, expected(CASE / "expected-capacity-1.csv"), keys=["mentee_school"])


def test_pair_score_by_hand() -> None:
    mentor, mentee = {"A": 4.0, "C": 3.0, "G": 4.5}, {"A": 2.0, "C": 3.5, "G": 1.5, "H": 1.0}
    assert pair_score(mentor, mentee) == pytest.approx((0.75 * 2 + 0 + 0.875 * 3) / 3)  # H is not shared
    assert pair_score({}, mentee) == 0.0


def test_a_mentor_leading_nowhere_is_no_pair() -> None:
    areas = pl.DataFrame({"school": ["X", "Y"], "round": ["r", "r"], "A": [3.0, 3.0]})
    schools = pl.DataFrame({"school_id": ["X", "Y"], "name": ["Ex", "Why"], "hub": ["H", "H"], "language": ["et", "et"]})
    got = pairing.pairs(areas, schools)
    assert got.select("mentor_school", "mentee_school").rows() == [(None, "Y")]


def test_zero_capacity_is_refused() -> None:
    with pytest.raises(ValueError, match="capacity"):
        pairing.pairs(*_inputs(), capacity=0)


def test_compute_reads_survey_answers_from_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(tmp_path, monkeypatch, min_cell_size=1)
    con = open_store(settings)
    con.execute("INSERT INTO countries VALUES ('EE', 'Estonia')")
    con.execute("INSERT INTO hubs VALUES ('h', 'Hub', 'EE')")
    for school, name in (("P1", "Strong"), ("P2", "Weak")):
        con.execute("INSERT INTO schools VALUES (?, ?, 'EE', 'h', 'primary', 10, 100, 'et')", [school, name])
    load(con, [answer("a", "A1", "5", school="P1"), answer("b", "A1", "1", school="P2")])
    marts = pairing.compute(Sources(con, settings, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)), settings)
    row = marts["pairing_suggestions"].row(0, named=True)
    assert (row["mentor_school"], row["mentee_school"], row["score"]) == ("P1", "P2", 4.0)  # (5 - 1) / 4 * (5 - 1)
    assert row["explanation"] == "Strong is strong in A Leadership (5.0) where Weak is weakest (1.0)."
