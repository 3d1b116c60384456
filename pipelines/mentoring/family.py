"""Mentoring progress per mentee school, as of any date.

Every function is pure: LazyFrames in (the ``statements`` table and the registry tables as
loaded by ``pipelines.core.source``), a LazyFrame out. Dates are UTC calendar days; a statement
counts for ``as_of`` when its timestamp falls on or before that day.

The mentoring log is read from the statements (see docs/indicators.md, "Mentoring progress"):

==================  ==================  ==============================================
event               verb                object activity type
==================  ==================  ==============================================
meeting             attended            meeting (one statement per participant)
goal set            set                 goal
goal achieved       achieved            goal
step planned        set                 objective (an action-plan step)
step completed      completed           objective
lesson observation  observed            lesson
==================  ==================  ==============================================

The mentee school is the statement's ``school`` column (the profile's school extension, or
the registry attribution the store applies).

This module is the mentoring family of ``lat compute``: it reads the store, picks the days
the marts describe (each month end and "today") and declares the marts and definitions (the
outcome family's too, :mod:`pipelines.mentoring.outcome_family`). The rules are in the
modules beside it: events (the log as events), progress, meetings, stalled (the stall rule),
stall_model and outcome.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from lat.config import Settings
from pipelines.core.catalogue import Mart, register_mart
from pipelines.core.definitions import Indicator, register, register_dimension
from pipelines.core.source import Sources, sql_text
from pipelines.mentoring import stall_model, stalled
from pipelines.mentoring.events import EVENT_KINDS, live, mentoring_events
from pipelines.mentoring.meetings import meetings_monthly
from pipelines.mentoring.progress import PROGRESS_COLUMNS, progress


def default_as_of(statements: pl.LazyFrame) -> dt.date | None:
    """The demo's "today": the UTC day of the latest live statement (None for an empty store)."""
    latest = live(statements).select(pl.col("timestamp").max()).collect().item()
    return None if latest is None else latest.date()


def snapshot_dates(statements: pl.LazyFrame, mentoring: pl.LazyFrame, as_of: dt.date) -> list[dt.date]:
    """Each month end from the first mentoring event or start up to ``as_of``, then ``as_of`` itself."""
    first_event = mentoring_events(statements).select(pl.col("day").min()).collect().item()
    first_start = mentoring.select(pl.col("start").min()).collect().item()
    firsts = [d for d in (first_event, first_start) if d is not None and d <= as_of]
    if not firsts:
        return [as_of]
    ends = pl.date_range(min(firsts).replace(day=1), as_of, "1mo", eager=True).dt.month_end().to_list()
    return sorted({d for d in ends if d < as_of} | {as_of})


def progress_series(
    statements: pl.LazyFrame,
    schools: pl.LazyFrame,
    people: pl.LazyFrame,
    mentoring: pl.LazyFrame,
    dates: list[dt.date],
) -> pl.LazyFrame:
    """``progress`` at each of ``dates``, stacked (the dashboard's progress-over-time series)."""
    frames = [progress(statements, schools, people, mentoring, d) for d in dates]
    if not frames:
        return progress(statements, schools, people, mentoring, dt.date.min).head(0)
    return pl.concat(frames, how="vertical")


# --- lat compute: the mentoring family ---------------------------------------------------------

EVENT_COLUMNS = ["verb", "activity_type", "object_id", "actor_key", "phase", "timestamp", "school"]
_EVENTS = "mentoring statements (attended meeting, set/achieved goal, set/completed objective, observed lesson) with the school extension"
_COUNT = "none (counts of mentoring events, not of respondents)"


def latest_day(sources: Sources) -> dt.date | None:
    """The demo's "today": the UTC day of the latest live statement in the store."""
    latest = sources.query("SELECT max(timestamp) AS t FROM statements WHERE NOT voided").collect().item()
    return None if latest is None else latest.astimezone(dt.UTC).date()


# What this family reads besides the registry (pipelines/core/compute.py keeps its marts when
# no new statement matches and "today" has not moved, see inputs()). The outcome marts, which
# read survey answers, are the separate family pipelines/mentoring/outcome_family.py.
READS = (f"verb IN ({sql_text(*sorted({v for v, _ in EVENT_KINDS}))}) "
         f"AND activity_type IN ({sql_text(*sorted({t for _, t in EVENT_KINDS}))})")  # as compute() reads


