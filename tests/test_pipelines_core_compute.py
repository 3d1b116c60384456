"""The orchestrator: an incremental update equals a full recompute, and falls back when unsound."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lat.store import marts
from pipeline_fixtures import FIXTURES, answer, load, load_case, open_store, registry, settings_for, voiding
from pipelines.core import compute, tables

SCHOOLS = {"S1": ("H1", "EE"), "S2": ("H1", "EE"), "S3": ("H2", "EE")}


def _round(school: str, round: str, shift: int) -> list[dict]:
    return [
        answer(f"{school}-{round}-r{i}", item, str(1 + (i + shift + j) % 5), school=school, round=round, minutes=i)
        for i in range(6)
        for j, item in enumerate(("A1", "A2", "B1"))
    ]


def _snapshot(settings) -> dict[str, pl.DataFrame]:
    return {name: marts.read(name, settings) for name in marts.available(settings) if name.startswith("maturity")}


def test_incremental_update_equals_full_recompute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(tmp_path, monkeypatch)
    con = open_store(settings)
    registry(con, SCHOOLS)
    load(con, _round("S1", "R1", 0) + _round("S2", "R1", 1) + _round("S3", "R1", 2))
    con.close()
    first = compute.run(settings)
    assert first.mode == "full"

    con = open_store(settings)
    late = _round("S1", "R2", 3)
    load(con, late + [voiding(_round("S2", "R1", 1)[0]["id"])], source="later")
    con.close()
    update = compute.run(settings)
    assert update.mode == "incremental"
    assert update.partitions == 2  # (S1, R2) new and (S2, R1) through the voided answer; S3 untouched
    incremental = _snapshot(settings)
    tables = _table_frames(settings, tuple(incremental))  # the partition marts updated in place

    full = compute.run(settings, full=True)
    assert full.mode == "full"
    for name, frame in _snapshot(settings).items():
        cols = frame.columns
        assert_frame_equal(incremental[name].sort(cols[:6]), frame.sort(cols[:6]), check_row_order=False, abs_tol=1e-9)
    for name, frame in _table_frames(settings, tuple(incremental)).items():
        assert_frame_equal(tables[name], frame, abs_tol=1e-9)
        assert_frame_equal(tables[name], incremental[name].sort(frame.columns, nulls_last=True), abs_tol=1e-9)
    s2 = marts.read("maturity_area", settings).filter(school="S2", area="A")
    assert s2["n"].to_list() == [6]  # r0's A1 was voided but r0 still answered A2


def test_registry_change_forces_a_full_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(tmp_path, monkeypatch)
    con = open_store(settings)
    registry(con, {"S1": ("H1", "EE")})
    load(con, _round("S1", "R1", 0))
    con.close()
    compute.run(settings)
    con = open_store(settings)
    con.execute("INSERT INTO schools VALUES ('S9', 'New', 'EE', 'H1', 'primary', 10, 100, NULL)")
    con.close()
    again = compute.run(settings)
    assert (again.mode, again.reason) == ("full", "registry or families changed")


def _table_frames(settings, names: tuple[str, ...]) -> dict[str, pl.DataFrame]:
    """The store's mart_<name> tables as frames, sorted by every column."""
    con = open_store(settings)
    try:
        frames = {name: pl.from_arrow(con.sql(f'SELECT * FROM "mart_{name}"').to_arrow_table()) for name in names}
    finally:
        con.close()
    return {name: frame.sort(frame.columns, nulls_last=True) for name, frame in frames.items()}  # type: ignore[union-attr]


def test_an_update_rewrites_only_the_touched_partitions_of_partition_marts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(tmp_path, monkeypatch)
    con = open_store(settings)
    rows = {"school": ["S1", "S1", "S2"], "round": ["R1", "R2", "R1"], "n": [1, 2, 3]}
    tables.publish_tables(con, {"p": pl.DataFrame(rows), "whole": pl.DataFrame(rows)})
    con.execute("UPDATE mart_p SET n = 30 WHERE school = 'S2'")  # marks the row an in-place update must keep
    con.execute("UPDATE mart_whole SET n = 30 WHERE school = 'S2'")
    new = pl.DataFrame({"school": ["S1", "S2", "S3"], "round": ["R2", "R1", "R1"], "n": [20, 3, 4]})  # (S1, R1) gone
    touched = pl.DataFrame({"school": ["S1", "S1", "S3"], "round": ["R1", "R2", "R1"]})
    tables.publish_tables(con, {"p": new, "whole": new}, touched, {"p"})
    p = sorted(con.execute("SELECT * FROM mart_p").fetchall())
    whole = sorted(con.execute("SELECT * FROM mart_whole").fetchall())
    con.close()
    assert p == [("S1", "R2", 20), ("S2", "R1", 30), ("S3", "R1", 4)]  # touched rows replaced, (S2, R1) left alone
    assert whole == [("S1", "R2", 20), ("S2", "R1", 3), ("S3", "R1", 4)]  # not partition-keyed: replaced whole


