"""The competence definitions issue 23 settled, on tests/fixtures/pipelines/competence/small-rounds.

One hub, four schools, area 1 (each teacher self-assesses competence 1.1, so the area level is
that answer), LAT_MIN_CELL_SIZE 3 and LAT_MIN_SCHOOLS 2. s1 has 3 teachers in 2025-autumn
and 2 in 2026-spring (too few); s2 has 2 then 4; s3 has 3 in both; s4 has no self-assessments.

- competence_progress: each round's figure is the one competence_area shows for that cell
  (s1's autumn figures are shown beside its withheld spring); the change is empty when either
  round is suppressed.
- competence_levels: six rows per cell, A1..C2, zeros included; ``teachers_at_level`` (not
  ``teachers``, the registry's head count).
- competence_hub: under both weightings ``n`` counts the teachers of the school cells with
  figures only; ``schools_excluded`` counts the suppressed cells (s4, without a cell, is not one).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lat.config import Settings
from lat.store import marts
from pipelines.core import compute
from tests.pipeline_fixtures import FIXTURES, assert_frame_matches, expected, load_case, open_store, settings_for

CASE = FIXTURES / "competence" / "small-rounds"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = settings_for(tmp_path, monkeypatch, min_cell_size=3, min_schools=2)
    con = open_store(settings)
    load_case(con, CASE)
    con.close()
    compute.run(settings)
    return settings


def _want(name: str) -> pl.DataFrame:
    return expected(CASE / name).with_columns(pl.col("area").cast(pl.String))


def test_area_cells(settings: Settings) -> None:
    assert_frame_matches(marts.read("competence_area", settings), _want("area.csv"), keys=["school", "round"])


def test_progress_shows_each_rounds_own_figure_and_withholds_the_change(settings: Settings) -> None:
    assert_frame_matches(marts.read("competence_progress", settings), _want("progress.csv"), keys=["school"])


def test_levels_has_six_rows_per_cell_and_no_teachers_column(settings: Settings) -> None:
    levels = marts.read("competence_levels", settings)
    assert "teachers" not in levels.columns
    assert levels.group_by("school", "round", "area").len()["len"].to_list() == [6] * 6
    assert_frame_matches(levels.filter(pl.col("school") == "s1"), _want("levels-s1.csv"), keys=["round", "competence_level"])


def test_hub_n_and_schools_excluded_under_both_weightings(settings: Settings) -> None:
    assert_frame_matches(marts.read("competence_hub", settings), _want("hub.csv"), keys=["round", "weighting"])