def inputs(sources: Sources) -> str:
    """What the marts depend on besides the statements READS matches: "today", the day of
    the latest live statement of any kind (a new survey answer may move it)."""
    day = latest_day(sources)
    return "" if day is None else day.isoformat()


def compute(sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame | pl.DataFrame]:
    """mentoring_progress (monthly snapshots + today), meetings per month, stall model."""
    statements = sources.statements(EVENT_COLUMNS, verbs={v for v, _ in EVENT_KINDS}, activity_types={t for _, t in EVENT_KINDS})
    schools, people, mentoring = (sources.table(t) for t in ("schools", "people", "mentoring"))
    as_of = latest_day(sources) or sources.now.date()
    dates = snapshot_dates(statements, mentoring, as_of)
    series = stalled.stall_status(progress_series(statements, schools, people, mentoring, dates), settings.stalled_days).collect()
    model = stall_model.model_marts(statements, schools, people, mentoring, series.lazy(), as_of)
    return {
        "mentoring_progress": series,
        "mentoring_meetings_monthly": meetings_monthly(statements, mentoring, as_of),
        **model,
    }


def _register() -> None:
    for name, meaning in {
        "as_of": "The day a snapshot describes (UTC): each month end of the data range, and the latest statement's day.",
        "month": "Calendar month (its first day, UTC).",
        "mentors": "Mentor(s) of the mentee school (person or school ids from the registry), comma-separated.",
        "mentoring_start": "Earliest start of the school's mentoring pairs (registry).",
        "mentoring_end": "Latest end of the school's mentoring pairs (registry); empty while open-ended.",
        "mentored": "True when the school is a mentee school in the registry's mentoring pairs.",
        "first_round": "The school's first self-assessment round (label order).",
        "latest_round": "The school's latest self-assessment round (label order).",
    }.items():
        register_dimension(name, meaning)
    register(*(Indicator(f"mentoring.{c}", "mentoring", *spec) for c, spec in _INDICATORS.items()))
    register_mart(Mart("mentoring_progress", "school", "Mentoring progress of each mentee school at each month end and today, with the stall rule.", {
        **{c: c for c in ("as_of", "school", "school_name", "hub", "mentors", "mentoring_start", "mentoring_end")},
        **{c: f"mentoring.{c}" for c in PROGRESS_COLUMNS[7:]},
        **{c: f"mentoring.{c}" for c in ("status", "stalled", "stall_code", "stall_reason")},
    }))  # fmt: skip
    register_mart(Mart("mentoring_meetings_monthly", "school", "Distinct mentoring meetings per mentee school and month (zero months included).", {
        "school": "school", "month": "month", "meetings": "mentoring.meetings_in_month",
    }))  # fmt: skip
    register_mart(Mart("mentoring_outcome", "school", "Maturity change from the first to the latest round, per school, mentored or not.", {
        **{c: c for c in ("school", "school_name", "hub", "first_round", "latest_round", "mentored")},
        **{c: f"mentoring.{c}" for c in ("first_score", "latest_score", "change")},
    }))  # fmt: skip
    register_mart(Mart("mentoring_outcome_summary", "hub", "Mean maturity change of mentored schools and of the others, per hub.", {
        "hub": "hub", "mentored": "mentored", "schools": "mentoring.outcome_schools",
        "mean_change": "mentoring.mean_change", "difference": "mentoring.difference",
    }))  # fmt: skip


