"""Digital activity in schools, from LMS and classroom statements.

*Activity statements* are the live statements attributed to a school (profile extension or
registry, see :mod:`lat.attribution`) that are none of: survey answers, DigCompEdu
self-assessments, mentoring statements, micro-credentials, voiding statements. In practice:
Moodle's logstore_xapi output, H5P and other classroom tools.

* Weekly (ISO weeks from Monday, UTC), per school: distinct active teachers and students
  (actors the people registry maps to the school with that role) and their share of the
  registered head count (``schools.teachers`` / ``students``); completions (statements with
  verb *completed* or ``result.completion`` true); the 4-week change of each share (this
  week's share minus the share four weeks earlier). Every week between the first and the
  last week with activity in the store is listed for every school, weeks without activity
  as zeros.
* Monthly, per school: digital tools in use = distinct object activity types (e.g. Moodle
  quiz, assignment, forum, H5P content), listed by their last IRI segment.
* Small cells: a week in which fewer than ``LAT_MIN_CELL_SIZE`` (but some) students were
  active has its student count and share withheld (``students_suppressed``), so single
  students' activity cannot be read off. Teacher counts are staff activity and shown.
"""

from __future__ import annotations

import polars as pl

from lat import vocab
from lat.config import Settings
from pipelines.core.catalogue import Mart, register_mart
from pipelines.core.definitions import Indicator, register
from pipelines.core.source import Sources, sql_text
from pipelines.mentoring.events import EVENT_KINDS, live

ACTIVITY_COLUMNS = ["actor_key", "verb", "activity_type", "completion", "timestamp", "school"]
NOT_ACTIVITY_TYPES = (vocab.CMI_INTERACTION, vocab.COMPETENCE, vocab.INITIATIVE, vocab.BADGE)
NOT_ACTIVITY_VERBS = (vocab.VOIDED, vocab.EARNED)
TREND_WEEKS = 4


def activity_statements(statements: pl.LazyFrame) -> pl.LazyFrame:
    """Live LMS/classroom statements with a school (see the module docstring for what is left out)."""
    mentoring = pl.lit(False)
    for verb, activity_type in EVENT_KINDS:
        mentoring = mentoring | ((pl.col("verb") == verb) & (pl.col("activity_type") == activity_type))
    other = pl.col("activity_type").is_in(list(NOT_ACTIVITY_TYPES)).fill_null(False) | pl.col("verb").is_in(list(NOT_ACTIVITY_VERBS))
    return live(statements).filter(pl.col("school").is_not_null() & ~mentoring & ~other)


def with_roles(activity: pl.LazyFrame, people: pl.LazyFrame) -> pl.LazyFrame:
    """Activity with the actor's registry role (null when the registry does not know the actor)."""
    roles = people.filter(pl.col("actor").is_not_null()).group_by(pl.col("actor").alias("actor_key")).agg(pl.col("role").min())
    return activity.join(roles, on="actor_key", how="left")


def _active(role: str) -> pl.Expr:
    return pl.col("actor_key").filter(pl.col("role") == role).drop_nulls().n_unique().cast(pl.Int64)


def _completed() -> pl.Expr:
    return ((pl.col("verb") == vocab.COMPLETED) | pl.col("completion").fill_null(False)).sum().cast(pl.Int64)


def weekly_counts(activity: pl.LazyFrame, people: pl.LazyFrame) -> pl.LazyFrame:
    """Per school and week with activity: active teachers, active students, completions.
    (``lat compute`` gets the same from DuckDB: :func:`weekly_counts_sql`.)"""
    dated = with_roles(activity, people).with_columns(pl.col("timestamp").dt.truncate("1w").dt.date().alias("week"))
    return dated.group_by("school", "week").agg(
        _active("teacher").alias("active_teachers"), _active("student").alias("active_students"), _completed().alias("completions")
    )


