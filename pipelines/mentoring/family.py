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
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from lat import vocab
from lat.config import Settings
from pipelines.core.catalogue import Mart, register_mart
from pipelines.core.definitions import Indicator, register, register_dimension
from pipelines.core.source import Sources, sql_text

MEETING = "meeting"
GOAL_SET = "goal_set"
GOAL_ACHIEVED = "goal_achieved"
STEP_PLANNED = "step_planned"
STEP_COMPLETED = "step_completed"
OBSERVATION = "observation"

# (verb, object activity type) -> event kind
EVENT_KINDS: dict[tuple[str, str], str] = {
    (vocab.ATTENDED, vocab.MEETING): MEETING,
    (vocab.SET, vocab.GOAL): GOAL_SET,
    (vocab.ACHIEVED, vocab.GOAL): GOAL_ACHIEVED,
    (vocab.SET, vocab.OBJECTIVE): STEP_PLANNED,
    (vocab.COMPLETED, vocab.OBJECTIVE): STEP_COMPLETED,
    (vocab.OBSERVED, vocab.LESSON): OBSERVATION,
}
PHASE_INDEX: dict[str, int] = {phase: i + 1 for i, phase in enumerate(vocab.PHASES)}


def live(statements: pl.LazyFrame) -> pl.LazyFrame:
    """Statements that count: voided ones dropped (when the frame still carries ``voided``)."""
    if "voided" in statements.collect_schema().names():
        return statements.filter(~pl.col("voided").fill_null(False))
    return statements


def _kind_expr() -> pl.Expr:
    expr: pl.Expr | pl.When | pl.Then = pl
    for (verb, activity_type), kind in EVENT_KINDS.items():
        expr = expr.when((pl.col("verb") == verb) & (pl.col("activity_type") == activity_type)).then(pl.lit(kind))  # type: ignore[union-attr]
    return expr.otherwise(None)  # type: ignore[union-attr]


def mentoring_events(statements: pl.LazyFrame) -> pl.LazyFrame:
    """One row per live mentoring statement: school, kind, object_id, actor_key, phase, day."""
    return (
        live(statements)
        .with_columns(kind=_kind_expr())
        .filter(pl.col("kind").is_not_null() & pl.col("school").is_not_null())
        .select(
            "school",
            "kind",
            "object_id",
            "actor_key",
            "phase",
            pl.col("timestamp").dt.date().alias("day"),
        )
    )


