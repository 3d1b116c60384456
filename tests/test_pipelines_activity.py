"""Activity indicators on a hand-made Moodle-shaped log (tests/fixtures/pipelines/activity/basic).

a1 has 4 teachers and 10 students registered: in the week of 2025-03-03 two teachers and
five students are active (one quiz completed; a survey answer does not count); in the week
of 03-10 one teacher and two students (too few students: withheld; a mentoring meeting and
a voided forum view do not count); nothing in the next two weeks; in the week of 03-31 two
teachers and six students (one completion flag). a2 registers no teachers or students but
one of its mapped teachers is active; a3 is quiet.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from pipeline_fixtures import FIXTURES, assert_frame_matches, case_marts, expected, load_case, open_store, settings_for
from pipelines.activity.family import ACTIVITY_COLUMNS, activity_statements, compute
from pipelines.activity.tools import tools_monthly
from pipelines.activity.weekly import weekly
from pipelines.core.source import Sources

CASE = FIXTURES / "activity" / "basic"


@pytest.fixture
def sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sources:
    settings = settings_for(tmp_path, monkeypatch)
    con = open_store(settings)
    load_case(con, CASE)  # Moodle statements carry no school: the registry attributes them
    return Sources(con, settings, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def _activity(sources: Sources) -> pl.LazyFrame:
    return activity_statements(sources.statements(ACTIVITY_COLUMNS))


def test_weekly_active_shares_suppression_and_trend(sources: Sources) -> None:
    got = weekly(_activity(sources), sources.table("people"), sources.table("schools"), min_cell_size=5).collect()
    want = expected(CASE / "weekly.csv").with_columns(pl.col("week").str.to_date(), pl.col("students_suppressed").cast(pl.Boolean))
    assert_frame_matches(got, want, keys=["school", "week"])


def test_a_smaller_cell_size_shows_the_two_students(sources: Sources) -> None:
    got = weekly(_activity(sources), sources.table("people"), sources.table("schools"), min_cell_size=2).collect()
    row = got.filter((pl.col("school") == "a1") & (pl.col("week") == dt.date(2025, 3, 10))).row(0, named=True)
    assert (row["active_students"], row["student_share"], row["students_suppressed"]) == (2, 0.2, False)


def test_tools_in_use_per_month(sources: Sources) -> None:
    got = tools_monthly(_activity(sources), sources.table("schools")).collect()
    want = expected(CASE / "tools-monthly.csv").with_columns(pl.col("month").str.to_date())
    assert_frame_matches(got, want, keys=["school", "month"])


def test_compute_returns_both_marts_with_catalogue_columns(sources: Sources) -> None:
    from pipelines.core.catalogue import MARTS

    marts = {name: frame.collect() for name, frame in compute(sources, sources.settings).items()}
    assert set(marts) == {"activity_weekly", "activity_tools_monthly"}
    for name, frame in marts.items():
        assert set(frame.columns) == set(MARTS[name].columns)
    assert marts["activity_weekly"].height == 15  # 3 schools x 5 weeks


def test_compute_aggregating_in_duckdb_equals_the_polars_reading(sources: Sources) -> None:
    people, schools = sources.table("people"), sources.table("schools")
    marts = {name: frame.collect() for name, frame in compute(sources, sources.settings).items()}
    by_week = weekly(_activity(sources), people, schools, sources.settings.min_cell_size).collect()
    in_use = tools_monthly(_activity(sources), sources.table("schools")).collect()
    assert marts["activity_weekly"].sort("school", "week").equals(by_week.sort("school", "week"))
    assert marts["activity_tools_monthly"].equals(in_use)


# --- The readings issue 23 settled, on tests/fixtures/pipelines/activity/definitions.
# b1 registers 4 teachers and 10 students, b2 2 teachers and no students. In the week of
# 2025-03-03 four teachers are active at b1: ta (Moodle, LMS category), tsha (an H5P tool with no
# LMS category, actor by mbox_sha1sum), topenid (actor by openid) and tb, whom the registry
# places at b2 but whose statement names b1; an unregistered actor completes a lesson at b1;
# ta's statement naming the unknown school zz counts nowhere. Nothing happens until ta at b1
# in the week of 03-31 and tb at b2 (through the registry) in the week of 04-07.
#
# Rows: both registry schools for each of the six weeks from 03-03 to 04-07, zeros included,
# no row for zz. The 4-week change of 03-31 compares with 03-03 (1.0 -> 0.25: -0.75); that
# of 04-07 with 03-10, a week without activity (share 0).

DEFINITIONS = FIXTURES / "activity" / "definitions"


@pytest.fixture
def definitions_marts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, pl.DataFrame]:
    return case_marts(tmp_path, monkeypatch, DEFINITIONS, compute, min_cell_size=5)


def test_weekly_rows_activity_statements_and_four_week_change(definitions_marts: dict[str, pl.DataFrame]) -> None:
    want = expected(DEFINITIONS / "weekly.csv").with_columns(pl.col("week").str.to_date(), pl.col("students_suppressed").cast(pl.Boolean))
    assert_frame_matches(definitions_marts["activity_weekly"], want, keys=["school", "week"])


def test_tools_of_registry_schools_and_the_list_separator(definitions_marts: dict[str, pl.DataFrame]) -> None:
    want = expected(DEFINITIONS / "tools-monthly.csv").with_columns(pl.col("month").str.to_date())
    assert_frame_matches(definitions_marts["activity_tools_monthly"], want, keys=["school", "month"])