def weekly(activity: pl.LazyFrame, people: pl.LazyFrame, schools: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    """Per school and week: active teachers/students, shares, completions, 4-week changes."""
    return weekly_from_counts(weekly_counts(activity, people), schools, min_cell_size)


def weekly_from_counts(counts: pl.LazyFrame, schools: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    """:func:`weekly` from the per-week counts: every registered school, every week from the
    first to the last week with activity (zeros where none), shares, suppression, trends."""
    bounds = counts.select(pl.col("week").min().alias("first"), pl.col("week").max().alias("last"))
    weeks = bounds.select(pl.date_ranges("first", "last", "1w").alias("week")).explode("week").drop_nulls()
    registered = schools.select(pl.col("school_id").alias("school"), "hub", pl.col("teachers").cast(pl.Int64), pl.col("students").cast(pl.Int64))
    grid = registered.join(weeks, how="cross").join(counts, on=["school", "week"], how="left")
    return _trends(_suppress(_shares(grid.with_columns(pl.col("active_teachers", "active_students", "completions").fill_null(0))), min_cell_size))


def _shares(frame: pl.LazyFrame) -> pl.LazyFrame:
    def share(n: str, d: str) -> pl.Expr:
        return pl.when(pl.col(d) > 0).then(pl.col(n) / pl.col(d))

    return frame.with_columns(share("active_teachers", "teachers").alias("teacher_share"), share("active_students", "students").alias("student_share"))


def _suppress(frame: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    small = pl.col("active_students").is_between(1, min_cell_size - 1)
    return frame.with_columns(
        small.alias("students_suppressed"),
        pl.when(small).then(None).otherwise(pl.col("active_students")).alias("active_students"),
        pl.when(small).then(None).otherwise(pl.col("student_share")).alias("student_share"),
    )


def _trends(frame: pl.LazyFrame) -> pl.LazyFrame:
    ordered = frame.sort("school", "week")
    return ordered.with_columns(
        (pl.col(c) - pl.col(c).shift(TREND_WEEKS).over("school")).alias(f"{c}_change_4w") for c in ("teacher_share", "student_share")
    ).select(WEEKLY_COLUMNS)


WEEKLY_COLUMNS = [
    "school", "hub", "week", "active_teachers", "teachers", "teacher_share", "active_students", "students",
    "student_share", "students_suppressed", "completions", "teacher_share_change_4w", "student_share_change_4w",
]  # fmt: skip


def monthly_types(activity: pl.LazyFrame) -> pl.LazyFrame:
    """Per school, month and activity type (not null): completions.
    (``lat compute`` gets the same from DuckDB: :func:`monthly_types_sql`.)"""
    return (
        activity.filter(pl.col("activity_type").is_not_null())
        .group_by("school", pl.col("timestamp").dt.month_start().dt.date().alias("month"), "activity_type")
        .agg(_completed().alias("completions"))
    )


def tools_monthly(activity: pl.LazyFrame) -> pl.LazyFrame:
    """Per school and month: distinct activity types in use, and their short names."""
    return tools_from_types(monthly_types(activity))


def tools_from_types(types: pl.LazyFrame) -> pl.LazyFrame:
    """:func:`tools_monthly` from the per-type completions of each school and month."""
    short = pl.col("activity_type").str.strip_chars_end("/").str.split("/").list.last()
    return (
        types.group_by("school", "month")
        .agg(
            pl.col("activity_type").n_unique().cast(pl.Int64).alias("tools"),
            short.unique().sort().str.join(", ").alias("tool_list"),
            pl.col("completions").sum().cast(pl.Int64),
        )
        .sort("school", "month")
    )


def _activity_where() -> str:
    """:func:`activity_statements` as a WHERE clause. SQL's three-valued logic is polars':
    a row whose rule evaluates to null (e.g. a mentoring verb without an activity type) is
    dropped by both."""
    mentoring = " OR ".join(f"(verb = {sql_text(v)} AND activity_type = {sql_text(t)})" for v, t in EVENT_KINDS)
    other = f"coalesce(activity_type IN ({sql_text(*NOT_ACTIVITY_TYPES)}), false) OR verb IN ({sql_text(*NOT_ACTIVITY_VERBS)})"
    return f"school IS NOT NULL AND NOT ({mentoring}) AND NOT ({other})"


_COMPLETED_SQL = f"(verb = {sql_text(vocab.COMPLETED)} OR coalesce(completion, false))::INTEGER"
_UTC = "timezone('UTC', \"timestamp\")"  # TIMESTAMPTZ -> the UTC wall clock, as polars truncates


def weekly_counts_sql(sources: Sources) -> pl.LazyFrame:
    """:func:`weekly_counts` of the store's activity statements, aggregated inside DuckDB
    (millions of LMS statements never cross into Arrow). Actors are grouped per school and
    week first and their roles looked up once per active actor: much cheaper than
    count(DISTINCT) over every statement."""
    per_actor, params = sources.statements_query(
        f"school, date_trunc('week', {_UTC})::DATE AS week, actor_key, sum({_COMPLETED_SQL})::BIGINT AS completions",
        extra_where=_activity_where(),
        tail="GROUP BY ALL",
    )
    return sources.query(
        f"""SELECT school, week,
                   count(*) FILTER (WHERE r.role = 'teacher') AS active_teachers,
                   count(*) FILTER (WHERE r.role = 'student') AS active_students,
                   sum(completions)::BIGINT AS completions
            FROM ({per_actor}) a
            LEFT JOIN (SELECT actor AS actor_key, min(role) AS role FROM people WHERE actor IS NOT NULL GROUP BY actor) r
              USING (actor_key)
            GROUP BY ALL""",
        params,
    )


def monthly_types_sql(sources: Sources) -> pl.LazyFrame:
    """:func:`monthly_types` of the store's activity statements, aggregated inside DuckDB."""
    return sources.statements_sql(
        f"school, date_trunc('month', {_UTC})::DATE AS month, activity_type, sum({_COMPLETED_SQL})::BIGINT AS completions",
        extra_where=f"{_activity_where()} AND activity_type IS NOT NULL",
        tail="GROUP BY ALL",
    )


# What this family reads (pipelines/compute.py keeps its marts when no new statement matches).
READS = _activity_where()


def compute(sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame]:
    """activity_weekly and activity_tools_monthly."""
    schools = sources.table("schools")
    return {
        "activity_weekly": weekly_from_counts(weekly_counts_sql(sources), schools, settings.min_cell_size),
        "activity_tools_monthly": tools_from_types(monthly_types_sql(sources)),
    }


_FEEDS = "LMS and classroom statements attributed to the school (not survey, competence, mentoring, credential or voiding statements)"
_SMALL = "student figures withheld when 1 to LAT_MIN_CELL_SIZE-1 students were active (students_suppressed)"
_INDICATORS: dict[str, tuple[str, str, str, str]] = {
    # column: (meaning, unit, formula, suppression)
    "week": ("ISO week (its Monday, UTC).", "date", "timestamp truncated to the week", "none"),
    "active_teachers": ("Teachers active in the week.", "count", "distinct actors mapped by people to role teacher", "none (staff activity)"),
    "teachers": ("Registered teachers (head count).", "count", "schools.teachers", "none"),
    "teacher_share": ("Share of the registered teachers active in the week.", "share 0-1", "active_teachers / teachers; empty when teachers = 0", "none (staff activity)"),
    "active_students": ("Students active in the week.", "count", "distinct actors mapped by people to role student", _SMALL),
    "students": ("Registered students (head count).", "count", "schools.students", "none"),
    "student_share": ("Share of the registered students active in the week.", "share 0-1", "active_students / students; empty when students = 0", _SMALL),
    "students_suppressed": ("True when the week's student figures are withheld (too few students).", "boolean", "0 < active_students < LAT_MIN_CELL_SIZE", _SMALL),
    "completions": ("Completions: statements with verb completed or result.completion true.", "count", "count of such statements", "none (counts of events)"),
    "teacher_share_change_4w": ("Change of the teacher share over 4 weeks.", "share points", "teacher_share - teacher_share 4 weeks earlier", "none (staff activity)"),
    "student_share_change_4w": ("Change of the student share over 4 weeks.", "share points", "student_share - student_share 4 weeks earlier", _SMALL),
    "tools": ("Digital tools in use in the month: distinct activity types of the school's activity statements.", "count", "distinct object.definition.type", "none"),
    "tool_list": ("The tools in use (last segment of each activity type IRI).", "text", "sorted distinct short names", "none"),
}
register(*(Indicator(f"activity.{c}", "activity", meaning, unit, formula, _FEEDS, sup) for c, (meaning, unit, formula, sup) in _INDICATORS.items()))
register_mart(Mart("activity_weekly", "school", "Weekly active teachers and students, completions and 4-week trends per school.", {
    "school": "school", "hub": "hub", **{c: f"activity.{c}" for c in WEEKLY_COLUMNS[2:]},
}))  # fmt: skip
register_mart(Mart("activity_tools_monthly", "school", "Digital tools in use and completions per school and month.", {
    "school": "school", "month": "month", "tools": "activity.tools", "tool_list": "activity.tool_list", "completions": "activity.completions",
}))  # fmt: skip