def mentee_schools(mentoring: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """Mentee schools whose mentoring has started by ``as_of`` (one row even with several mentors)."""
    return (
        mentoring.filter(pl.col("start").is_null() | (pl.col("start") <= as_of))
        .group_by(pl.col("mentee_school").alias("school"))
        .agg(
            pl.col("mentor").unique().sort().str.join(", ").alias("mentors"),
            pl.col("start").min().alias("mentoring_start"),
            pl.col("end").max().alias("mentoring_end"),
        )
    )


def _distinct(kind: str, column: str = "object_id") -> pl.Expr:
    return pl.col(column).filter((pl.col("kind") == kind) & pl.col(column).is_not_null()).n_unique()


def event_counts(events: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """Counts per school of everything logged up to ``as_of``; the last contact and phase reached."""
    month_start = as_of.replace(day=1)
    return (
        events.filter(pl.col("day") <= as_of)
        .group_by("school")
        .agg(
            _distinct(MEETING).alias("meetings"),
            pl.col("object_id").filter((pl.col("kind") == MEETING) & (pl.col("day") >= month_start)).drop_nulls().n_unique().alias("meetings_this_month"),
            _distinct(GOAL_SET).alias("goals_set"),
            _distinct(GOAL_ACHIEVED).alias("goals_achieved"),
            # a step done without having been announced was still a step of the plan
            pl.col("object_id").filter(pl.col("kind").is_in([STEP_PLANNED, STEP_COMPLETED])).drop_nulls().n_unique().alias("steps_planned"),
            _distinct(STEP_COMPLETED).alias("steps_completed"),
            _distinct(OBSERVATION).alias("observations"),
            pl.col("day").max().alias("last_contact"),
            pl.col("phase").replace_strict(PHASE_INDEX, default=None, return_dtype=pl.Int32).max().alias("phase_index"),
        )
    )


def teachers_reached(events: pl.LazyFrame, people: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """Distinct registered teachers of each school who attended at least one of its meetings."""
    teachers = people.filter(pl.col("role") == "teacher").select(pl.col("actor").alias("actor_key"), pl.col("school"))
    attended = events.filter((pl.col("kind") == MEETING) & (pl.col("day") <= as_of)).select("school", "actor_key").unique()
    return attended.join(teachers, on=["school", "actor_key"], how="inner").group_by("school").agg(pl.len().cast(pl.Int64).alias("teachers_reached"))


def teachers_mapped(people: pl.LazyFrame) -> pl.LazyFrame:
    """How many teachers the people registry maps to each school (0 means we cannot tell who took part)."""
    return (
        people.filter((pl.col("role") == "teacher") & pl.col("actor").is_not_null())
        .group_by(pl.col("school"))
        .agg(pl.col("actor").n_unique().cast(pl.Int64).alias("teachers_mapped"))
    )


_COUNTS = ("meetings", "meetings_this_month", "goals_set", "goals_achieved", "steps_planned", "steps_completed", "observations")


def progress(
    statements: pl.LazyFrame,
    schools: pl.LazyFrame,
    people: pl.LazyFrame,
    mentoring: pl.LazyFrame,
    as_of: dt.date,
) -> pl.LazyFrame:
    """The progress of every mentee school as of ``as_of`` (see docs/indicators.md)."""
    events = mentoring_events(statements)
    registered = schools.select(pl.col("school_id").alias("school"), pl.col("name").alias("school_name"), pl.col("hub"), pl.col("teachers").cast(pl.Int64).alias("teachers_registered"))
    frame = (
        mentee_schools(mentoring, as_of)
        .join(registered, on="school", how="left")
        .join(event_counts(events, as_of), on="school", how="left")
        .join(teachers_mapped(people), on="school", how="left")
        .join(teachers_reached(events, people, as_of), on="school", how="left")
        .with_columns(
            *(pl.col(c).fill_null(0).cast(pl.Int64) for c in _COUNTS),
            pl.col("teachers_mapped").fill_null(0),
            pl.col("teachers_reached").fill_null(0),
        )
    )
    return frame.with_columns(
        pl.lit(as_of).alias("as_of"),
        _share("teachers_reached", "teachers_registered", when=pl.col("teachers_mapped") > 0).alias("teacher_share"),
        _share("steps_completed", "steps_planned").alias("steps_share"),
        (pl.lit(as_of) - pl.col("last_contact")).dt.total_days().cast(pl.Int64).alias("days_since_contact"),
        (pl.lit(as_of) - pl.col("mentoring_start")).dt.total_days().cast(pl.Int64).alias("days_in_mentoring"),
        pl.col("phase_index").replace_strict({v: k for k, v in PHASE_INDEX.items()}, default=None, return_dtype=pl.String).alias("phase_reached"),
    ).select(PROGRESS_COLUMNS).sort("school")


def _share(numerator: str, denominator: str, when: pl.Expr | None = None) -> pl.Expr:
    """numerator / denominator, null when the denominator is 0 or missing (or ``when`` fails)."""
    ok = pl.col(denominator).fill_null(0) > 0
    if when is not None:
        ok = ok & when
    return pl.when(ok).then(pl.col(numerator) / pl.col(denominator)).otherwise(None)


PROGRESS_COLUMNS = [
    "as_of", "school", "school_name", "hub", "mentors", "mentoring_start", "mentoring_end", "days_in_mentoring",
    "meetings", "meetings_this_month", "teachers_registered", "teachers_mapped", "teachers_reached", "teacher_share",
    "goals_set", "goals_achieved", "steps_planned", "steps_completed", "steps_share", "observations",
    "last_contact", "days_since_contact", "phase_index", "phase_reached",
]  # fmt: skip


def meetings_monthly(statements: pl.LazyFrame, mentoring: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """Distinct meetings per mentee school and calendar month, zero months included.

    Months run from the first month with mentoring (its start or its first event) to the
    month of ``as_of``.
    """
    events = mentoring_events(statements).filter(pl.col("day") <= as_of)
    meetings = (
        events.filter(pl.col("kind") == MEETING)
        .group_by("school", pl.col("day").dt.month_start().alias("month"))
        .agg(pl.col("object_id").drop_nulls().n_unique().cast(pl.Int64).alias("meetings"))
    )
    first_event = events.group_by("school").agg(pl.col("day").min().alias("first_event"))
    spans = (
        mentee_schools(mentoring, as_of)
        .join(first_event, on="school", how="left")
        .select("school", pl.min_horizontal("mentoring_start", "first_event").fill_null(as_of).dt.month_start().alias("first"))
    )
    grid = spans.with_columns(pl.date_ranges("first", pl.lit(as_of).dt.month_start(), "1mo").alias("month")).explode("month").select("school", "month")
    return grid.join(meetings, on=["school", "month"], how="left").with_columns(pl.col("meetings").fill_null(0)).sort("school", "month")


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


# --- outcome: maturity change of mentored and other schools ---------------------------------

def maturity_change(area_scores: pl.LazyFrame) -> pl.LazyFrame:
    """school, first_round, latest_round, first_score, latest_score, change (rounds in label order).

    A round's overall score is the mean of the school's unsuppressed area scores (see
    :func:`pipelines.profiles.area_scores`); schools with one round have no change.
    """
    overall = area_scores.group_by("school", "round").agg(pl.col("score").mean().alias("overall"))
    return (
        overall.sort("school", "round")
        .group_by("school")
        .agg(
            pl.col("round").first().alias("first_round"),
            pl.col("round").last().alias("latest_round"),
            pl.col("overall").first().alias("first_score"),
            pl.col("overall").last().alias("latest_score"),
            pl.len().alias("rounds"),
        )
        .with_columns(pl.when(pl.col("rounds") > 1).then(pl.col("latest_score") - pl.col("first_score")).alias("change"))
        .drop("rounds")
    )


def outcome(change: pl.LazyFrame, mentoring: pl.LazyFrame, schools: pl.LazyFrame) -> pl.LazyFrame:
    """Every registered school with its maturity change and whether it is (or was) a mentee."""
    mentees = mentoring.select(pl.col("mentee_school").alias("school")).unique().with_columns(pl.lit(True).alias("mentored"))
    return (
        schools.select(pl.col("school_id").alias("school"), pl.col("name").alias("school_name"), "hub")
        .join(change, on="school", how="left")
        .join(mentees, on="school", how="left")
        .with_columns(pl.col("mentored").fill_null(False))
        .sort("school")
    )


def outcome_summary(per_school: pl.LazyFrame) -> pl.LazyFrame:
    """Per hub and group (mentored or not): schools with a change, their mean change, and
    for the mentored row the difference to the hub's schools not mentored."""
    groups = (
        per_school.filter(pl.col("change").is_not_null())
        .group_by("hub", "mentored")
        .agg(pl.len().cast(pl.Int64).alias("schools"), pl.col("change").mean().alias("mean_change"))
    )
    others = groups.filter(~pl.col("mentored")).select("hub", pl.col("mean_change").alias("_other"))
    return (
        groups.join(others, on="hub", how="left")
        .with_columns(pl.when(pl.col("mentored")).then(pl.col("mean_change") - pl.col("_other")).alias("difference"))
        .drop("_other")
        .sort("hub", "mentored", descending=[False, True])
    )


# --- lat compute: the mentoring family ---------------------------------------------------------

EVENT_COLUMNS = ["verb", "activity_type", "object_id", "actor_key", "phase", "timestamp", "school"]
_EVENTS = "mentoring statements (attended meeting, set/achieved goal, set/completed objective, observed lesson) with the school extension"
_COUNT = "none (counts of mentoring events, not of respondents)"


def latest_day(sources: Sources) -> dt.date | None:
    """The demo's "today": the UTC day of the latest live statement in the store."""
    latest = sources.query("SELECT max(timestamp) AS t FROM statements WHERE NOT voided").collect().item()
    return None if latest is None else latest.astimezone(dt.UTC).date()


# What this family reads besides the registry (pipelines/compute.py keeps its marts when no
# new statement matches and "today" has not moved, see inputs()). The outcome marts, which
# read survey answers, are the separate family pipelines/outcome.py.
READS = (f"verb IN ({sql_text(*sorted({v for v, _ in EVENT_KINDS}))}) "
         f"AND activity_type IN ({sql_text(*sorted({t for _, t in EVENT_KINDS}))})")  # as compute() reads


def inputs(sources: Sources) -> str:
    """What the marts depend on besides the statements READS matches: "today", the day of
    the latest live statement of any kind (a new survey answer may move it)."""
    day = latest_day(sources)
    return "" if day is None else day.isoformat()


def compute(sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame | pl.DataFrame]:
    """mentoring_progress (monthly snapshots + today), meetings per month, stall model."""
    from pipelines.mentoring import stall_model, stalled

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
