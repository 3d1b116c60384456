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
READS = (
    f"verb IN ({sql_text(*sorted({v for v, _ in EVENT_KINDS}))}) AND activity_type IN ({sql_text(*sorted({t for _, t in EVENT_KINDS}))})"  # as compute() reads
)


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
        "as_of": "The day a snapshot describes (a UTC calendar day; a statement counts when its timestamp falls on or before it). The snapshot days are the "
        "same for every school: the last day of each month, from the month of the earliest mentoring statement in the store (of any school) or of the "
        "earliest pair start in the registry (a start after today aside), whichever comes first, up to 'today', plus 'today' itself. 'Today' is the "
        "UTC day of the latest statement in the store that is not voided, of any kind (LMS and survey statements too; a statement without a timestamp "
        "counts at the time it was stored). A voiding statement counts when choosing today (it is never voided itself); the statement it voids does "
        "not. With an empty store, today is the day of the run. A school has a row at a snapshot only when one of its pairs has started by then "
        "(start on or before the day, or no start date).",
        "month": "Calendar month (its first day, UTC).",
        "mentors": "The mentors of the mentee school's pairs that have started by as_of (start on or before as_of, or no start date; ended pairs stay): person "
        "or school ids from the registry, each once, sorted by character code (digits before capitals before small letters, so 'p-10' comes before "
        "'p-2'), joined by a comma and a space. A pair counts only from its start date, so the list can grow from one snapshot to the next.",
        "mentoring_start": "Earliest start date among the school's pairs that have started by as_of (registry); empty when none of them has a start date.",
        "mentoring_end": "Latest end date among the school's pairs that have started by as_of (registry); empty only when none of them has an end date (an "
        "open-ended pair beside one with an end date does not empty it). A pair counts only from its start date, so the end can move when a "
        "later pair starts.",
        "mentored": "True when the school is the mentee school of at least one pair in the registry, whatever the pair's dates (a pair not yet started or "
        "already ended counts).",
        "first_round": "The school's first self-assessment round with at least one area score (see first_score). Rounds are ordered by when they "
        "started (their first answer in the store in any school; ties: label order), as in maturity_progress, never by label alone.",
        "latest_round": "The school's last self-assessment round with at least one area score (see first_score), in the same order as first_round.",
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
        "mean_change": "mentoring.mean_change", "difference": "mentoring.difference", "suppressed": "suppressed",
        "suppressed_reason": "suppressed_reason",
    }))  # fmt: skip


