"""Maturity marts from hand-made xAPI fixtures, through the store and `lat compute`'s orchestrator."""

from __future__ import annotations

from pathlib import Path

import pytest

from lat.store import marts
from pipeline_fixtures import FIXTURES, answer, assert_frame_matches, expected, load, open_store, read_ndjson, settings_for
from pipelines.core import compute

KEYS = {
    "maturity_area": ["group"],
    "maturity_item": ["group", "item"],
    "maturity_gaps": ["pair"],
    "maturity_strengths": ["group", "kind", "rank"],
    "maturity_alpha": ["group"],
}


@pytest.mark.parametrize("mart", sorted(KEYS))
def test_basic_case_matches_hand_computed_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mart: str) -> None:
    """Not applicable, prefer not to say, a voided answer, a re-answered item, a tiny group."""
    case = FIXTURES / "maturity" / "basic"
    settings = settings_for(tmp_path, monkeypatch)
    con = open_store(settings)
    load(con, read_ndjson(case / "input.ndjson"))
    con.close()
    compute.run(settings)
    assert_frame_matches(marts.read(mart, settings), expected(case / f"{mart}.csv"), keys=KEYS[mart])


def test_suppressed_cells_carry_no_figures_in_any_school_mart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(tmp_path, monkeypatch, min_cell_size=3)
    con = open_store(settings)
    load(con, [answer(f"s{i}", "B1", str(1 + i % 5), group="student") for i in range(2)] + [answer(f"t{i}", "B1", "4", group="teacher") for i in range(3)])
    con.close()
    compute.run(settings)
    area = marts.read("maturity_area", settings).sort("group")
    assert area.select("group", "n", "mean", "suppressed").rows() == [("student", 2, None, True), ("teacher", 3, 4.0, False)]
    gaps = marts.read("maturity_gaps", settings)
    assert gaps.select("pair", "gap", "suppressed").rows() == [("teacher-student", None, True)]


def test_marts_are_also_tables_in_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(tmp_path, monkeypatch)
    con = open_store(settings)
    load(con, read_ndjson(FIXTURES / "maturity" / "basic" / "input.ndjson"))
    con.close()
    compute.run(settings)
    con = open_store(settings)
    rows = con.execute('SELECT "group", n, mean FROM mart_maturity_area ORDER BY "group"').fetchall()
    con.close()
    assert rows == [("leader", 2, None), ("teacher", 6, pytest.approx(3.3))]
