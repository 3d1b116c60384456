"""DigCompEdu competence marts from hand-made self-assessments."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lat.config import Settings
from lat.store import marts
from pipeline_fixtures import FIXTURES, assert_frame_matches, assessment, expected, load, load_case, open_store, registry, settings_for
from pipelines.core import compute


def test_levels_share_b1_plus_and_small_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Area 2 has competences 2.1-2.3. Lower median of (A2, B1, C1) = B1; of (A1, A2) = A1.
    statements = [
        *[assessment(t, "2.1", "B1") for t in ("t1", "t2", "t3")],
        assessment("t4", "2.1", "A2"),
        assessment("t4", "2.2", "B1"),
        assessment("t4", "2.3", "C1"),
        assessment("t5", "2.1", "A1"),
        assessment("t5", "2.2", "A2"),
        assessment("t5", "2.2", "C2", minutes=-30),  # older answer: the later A2 counts
        assessment("t1", "3.1", "C2"),  # area 3: one teacher, suppressed
    ]
    settings = settings_for(tmp_path, monkeypatch)
    con = open_store(settings)
    registry(con, {"S1": ("H1", "EE")})
    load(con, statements)
    con.close()
    compute.run(settings)
    area = marts.read("competence_area", settings).sort("area")
    assert area.select("area", "n", "share_b1_plus", "suppressed").rows() == [("2", 5, 0.8, False), ("3", 1, None, True)]
    assert area["mean_level"][0] == pytest.approx((3 + 3 + 3 + 3 + 1) / 5)
    levels = marts.read("competence_levels", settings).filter(area="2").sort("competence_level")
    assert levels["teachers_at_level"].to_list() == [1, 0, 4, 0, 0, 0]
    hub = marts.read("competence_hub", settings).filter(area="2").sort("weighting")
    # one school is no hub figure (LAT_MIN_SCHOOLS, default 3)
    assert hub.select("weighting", "schools", "n", "share_b1_plus", "suppressed_reason").rows() == [
        ("respondent", 1, 5, None, "few_schools"),
        ("school", 1, 5, None, "few_schools"),
    ]


# --- The readings issue 23 settled, on tests/fixtures/pipelines/competence/small-rounds. One hub,
# four schools, area 1 (each teacher self-assesses competence 1.1, so the area level is that
# answer), LAT_MIN_CELL_SIZE 3 and LAT_MIN_SCHOOLS 2. s1 has 3 teachers in 2025-autumn and 2 in
# 2026-spring (too few); s2 has 2 then 4; s3 has 3 in both; s4 has no self-assessments.

CASE = FIXTURES / "competence" / "small-rounds"


@pytest.fixture
def case_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = settings_for(tmp_path, monkeypatch, min_cell_size=3, min_schools=2)
    con = open_store(settings)
    load_case(con, CASE)
    con.close()
    compute.run(settings)
    return settings


def _want(name: str) -> pl.DataFrame:
    return expected(CASE / name).with_columns(pl.col("area").cast(pl.String))


def test_area_cells(case_settings: Settings) -> None:
    assert_frame_matches(marts.read("competence_area", case_settings), _want("area.csv"), keys=["school", "round"])


def test_progress_shows_each_rounds_own_figure_and_withholds_the_change(case_settings: Settings) -> None:
    """Each round's figure is the one competence_area shows for that cell (s1's autumn beside its
    withheld spring, s2's spring beside its withheld autumn); the change is empty when either is withheld."""
    assert_frame_matches(marts.read("competence_progress", case_settings), _want("progress.csv"), keys=["school"])


def test_levels_has_six_rows_per_cell_and_no_teachers_column(case_settings: Settings) -> None:
    """Six rows per cell, A1..C2, zeros included (withheld cells too); teachers_at_level, since
    teachers is the registry's head count."""
    levels = marts.read("competence_levels", case_settings)
    assert "teachers" not in levels.columns
    assert levels.group_by("school", "round", "area").len()["len"].to_list() == [6] * 6
    assert_frame_matches(levels.filter(pl.col("school") == "s1"), _want("levels-s1.csv"), keys=["round", "competence_level"])


def test_hub_n_and_schools_excluded_under_both_weightings(case_settings: Settings) -> None:
    """Under both weightings n counts the teachers of the school cells with figures only;
    schools_excluded counts the suppressed cells (s4, without a cell, is not one)."""
    assert_frame_matches(marts.read("competence_hub", case_settings), _want("hub.csv"), keys=["round", "weighting"])