_RULE = (
    "the stall rule, applied at each snapshot (as_of) while the mentoring runs (mentoring_end empty, or as_of on or "
    "before it; after it the status is ended and no code is given). Codes, checked in this order: no_contact = "
    "days_since_contact >= LAT_STALLED_DAYS (default 30); never_contacted = no mentoring statement up to as_of and "
    "days_in_mentoring >= LAT_STALLED_DAYS; behind_plan = as_of on or after the midpoint, at least one step planned "
    "and steps_share < 1/3; no_plan = as_of on or after the midpoint and no step planned. The midpoint is "
    "mentoring_start plus half the days from mentoring_start to mentoring_end, rounded down to a whole day (a span "
    "of 61 days puts it 30 days after the start); without an end date there is no midpoint and neither plan code "
    "applies, and without a start date only no_contact can apply. mentoring_start and mentoring_end come from the "
    "pairs started by as_of, so the midpoint can move when a later pair starts. The snapshot days are the same for "
    "every school (see as_of)"
)
_INDICATORS: dict[str, tuple[str, str, str, str, str]] = {
    # column: (meaning, unit, formula, statements, suppression)
    "days_in_mentoring": (
        "Days since the mentoring started.",
        "days",
        "as_of - mentoring_start, in days; empty when mentoring_start is empty",
        "none (registry)",
        _COUNT,
    ),
    "meetings": (
        "Mentoring meetings held with the school up to as_of. A count of meetings, not of their length: a meeting's duration (result.duration of its "
        "attendance statements) is stored but feeds no indicator.",
        "count",
        "distinct meeting ids (the object id of the school's attended + meeting statements) with at least one attendance statement on or before "
        "as_of; a meeting counts once, however many people attended and however many days or months its attendance statements span",
        "attended + meeting",
        _COUNT,
    ),
    "meetings_this_month": (
        "Meetings held with the school in the calendar month of as_of, up to as_of. Durations are not counted.",
        "count",
        "distinct meeting ids with at least one attendance statement dated (UTC day) from the first day of as_of's month to as_of; a "
        "meeting whose attendance statements fall in two months counts in each of them",
        "attended + meeting",
        _COUNT,
    ),
    "meetings_in_month": (
        "Meetings held with the school in the month. Durations are not counted.",
        "count",
        "distinct meeting ids with at least one attendance statement dated (UTC day) in the month. A meeting whose attendance statements "
        "fall in two months is counted in both months, so the months can add up to more than the meetings held. Months run from the month of "
        "the school's mentoring start or first mentoring statement, whichever is earlier, to the month of today (see as_of); months without "
        "a meeting show 0",
        "attended + meeting",
        _COUNT,
    ),
    "teachers_registered": (
        "Teachers of the school (registry head count).",
        "count",
        "the teachers column of the school in the registry (schools.csv)",
        "none (registry)",
        _COUNT,
    ),
    "teachers_mapped": (
        "Teachers the people registry maps to the school (with an actor).",
        "count",
        "distinct actors of the people.csv rows with this school and role teacher",
        "none (registry)",
        _COUNT,
    ),
    "teachers_reached": (
        "Registered teachers of the school who attended at least one of its meetings up to as_of.",
        "count",
        "distinct actors of the school's attended + meeting statements up to as_of whom people.csv maps to this school as teachers",
        "attended + meeting",
        _COUNT,
    ),
    "teacher_share": (
        "Share of the school's teachers who took part in at least one meeting.",
        "share 0-1",
        "teachers_reached / teachers_registered; empty when no teacher is mapped in people (participation cannot be told) or the head count is 0",
        "attended + meeting",
        "empty when teachers_mapped = 0 or teachers_registered = 0",
    ),
    "goals_set": ("Development goals set.", "count", "distinct goal ids with verb set", "set + goal", _COUNT),
    "goals_achieved": ("Development goals achieved.", "count", "distinct goal ids with verb achieved", "achieved + goal", _COUNT),
    "steps_planned": (
        "Action-plan steps planned.",
        "count",
        "distinct objective ids set or completed (a step done unannounced was planned too)",
        "set/completed + objective",
        _COUNT,
    ),
    "steps_completed": ("Action-plan steps done.", "count", "distinct objective ids with verb completed", "completed + objective", _COUNT),
    "steps_share": (
        "Share of the planned action-plan steps done.",
        "share 0-1",
        "steps_completed / steps_planned; empty without planned steps",
        "set/completed + objective",
        "empty when steps_planned = 0",
    ),
    "observations": ("Lesson observations.", "count", "distinct lesson ids with verb observed", "observed + lesson", _COUNT),
    "last_contact": (
        "Day of the latest mentoring contact (any mentoring statement).",
        "date",
        "latest UTC day of the school's mentoring statements (meeting attended, goal set or achieved, step planned or completed, lesson observed) up to as_of",
        _EVENTS,
        "empty before any contact",
    ),
    "days_since_contact": ("Days since the last mentoring contact.", "days", "as_of - last_contact", _EVENTS, "empty before any contact"),
    "phase_index": (
        "Highest mentoring phase reached, as a number.",
        "1-5",
        "max position in (initiative, goals, action-plan, implementation, reflection) of the phase extension",
        _EVENTS + " carrying the mentoring-phase extension",
        "empty when no statement names a phase",
    ),
    "phase_reached": (
        "Highest mentoring phase reached.",
        "phase",
        "the phase of phase_index",
        _EVENTS + " carrying the mentoring-phase extension",
        "empty when no statement names a phase",
    ),
    "status": (
        "ended when as_of is after mentoring_end; otherwise stalled when the stall rule gives at least one code, else on_track.",
        "code",
        _RULE,
        _EVENTS,
        _COUNT,
    ),
    "stalled": ("True when the stall rule gives at least one code (status stalled).", "boolean", _RULE, _EVENTS, _COUNT),
    "stall_code": (
        "Why the school is stalled, as codes: no_contact, never_contacted, behind_plan, no_plan. Several codes are joined by a comma without "
        "spaces, always in that order (e.g. no_contact,behind_plan); at most two apply at once, as no_contact and never_contacted exclude each "
        "other and so do behind_plan and no_plan. Empty when the school is not stalled.",
        "codes",
        _RULE,
        _EVENTS,
        _COUNT,
    ),
    "stall_reason": (
        "Why the school is stalled, in English sentences with the figures: one sentence per code, in the order of stall_code, joined by a space. "
        "Empty when the school is not stalled.",
        "text",
        _RULE,
        _EVENTS,
        _COUNT,
    ),
    "first_score": (
        "Overall maturity of the school in its first round (first_round): the mean of its area scores in that round.",
        "score 1-5",
        "the plain mean (each area A-H once) of the school's area scores in the round. An area score is the mean, over the respondent groups "
        "(leaders, teachers, students) whose maturity_area cell has figures, of that cell's mean (maturity.mean), so a large group weighs no more "
        "than a small one; a suppressed group cell is left out. A round in which every cell is suppressed does not count as one of the school's rounds",
        "SELFIE answers (answered + cmi.interaction), the latest per respondent, item and round",
        "suppressed maturity_area cells (see maturity.mean) are left out",
    ),
    "latest_score": (
        "Overall maturity of the school in its latest round (latest_round).",
        "score 1-5",
        "as first_score, in latest_round",
        "SELFIE answers (answered + cmi.interaction), the latest per respondent, item and round",
        "suppressed maturity_area cells (see maturity.mean) are left out",
    ),
    "change": (
        "Maturity change from the first to the latest round.",
        "score points",
        "latest_score - first_score; empty when the school has only one round with an area score (or none)",
        "SELFIE answers (answered + cmi.interaction), the latest per respondent, item and round",
        "as first_score",
    ),
    "outcome_schools": (
        "Schools of the hub in this row's group (mentored or not) that have a maturity change.",
        "count",
        "count of the group's schools whose change is not empty; a group without such a school has no row",
        "SELFIE answers (answered + cmi.interaction), the latest per respondent, item and round",
        "none (a count of schools)",
    ),
    "mean_change": (
        "Mean maturity change of the hub's schools in this row's group (mentored or not).",
        "score points",
        "mean of change over the group's schools with a change, each school once",
        "SELFIE answers (answered + cmi.interaction), the latest per respondent, item and round",
        "as first_score; empty (suppressed_reason few_schools) when fewer than LAT_MIN_SCHOOLS schools have a change",
    ),
    "difference": (
        "Filled on the mentored row only: the hub's mean change of mentored schools minus that of its schools not mentored. Always empty on the "
        "not-mentored row, and empty on the mentored row when the hub has no not-mentored school with a change.",
        "score points",
        "mean_change of the hub's mentored row - mean_change of its not-mentored row",
        "SELFIE answers (answered + cmi.interaction), the latest per respondent, item and round",
        "empty when either row's mean_change is",
    ),
}

_register()
