"""The activity definitions issue 23 settled, on tests/fixtures/pipelines/activity/definitions.

b1 registers 4 teachers and 10 students, b2 2 teachers and no students. In the week of
2025-03-03 four teachers are active at b1: ta (Moodle, LMS category), tsha (an H5P tool with no
LMS category, actor by mbox_sha1sum), topenid (actor by openid) and tb, whom the registry
places at b2 but whose statement names b1; an unregistered actor completes a lesson at b1;
ta's statement naming the unknown school zz counts nowhere. Nothing happens until ta at b1
in the week of 03-31 and tb at b2 (through the registry) in the week of 04-07.

Rows: both registry schools for each of the six weeks from 03-03 to 04-07, zeros included,
no row for zz. The 4-week change of 03-31 compares with 03-03 (1.0 -> 0.25: -0.75); that
of 04-07 with 03-10, a week without activity (share 0).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from pipelines.activity.family import compute
from pipelines.core.source import Sources
from tests.pipeline_fixtures import FIXTURES, assert_frame_matches, expected, load_case, open_store, settings_for

CASE = FIXTURES / "activity" / "definitions"


@pytest.fixture
def marts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, pl.DataFrame]:
    settings = settings_for(tmp_path, monkeypatch, min_cell_size=5)
    con = open_store(settings)
    load_case(con, CASE)
    sources = Sources(con, settings, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    return {name: frame.collect() for name, frame in compute(sources, settings).items()}


def test_weekly_rows_activity_statements_and_four_week_change(marts: dict[str, pl.DataFrame]) -> None:
    want = expected(CASE / "weekly.csv").with_columns(pl.col("week").str.to_date(), pl.col("students_suppressed").cast(pl.Boolean))
    assert_frame_matches(marts["activity_weekly"], want, keys=["school", "week"])


def test_tools_of_registry_schools_and_the_list_separator(marts: dict[str, pl.DataFrame]) -> None:
    want = expected(CASE / "tools-monthly.csv").with_columns(pl.col("month").str.to_date())
    assert_frame_matches(marts["activity_tools_monthly"], want, keys=["school", "month"])
