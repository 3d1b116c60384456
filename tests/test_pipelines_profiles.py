"""School area scores from survey answers, and maturity profiles (k-means, silhouette, words)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from lat.config import Settings
from pipelines.core.rounds import round_order
from pipelines.core.source import Sources
from pipelines.maturity import family as maturity
from pipelines.profiles import area_scores, clustering
from pipelines.profiles import family as profiles
from tests.pipeline_fixtures import FIXTURES, answer, assert_frame_matches, expected, load, open_store, registry, settings_for, voiding

CASE = FIXTURES / "profiles" / "two-groups"


def _answers() -> list[dict]:
    """School P1: 5 teachers and 2 leaders answer A1; 3 teachers answer C1 (too few)."""
    out = [answer(f"r{i}", "A1", "4", school="P1") for i in range(1, 6)]
    out.append(answer("r1", "A1", "5", school="P1", minutes=30))  # r1 changes their answer: the latest counts
    out += [answer(f"l{i}", "A1", "2", school="P1", group="leader") for i in (1, 2)]
    out.append(answer("r6", "A1", "na", school="P1"))  # not a score, not a respondent
    voided = answer("l3", "A1", "5", school="P1", group="leader")
    out += [voided, voiding(voided["id"])]
    out += [answer(f"r{i}", "C1", "3", school="P1") for i in range(1, 4)]
    return out


def _scores(sources: Sources, settings: Settings, min_cell_size: int) -> pl.DataFrame:
    states = {name: frame.collect() for name, frame in maturity.state(sources, settings.model_copy(update={"min_cell_size": min_cell_size})).items()}
    return area_scores.school_area_scores(states["maturity_area_state"].lazy(), round_order(states), min_cell_size).collect()


def test_area_score_is_the_mean_of_group_means_with_suppressed_cells_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(tmp_path, monkeypatch)
    con = open_store(settings)
    registry(con, {"P1": ("h", "EE")})
    load(con, _answers())
    sources = Sources(con, settings, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    got = _scores(sources, settings, 5)
    # teachers (5 + 4 * 4) / 5 = 4.2; the 2 leaders' cell is suppressed and left out; C has 3 respondents -> left out
    assert got.select("school", "round", "area", "score", "respondents").rows() == [("P1", "2025-spring", "A", pytest.approx(4.2), 5)]
    looser = _scores(Sources(con, settings, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)), settings, 3)
    assert looser.filter(pl.col("area") == "C").select("score", "respondents").row(0) == (3.0, 3)
    assert looser.filter(pl.col("area") == "A")["score"].item() == pytest.approx(4.2)  # 2 leaders are still too few


def test_profiles_read_the_latest_round_by_time_not_by_label() -> None:
    scores = pl.DataFrame(
        {"school": ["S1", "S1"], "round": ["2025-spring", "2025-autumn"], "round_order": [0, 1], "area": ["A", "A"], "score": [2.0, 4.0], "respondents": [5, 5]}
    )
    assert area_scores.latest_round_matrix(scores).rows() == [("S1", "2025-autumn", 4.0)]


def _matrix() -> pl.DataFrame:
    return expected(CASE / "areas.csv")


def test_two_separated_groups_make_two_profiles_described_in_words() -> None:
    marts = profiles.profiles_from_matrix(_matrix())
    selection = marts["profile_selection"]
    assert selection["k"].to_list() == [2, 3, 4, 5]  # k = 2..6, at most n - 1
    assert selection.filter(pl.col("chosen"))["k"].to_list() == [2]
    assert selection.sort("silhouette", descending=True)["k"][0] == 2
    assert_frame_matches(marts["maturity_profiles"], expected(CASE / "profiles.csv"), keys=["profile"])
    assert_frame_matches(marts["school_profiles"], expected(CASE / "school-profiles.csv"), keys=["school"])
    centres = marts["maturity_profile_centres"].filter(pl.col("profile") == 1)
    assert centres["centre"].to_list() == pytest.approx([4.0, 4.6, 3.0])
    assert centres["area_name"].to_list() == ["Leadership", "Infrastructure and equipment", "Assessment practices"]


def test_the_same_data_gives_the_same_profiles() -> None:
    first, second = profiles.profiles_from_matrix(_matrix()), profiles.profiles_from_matrix(_matrix().reverse())
    assert first["school_profiles"].equals(second["school_profiles"])


def test_a_missing_area_takes_the_mean_of_the_other_schools() -> None:
    matrix = _matrix().with_columns(pl.when(pl.col("school") == "S4").then(None).otherwise(pl.col("G")).alias("G"))
    filled = clustering.fill_missing(matrix, ["A", "C", "G"])
    assert filled.filter(pl.col("school") == "S4")["G"].item() == pytest.approx((3.0 + 3.1 + 2.9 + 2.0 + 1.8) / 5)


def test_two_schools_are_one_profile_without_a_silhouette() -> None:
    marts = profiles.profiles_from_matrix(_matrix().head(2))
    assert marts["profile_selection"].is_empty()
    assert marts["maturity_profiles"].select("profile", "schools").rows() == [(1, 2)]


def test_no_scores_give_empty_tables() -> None:
    empty = pl.DataFrame(schema={"school": pl.String, "round": pl.String, "area": pl.String, "score": pl.Float64})
    marts = profiles.profiles(empty)
    assert all(frame.is_empty() for frame in marts.values())


def test_profiles_of_too_few_schools_are_withheld() -> None:
    marts = profiles.withhold_small(profiles.profiles_from_matrix(_matrix()), min_schools=4)
    got = marts["maturity_profiles"].select("profile", "label", "description", "overall_score", "suppressed", "suppressed_reason").rows()
    # the label would name the strong and weak areas of the profile's schools: withheld too
    assert got[1] == (2, "Profile 2", "Withheld: fewer than 4 schools.", None, True, "few_schools")
    assert marts["maturity_profile_centres"]["centre"].null_count() == 6  # 2 profiles x 3 areas
    shown = profiles.withhold_small(profiles.profiles_from_matrix(_matrix()), min_schools=3)
    assert not shown["maturity_profiles"]["suppressed"].any()
