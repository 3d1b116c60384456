"""One round order for the whole product: rounds by when they started, never by label.

Labels that sort the wrong way: 2025-spring started first, then 2025-autumn (which sorts
before it), then 2026-spring. S1 answers in all three rounds, S2 in the first two.
Every mart that names a first, previous or latest round is checked against hand-made
expectations.
"""

from __future__ import annotations

import polars as pl
import pytest

from lat.store import marts
from pipeline_fixtures import answer, assessment, load, open_store, registry, settings_for
from pipelines.core import compute

ROUNDS = {"2025-spring": 0, "2025-autumn": 100_000, "2026-spring": 200_000}  # minutes after T0
SCORES = {"S1": {"2025-spring": "2", "2025-autumn": "3", "2026-spring": "4"}, "S2": {"2025-spring": "5", "2025-autumn": "1"}}
LEVELS = {"2025-spring": "A1", "2025-autumn": "B1", "2026-spring": "C1"}  # S1's two teachers' self-assessed level of competence 2.1


def _statements() -> list[dict]:
    out = []
    for school, rounds in SCORES.items():
        for round_label, score in rounds.items():
            at = ROUNDS[round_label]
            out += [answer(f"{school}-{round_label}-t{i}", "A1", score, school=school, round=round_label, minutes=at + i) for i in (1, 2)]
    for round_label, level in LEVELS.items():
        out += [assessment(f"t{i}", "2.1", level, round=round_label, minutes=ROUNDS[round_label] + 10 + i) for i in (1, 2)]
    return out


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = settings_for(tmp_path_factory.mktemp("rounds"), monkeypatch, min_cell_size=2, min_schools=1)
        con = open_store(settings)
        registry(con, {"S1": ("H1", "EE"), "S2": ("H1", "EE")})
        con.execute("UPDATE schools SET language = 'et'")
        load(con, _statements())
        con.close()
        compute.run(settings)
        return {name: marts.read(name, settings) for name in marts.available(settings)}


def test_the_rounds_mart_orders_rounds_by_their_start(published: dict[str, pl.DataFrame]) -> None:
    rounds = published["rounds"].sort("round_order")
    assert rounds.select("round", "round_order").rows() == [("2025-spring", 0), ("2025-autumn", 1), ("2026-spring", 2)]


def test_maturity_progress_compares_with_the_round_before_in_time(published: dict[str, pl.DataFrame]) -> None:
    rows = published["maturity_progress"].sort("school", "round").select("school", "round", "previous_round", "change").rows()
    assert sorted(rows) == [
        ("S1", "2025-autumn", "2025-spring", 1.0),
        ("S1", "2026-spring", "2025-autumn", 1.0),
        ("S2", "2025-autumn", "2025-spring", -4.0),
    ]


def test_competence_progress_compares_with_the_round_before_in_time(published: dict[str, pl.DataFrame]) -> None:
    rows = published["competence_progress"].select("round", "previous_round", "mean_level_previous", "mean_level").sort("round").rows()
    # A1 = 1, B1 = 3, C1 = 5
    assert sorted(rows) == [("2025-autumn", "2025-spring", 1.0, 3.0), ("2026-spring", "2025-autumn", 3.0, 5.0)]


def test_mentoring_outcome_takes_the_first_and_the_latest_round_in_time(published: dict[str, pl.DataFrame]) -> None:
    rows = published["mentoring_outcome"].sort("school").select("school", "first_round", "latest_round", "first_score", "latest_score", "change").rows()
    assert rows == [("S1", "2025-spring", "2026-spring", 2.0, 4.0, 2.0), ("S2", "2025-spring", "2025-autumn", 5.0, 1.0, -4.0)]


def test_profiles_and_pairing_read_each_school_s_latest_round_in_time(published: dict[str, pl.DataFrame]) -> None:
    assert published["school_profiles"].sort("school").select("school", "round").rows() == [("S1", "2026-spring"), ("S2", "2025-autumn")]
    pair = published["pairing_suggestions"].row(0, named=True)
    # S2's latest round is 2025-autumn (1.0), not 2025-spring (5.0): S1 (4.0) mentors S2
    assert (pair["mentor_school"], pair["mentee_school"], pair["mentor_score"], pair["mentee_score"]) == ("S1", "S2", 4.0, 1.0)