_RULE = (
    "stall rule (pipelines/stalled.py), while the mentoring runs (as_of <= end): no_contact = days_since_contact >= "
    "LAT_STALLED_DAYS (30); never_contacted = no contact yet and days_in_mentoring >= LAT_STALLED_DAYS; behind_plan = "
    "past the midpoint (start + half the start-end span) and steps_share < 1/3; no_plan = past the midpoint and "
    "steps_planned = 0. Snapshots: each month end from the first mentoring event or start, plus 'today' = the day of "
    "the latest live statement in the store"
)
_INDICATORS: dict[str, tuple[str, str, str, str, str]] = {
    # column: (meaning, unit, formula, statements, suppression)
    "days_in_mentoring": ("Days since the mentoring started.", "days", "as_of - mentoring_start", "none (registry)", _COUNT),
    "meetings": ("Mentoring meetings held with the school so far.", "count", "distinct meeting object ids up to as_of", "attended + meeting", _COUNT),
    "meetings_this_month": ("Meetings held in the calendar month of as_of, up to as_of.", "count", "distinct meeting ids in that month", "attended + meeting", _COUNT),
    "meetings_in_month": ("Meetings held with the school in the month.", "count", "distinct meeting object ids per month", "attended + meeting", _COUNT),
    "teachers_registered": ("Teachers of the school (registry head count).", "count", "schools.teachers", "none (registry)", _COUNT),
    "teachers_mapped": ("Teachers the people registry maps to the school (with an actor).", "count", "distinct people.actor with role teacher", "none (registry)", _COUNT),
    "teachers_reached": ("Registered teachers of the school who attended at least one of its meetings.", "count", "distinct actors of attended+meeting statements of the school that people maps to the school as teachers", "attended + meeting", _COUNT),
    "teacher_share": ("Share of the school's teachers who took part in at least one meeting.", "share 0-1", "teachers_reached / teachers_registered; empty when no teacher is mapped in people (participation cannot be told) or the head count is 0", "attended + meeting", "empty when teachers_mapped = 0 or teachers_registered = 0"),
    "goals_set": ("Development goals set.", "count", "distinct goal ids with verb set", "set + goal", _COUNT),
    "goals_achieved": ("Development goals achieved.", "count", "distinct goal ids with verb achieved", "achieved + goal", _COUNT),
    "steps_planned": ("Action-plan steps planned.", "count", "distinct objective ids set or completed (a step done unannounced was planned too)", "set/completed + objective", _COUNT),
    "steps_completed": ("Action-plan steps done.", "count", "distinct objective ids with verb completed", "completed + objective", _COUNT),
    "steps_share": ("Share of the planned action-plan steps done.", "share 0-1", "steps_completed / steps_planned; empty without planned steps", "set/completed + objective", "empty when steps_planned = 0"),
    "observations": ("Lesson observations.", "count", "distinct lesson ids with verb observed", "observed + lesson", _COUNT),
    "last_contact": ("Day of the latest mentoring contact (any mentoring statement).", "date", "max UTC day of the school's mentoring statements up to as_of", _EVENTS, "empty before any contact"),
    "days_since_contact": ("Days since the last mentoring contact.", "days", "as_of - last_contact", _EVENTS, "empty before any contact"),
    "phase_index": ("Highest mentoring phase reached, as a number.", "1-5", "max position in (initiative, goals, action-plan, implementation, reflection) of the phase extension", _EVENTS + " carrying the mentoring-phase extension", "empty when no statement names a phase"),
    "phase_reached": ("Highest mentoring phase reached.", "phase", "the phase of phase_index", _EVENTS + " carrying the mentoring-phase extension", "empty when no statement names a phase"),
    "status": ("on_track, stalled or ended (after the mentoring end date).", "code", _RULE, _EVENTS, _COUNT),
    "stalled": ("True when the stall rule flags the school.", "boolean", _RULE, _EVENTS, _COUNT),
    "stall_code": ("Why the school is stalled, as codes (comma-separated): no_contact, never_contacted, behind_plan, no_plan.", "codes", _RULE, _EVENTS, _COUNT),
    "stall_reason": ("Why the school is stalled, in English words with the figures.", "text", _RULE, _EVENTS, _COUNT),
    "first_score": ("Overall maturity in the first round: mean of the school's area scores.", "score 1-5", "mean over areas of the mean of group means (pipelines/profiles.py)", "answered + cmi.interaction", "areas with fewer than LAT_MIN_CELL_SIZE respondents are left out"),
    "latest_score": ("Overall maturity in the latest round.", "score 1-5", "as first_score, latest round", "answered + cmi.interaction", "areas with fewer than LAT_MIN_CELL_SIZE respondents are left out"),
    "change": ("Maturity change from the first to the latest round.", "score points", "latest_score - first_score; empty with one round", "answered + cmi.interaction", "as first_score"),
    "outcome_schools": ("Schools of the hub and group that have a maturity change.", "count", "count of schools with change", "answered + cmi.interaction", _COUNT),
    "mean_change": ("Mean maturity change of the group's schools.", "score points", "mean of change", "answered + cmi.interaction", "as first_score"),
    "difference": ("Mean change of mentored schools minus that of the hub's other schools.", "score points", "mean_change(mentored) - mean_change(not mentored)", "answered + cmi.interaction", "as first_score"),
}

_register()
