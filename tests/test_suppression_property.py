"""The suppression rule holds before any derivation: changing the answers inside suppressed
cells changes no published mart, no figure and no text (scores, profiles, pairing, outcomes,
roll-ups, explanations), byte for byte.

The data: seven schools in two hubs, two rounds whose labels sort against their time order.
Suppressed cells: every school's leaders (3 respondents), the students of S6 and S7 (3), and
the teachers' item C2 (2 of 6 teachers score it; the teachers' area C stays shown).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from lat.config import Settings
from pipeline_fixtures import answer, load, open_store, registry
from pipelines.core import compute

SCHOOLS = {f"S{i}": ("H1" if i <= 4 else "H2", "EE") for i in range(1, 8)}
ROUNDS = (("2025-spring", 0), ("2025-autumn", 200_000))  # autumn starts later but sorts first
ITEMS = [f"{area}{i}" for area in "ABCDEFGH" for i in (1, 2)]
STUDENTS = {school: 3 if school in ("S6", "S7") else 5 for school in SCHOOLS}
NOW = datetime(2026, 1, 15, tzinfo=UTC)


def _base_score(school: str, group: str, respondent: int, item: str, round_index: int) -> int:
    """A fixed answer that differs by school, area and round, so profiles and pairs differ."""
    return 1 + (int(school[1:]) * 3 + ord(item[0]) * (respondent + 1) + len(group) + round_index * int(school[1:])) % 5


def _answers(hidden: list[int] | None = None) -> list[dict[str, Any]]:
    """Every answer of the data set; the scores of the answers in suppressed cells are taken,
    in order, from ``hidden`` when given."""
    replacements = iter(hidden or [])
    out = []
    for round_index, (round_label, start) in enumerate(ROUNDS):
        for school in SCHOOLS:
            for group, count in (("teacher", 6), ("leader", 3), ("student", STUDENTS[school])):
                for r in range(count):
                    for item in ITEMS:
                        score: int | str = _base_score(school, group, r, item, round_index)
                        if group == "teacher" and item == "C2" and r >= 2:
                            score = "na"  # only 2 teachers score C2: its item cell is suppressed
                        elif _in_suppressed_cell(school, group, item) and hidden is not None:
                            score = next(replacements)
                        respondent = f"{school}-{round_label}-{group}-{r}"
                        out.append(answer(respondent, item, str(score), school=school, round=round_label, group=group, minutes=start + r))
    return out


def _in_suppressed_cell(school: str, group: str, item: str) -> bool:
    return group == "leader" or (group == "student" and STUDENTS[school] < 5) or (group == "teacher" and item == "C2")


HIDDEN_ANSWERS = sum(
    1 for _ in ROUNDS for school in SCHOOLS for group, count in (("teacher", 2), ("leader", 3), ("student", STUDENTS[school])) for _ in range(count)
    for item in ITEMS if _in_suppressed_cell(school, group, item)
)  # fmt: skip


def _published(home: Path, statements: list[dict[str, Any]]) -> dict[str, bytes]:
    """Every published mart file, after a full compute of ``statements``."""
    config = Settings(home=home)
    con = open_store(config)
    registry(con, SCHOOLS)
    con.execute("UPDATE schools SET language = 'et'")
    load(con, statements)
    con.close()
    version = compute.run(config, full=True, now=NOW).version
    assert version is not None
    return {path.name: path.read_bytes() for path in sorted(version.glob("*.parquet"))}


_BASELINE: dict[str, dict[str, bytes]] = {}


def _baseline() -> dict[str, bytes]:
    if "marts" not in _BASELINE:
        with tempfile.TemporaryDirectory() as home:
            _BASELINE["marts"] = _published(Path(home), _answers())
    return _BASELINE["marts"]


def _read(files: dict[str, bytes], name: str) -> pl.DataFrame:
    with tempfile.NamedTemporaryFile(suffix=".parquet") as f:
        f.write(files[f"{name}.parquet"])
        f.flush()
        return pl.read_parquet(f.name)


def test_the_data_has_suppressed_cells_and_shown_figures_that_derive_from_them() -> None:
    marts = _baseline()
    area = _read(marts, "maturity_area")
    assert area.filter(pl.col("group") == "leader")["suppressed"].all()
    assert area.filter((pl.col("group") == "teacher") & (pl.col("area") == "C"))["suppressed"].not_().all()
    item = _read(marts, "maturity_item")
    assert item.filter((pl.col("group") == "teacher") & (pl.col("item") == "C2"))["suppressed"].all()
    hub = _read(marts, "maturity_hub").filter(pl.col("hub") == "H1")
    assert hub["suppressed"].not_().any() and hub.filter(pl.col("group") == "leader")["suppressed_reason"].eq("few_respondents").all()
    h2 = _read(marts, "maturity_hub").filter((pl.col("hub") == "H2") & (pl.col("group") == "student"))
    assert h2["suppressed_reason"].eq("few_schools").all()  # S5 alone has students shown
    assert _read(marts, "pairing_suggestions")["explanation"].str.contains(r"\(\d\.\d\)").any()
    assert _read(marts, "mentoring_outcome")["change"].is_not_null().all()
    assert _read(marts, "mentoring_outcome")["latest_round"].eq("2025-autumn").all()  # the round that started last


def test_a_changed_shown_answer_changes_the_marts() -> None:
    statements = _answers()
    first = statements[0]  # S1's first teacher, item A1, in the spring round: a shown cell
    score = _base_score("S1", "teacher", 0, "A1", 0)
    statements[0] = answer(first["actor"]["account"]["name"], "A1", str(score % 5 + 1), school="S1", round="2025-spring")
    with tempfile.TemporaryDirectory() as home:
        changed = _published(Path(home), statements)
    assert changed["maturity_area.parquet"] != _baseline()["maturity_area.parquet"]


# each example is a full ingest and compute (seconds): no shrinking, the failure message names the marts
@settings(max_examples=6, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate), suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=1, max_value=5), min_size=HIDDEN_ANSWERS, max_size=HIDDEN_ANSWERS))
def test_answers_inside_suppressed_cells_change_no_published_byte(hidden: list[int]) -> None:
    baseline = _baseline()
    with tempfile.TemporaryDirectory() as home:
        changed = _published(Path(home), _answers(hidden))
    assert sorted(changed) == sorted(baseline)
    differing = [name for name in baseline if changed[name] != baseline[name]]
    assert not differing, f"marts that moved with answers inside suppressed cells: {differing}"