def _mart_tables(settings, names: tuple[str, ...]) -> dict[str, list[tuple]]:
    """The rows of the store's mart_<name> tables, sorted."""
    con = open_store(settings)
    try:
        return {name: sorted(con.execute(f'SELECT * FROM "mart_{name}"').fetchall(), key=repr) for name in names}
    finally:
        con.close()


def test_an_update_keeps_the_marts_of_families_it_does_not_touch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = FIXTURES / "activity" / "basic"
    settings = settings_for(tmp_path, monkeypatch)
    con = open_store(settings)
    load_case(con, case)
    con.close()
    first = compute.run(settings)
    weekly = marts.read("activity_weekly", settings)

    con = open_store(settings)
    load(con, [answer("late", "A1", "4", school="a1")], source="later")  # a survey answer: no LMS activity
    con.close()
    update = compute.run(settings)
    assert update.mode == "incremental"
    assert update.reason.endswith("; kept activity, credentials, mentoring, registry")
    assert_frame_equal(marts.read("activity_weekly", settings), weekly)
    assert first.version is not None and update.version is not None
    carried = ("activity_weekly", "activity_tools_monthly", "registry_schools", "credentials_school", "mentoring_progress", "stall_model")
    for name in carried:  # the same file, hard-linked into the new version, not rewritten
        assert (update.version / f"{name}.parquet").stat().st_ino == (first.version / f"{name}.parquet").stat().st_ino
        assert update.rows[name] == first.rows[name]
    assert (update.version / "maturity_area.parquet").stat().st_ino != (first.version / "maturity_area.parquet").stat().st_ino
    incremental = {name: marts.read(name, settings) for name in marts.available(settings)}
    incremental_tables = _mart_tables(settings, carried)
    compute.run(settings, full=True)
    for name, frame in incremental.items():  # every mart, carried or recomputed, as a full run makes it
        assert_frame_equal(frame, marts.read(name, settings), check_row_order=False)
    assert incremental_tables == _mart_tables(settings, carried)

    con = open_store(settings)
    load(con, [voiding("ac000000-0000-4000-8000-000000000001")], source="later")  # ta1's page view in the week of 03-03
    con.close()
    again = compute.run(settings)
    assert (again.mode, "kept" in again.reason) == ("incremental", False)
    recomputed = marts.read("activity_weekly", settings)
    compute.run(settings, full=True)
    assert_frame_equal(recomputed, marts.read("activity_weekly", settings))
    assert not recomputed.equals(weekly)  # one teacher fewer in that week


def _all_marts(settings) -> dict[str, pl.DataFrame]:
    return {name: marts.read(name, settings) for name in marts.available(settings)}


def test_survey_answers_keep_the_mentoring_progress_until_they_move_today(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = FIXTURES / "mentoring" / "basic"  # mentoring statements up to 2025-05-15 ("today")
    settings = settings_for(tmp_path, monkeypatch)
    con = open_store(settings)
    load_case(con, case)
    con.close()
    first = compute.run(settings)
    assert first.version is not None

    con = open_store(settings)
    load(con, [answer("early", "A1", "4", school="s2")], source="later")  # 2025-03-01: today stays 2025-05-15
    con.close()
    update = compute.run(settings)
    assert update.mode == "incremental" and "mentoring" in update.reason.split("; kept ")[1].split(", ")
    assert update.version is not None
    same = (update.version / "mentoring_progress.parquet").stat().st_ino == (first.version / "mentoring_progress.parquet").stat().st_ino
    assert same  # carried over; the outcome family (survey answers) recomputed
    assert (update.version / "mentoring_outcome.parquet").stat().st_ino != (first.version / "mentoring_outcome.parquet").stat().st_ino

    con = open_store(settings)
    load(con, [answer("late", "A1", "4", school="s2", minutes=90 * 24 * 60)], source="later")  # 2025-05-30
    con.close()
    moved = compute.run(settings)
    assert moved.mode == "incremental" and "mentoring" not in moved.reason.split("; kept ")[1].split(", ")
    progress = marts.read("mentoring_progress", settings)
    assert progress["as_of"].max().isoformat() == "2025-05-30"
    incremental = _all_marts(settings)
    compute.run(settings, full=True)
    for name, frame in _all_marts(settings).items():
        assert_frame_equal(incremental[name], frame, check_row_order=False)
