"""What an export reads: survey answers and the registry from the store, mentoring from the marts.

Only the columns an export can use are read; names, e-mails, account names and free text are
never selected. The store is opened read-only (so ``lat export`` runs beside the dashboard,
and fails with a clear message while an ingest holds the store).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import duckdb
import polars as pl

from lat.config import Settings
from lat.errors import LatError
from lat.store import database as store
from lat.store import marts
from lat.xapi import vocab

# The answers a SELFIE-style item may have; anything else (free text) never leaves.
RESPONSES = (*vocab.LIKERT, vocab.NOT_APPLICABLE, vocab.PREFER_NOT_TO_SAY)
# Mentoring progress indicators carried into the schools level (latest snapshot per school).
PROGRESS = (
    "meetings",
    "goals_set",
    "goals_achieved",
    "steps_planned",
    "steps_completed",
    "steps_share",
    "observations",
    "teacher_share",
    "phase_reached",
    "stalled",
)

_ANSWERS_SQL = """
SELECT actor_key, school, round, area, item, respondent_group, response, "timestamp"
FROM statements
WHERE verb = ? AND activity_type = ? AND NOT voided
  AND school IS NOT NULL AND round IS NOT NULL AND area IS NOT NULL AND actor_key IS NOT NULL
"""
_SCHOOLS_SQL = """
SELECT s.school_id AS school, s.hub, s.country, s.level, s.students,
       EXISTS (SELECT 1 FROM mentoring m WHERE m.mentee_school = s.school_id) AS mentored
FROM schools s
"""


@dataclass(frozen=True)
class Source:
    """The raw material of an export (identifiers still raw; pseudonymised by the tables)."""

    answers: pl.DataFrame  # actor_key, school, round, area, item, group, response, timestamp
    schools: pl.DataFrame  # school, hub, country, level, students, mentored
    progress: pl.DataFrame  # school + PROGRESS columns
    free_text_dropped: int  # answers whose response was not a scale value


def load(settings: Settings) -> Source:
    """Read the store and the published mentoring marts."""
    with store.session(settings, read_only=True) as con:
        answers = _frame(con, _ANSWERS_SQL, [vocab.ANSWERED, vocab.CMI_INTERACTION])
        schools = _frame(con, _SCHOOLS_SQL, [])
    if schools.height == 0:
        raise LatError("The registry is empty: run 'lat registry import DIR' before exporting.")
    if answers.height == 0:
        raise LatError("The store holds no survey answers: ingest or import a survey round before exporting.")
    answers = answers.rename({"respondent_group": "group"}).with_columns(pl.col("timestamp").dt.convert_time_zone("UTC"))
    scale = answers["response"].is_in(list(RESPONSES))
    return Source(
        answers=answers.filter(scale),
        schools=schools,
        progress=_progress(settings),
        free_text_dropped=int((~scale).sum()),
    )


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> pl.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the Arrow copy it warns about is the one we want
        table = con.execute(sql, params).to_arrow_table()
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _progress(settings: Settings) -> pl.DataFrame:
    """The latest ``mentoring_progress`` row of each mentee school."""
    try:
        frame = marts.read("mentoring_progress", directory=marts.current_dir(settings))
    except (LatError, FileNotFoundError, OSError):
        raise LatError("No published marts with mentoring progress: run 'lat compute' before exporting.") from None
    return frame.sort("as_of").group_by("school", maintain_order=True).last().select("school", *PROGRESS)
