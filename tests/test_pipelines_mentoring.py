"""Mentoring progress, the stall rule and the stall model, on a hand-made mentoring log.

The scenario (tests/fixtures/pipelines/mentoring/basic, built by hand):

* s1 (4 teachers; t1, t2, t3 mapped): meeting m1 on 2025-01-10 (t1, t2, leader l1, mentor),
  m2 on 2025-02-12 (t1; t3's attendance is voided), goals g1 and g2 set in February, g1
  achieved on 2025-04-01, steps p1-p3 planned, p1 done and p4 done unannounced in March,
  one lesson observation on 2025-03-10. Mentoring 2025-01-06 .. 2025-06-30.
* s2 (10 teachers, none mapped): its only meeting is voided. Open-ended from 2025-01-06.
* s3 (one teacher mapped): nothing logged. Mentoring 2025-03-01 .. 2025-08-31.
* s4 is not mentored (its meeting counts nowhere); an LMS statement on 2025-05-15 is the
  store's latest (the default "today").
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from pipelines.core.source import Sources
from pipelines.mentoring import family, meetings, outcome, progress, stall_model, stalled
from tests.pipeline_fixtures import FIXTURES, assert_frame_matches, expected, load_case, open_store, settings_for

CASE = FIXTURES / "mentoring" / "basic"
D = dt.date


@pytest.fixture
def sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sources:
    settings = settings_for(tmp_path, monkeypatch)
    con = open_store(settings)
    load_case(con, CASE)
    return Sources(con, settings, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def _inputs(sources: Sources) -> tuple[pl.LazyFrame, ...]:
    statements = sources.statements(family.EVENT_COLUMNS)
    return statements, sources.table("schools"), sources.table("people"), sources.table("mentoring")


def _progress(sources: Sources, as_of: dt.date) -> pl.DataFrame:
    return progress.progress(*_inputs(sources), as_of).collect()


def test_progress_counts_meetings_teachers_goals_steps_and_phase(sources: Sources) -> None:
    assert_frame_matches(_progress(sources, D(2025, 3, 31)), expected(CASE / "progress-2025-03-31.csv"), keys=["school"])


def test_as_of_before_any_contact_lists_started_mentoring_only(sources: Sources) -> None:
    got = _progress(sources, D(2025, 1, 8))
    assert got["school"].to_list() == ["s1", "s2"]  # s3 starts in March
    assert_frame_matches(got, expected(CASE / "progress-2025-01-08.csv"), keys=["school"])


def test_goal_achieved_counts_from_its_day(sources: Sources) -> None:
    got = _progress(sources, D(2025, 4, 1)).filter(pl.col("school") == "s1")
    assert got.select("goals_achieved", "last_contact", "days_since_contact").row(0) == (1, D(2025, 4, 1), 0)


def test_stall_rule_codes_and_reasons(sources: Sources) -> None:
    dates = [D(2025, 1, 8), D(2025, 3, 31), D(2025, 5, 15), D(2025, 7, 15)]
    series = family.progress_series(*_inputs(sources), dates)
    got = stalled.stall_status(series, stalled_days=30).collect()
    want = expected(CASE / "stall.csv").with_columns(pl.col("stalled").cast(pl.Boolean))
    assert_frame_matches(got, want, keys=["as_of", "school"])


def test_a_longer_limit_clears_no_contact(sources: Sources) -> None:
    got = stalled.stall_status(progress.progress(*_inputs(sources), D(2025, 5, 15)), stalled_days=45).collect()
    assert got.filter(pl.col("school") == "s1")["status"].item() == "on_track"  # 44 days < 45
    assert got.filter(pl.col("school") == "s3")["stall_code"].item() == "never_contacted"  # 75 days >= 45


def test_meetings_per_month_include_zero_months(sources: Sources) -> None:
    statements, _, _, pairs = _inputs(sources)
    got = meetings.meetings_monthly(statements, pairs, D(2025, 3, 31)).collect()
    want = expected(CASE / "meetings-monthly.csv").with_columns(pl.col("month").str.to_date())
    assert_frame_matches(got, want, keys=["school", "month"])


def test_default_today_is_the_latest_statement_and_snapshots_are_month_ends(sources: Sources) -> None:
    today = family.latest_day(sources)
    assert today == D(2025, 5, 15)
    statements, _, _, pairs = _inputs(sources)
    assert family.snapshot_dates(statements, pairs, today) == [D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 31), D(2025, 4, 30), D(2025, 5, 15)]


def test_empty_log_gives_rows_of_zeros() -> None:
    statements = pl.LazyFrame(schema={c: pl.String for c in family.EVENT_COLUMNS} | {"timestamp": pl.Datetime("us", "UTC")})
    schools = pl.LazyFrame({"school_id": ["a"], "name": ["A"], "hub": ["h"], "teachers": [0]})
    people = pl.LazyFrame(schema={"person_id": pl.String, "school": pl.String, "role": pl.String, "actor": pl.String})
    pairs = pl.LazyFrame({"mentor": ["m"], "mentee_school": ["a"], "start": [D(2025, 1, 1)], "end": [None]}, schema_overrides={"end": pl.Date})
    row = progress.progress(statements, schools, people, pairs, D(2025, 1, 31)).collect().row(0, named=True)
    assert (row["meetings"], row["teacher_share"], row["steps_share"], row["last_contact"], row["phase_reached"]) == (0, None, None, None, None)
    assert family.snapshot_dates(statements, pairs, D(2025, 3, 10)) == [D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 10)]


def _model_table(stalls: list[int]) -> pl.DataFrame:
    """Schools whose meetings in the first 8 weeks fall as their stalling rises."""
    rows = []
    for i, label in enumerate(stalls):
        rows.append({"school": f"s{i}", **{f: 0.0 for f in stall_model.FEATURES}, "meetings": float(4 - 3 * label + i % 2), "stalled_later": label})
    return pl.DataFrame(rows)


def test_stall_model_reports_cross_validated_score_and_signed_coefficients() -> None:
    table = _model_table([0, 1] * 5)
    marts = stall_model.fit(table, table)
    summary = marts["stall_model"].row(0, named=True)
    assert summary["folds"] == 5 and summary["schools"] == 10 and summary["stalled_schools"] == 5
    assert summary["cv_mean"] == pytest.approx(1.0)  # meetings separate the classes perfectly
    coef = dict(marts["stall_model_coefficients"].select("feature", "coefficient").iter_rows())
    assert coef["meetings"] < 0  # more early meetings, less risk
    assert coef["observations"] == 0.0  # a constant feature carries no weight
    risk = dict(marts["stall_risk"].iter_rows())
    assert risk["s1"] > 0.5 > risk["s0"]


def test_stall_model_refuses_with_too_few_stalled_schools() -> None:
    table = _model_table([0, 0, 0, 1])
    marts = stall_model.fit(table, table)
    row = marts["stall_model"].row(0, named=True)
    assert row["cv_mean"] is None and row["status"].startswith("not fitted: 4 labelled schools, 1 stalled")
    assert marts["stall_risk"].is_empty()


def test_early_features_of_the_fixture(sources: Sources) -> None:
    statements, schools, people, pairs = _inputs(sources)
    got = stall_model.early_features(statements, schools, people, pairs).collect().sort("school")
    s1 = got.row(0, named=True)  # first 8 weeks: 2025-01-06 .. 2025-03-02
    assert (s1["meetings"], s1["teacher_share"], s1["goals_set"], s1["steps_planned"], s1["steps_completed"]) == (2, 0.5, 2, 3, 0)
    assert (s1["days_to_first_contact"], s1["phase_index"]) == (4, 3)
    s2 = got.row(1, named=True)
    assert (s2["meetings"], s2["days_to_first_contact"], s2["phase_index"]) == (0, 56, 0)


def test_outcome_compares_maturity_change_of_mentored_and_other_schools() -> None:
    # spring started before autumn (round_order), though its label sorts after it
    order = {"2025-spring": 0, "2025-autumn": 1}
    area_scores = pl.LazyFrame(
        [("a", "2025-spring", "A", 2.0), ("a", "2025-spring", "B", 3.0), ("a", "2025-autumn", "A", 3.0), ("a", "2025-autumn", "B", 3.5),
         ("b", "2025-autumn", "A", 3.2), ("b", "2025-spring", "A", 3.0), ("c", "2025-autumn", "A", 4.0),
         ("d", "2025-spring", "A", 2.0), ("d", "2025-autumn", "A", 2.5)],
        schema=["school", "round", "area", "score"], orient="row",
    ).with_columns(pl.col("round").replace_strict(order).alias("round_order"))  # fmt: skip
    schools = pl.LazyFrame({"school_id": ["a", "b", "c", "d"], "name": ["A", "B", "C", "D"], "hub": ["h1", "h1", "h1", "h2"]})
    pairs = pl.LazyFrame({"mentor": ["m", "m"], "mentee_school": ["a", "d"]})
    per_school = outcome.outcome(outcome.maturity_change(area_scores), pairs, schools).collect()
    got = per_school.select("school", "mentored", "first_round", "latest_round", "first_score", "latest_score", "change").rows()
    assert got == [
        ("a", True, "2025-spring", "2025-autumn", 2.5, 3.25, 0.75),
        ("b", False, "2025-spring", "2025-autumn", 3.0, 3.2, pytest.approx(0.2)),
        ("c", False, "2025-autumn", "2025-autumn", 4.0, 4.0, None),  # one round: no change
        ("d", True, "2025-spring", "2025-autumn", 2.0, 2.5, 0.5),
    ]
    summary = outcome.outcome_summary(per_school.lazy(), 1).collect()
    assert summary.rows() == [
        ("h1", True, 1, 0.75, pytest.approx(0.55), False, None),
        ("h1", False, 1, pytest.approx(0.2), None, False, None),
        ("h2", True, 1, 0.5, None, False, None),  # no school of h2 outside mentoring to compare with
    ]
    withheld = outcome.outcome_summary(per_school.lazy(), 3).collect()
    assert withheld.select("mean_change", "difference", "suppressed_reason").rows() == [(None, None, "few_schools")] * 3
