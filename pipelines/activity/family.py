"""Digital activity in schools, from LMS and classroom statements.

*Activity statements* are the live statements attributed to a school (profile extension or
registry, see :mod:`lat.store.attribution`) that are none of: survey answers, DigCompEdu
self-assessments, mentoring statements, micro-credentials, voiding statements. In practice:
Moodle's logstore_xapi output, H5P and other classroom tools. The profile's ``lms-*``
templates are not required: a classroom tool that names no LMS category, and an actor
identified by ``mbox_sha1sum`` or ``openid`` (which the registry accepts as a person's
actor), are activity too; "LMS and classroom" means every source that is not another
family's.

* Weekly (ISO weeks from Monday, UTC), per school: distinct active teachers and students
  (actors of the school's activity statements whom the people registry gives that role,
  whatever school it places them in: the statement's school extension wins, as in
  attribution) and their share of the registered head count (``schools.teachers`` /
  ``students``); completions (statements with verb *completed* or ``result.completion``
  true); the 4-week change of each share (this week's share minus the share of the week
  four weeks earlier, a week without activity included). Every registry school has a row
  for every week between the first and the last week with activity in the store (any
  school's), weeks without activity as zeros.
* Monthly, per school: digital tools in use = distinct object activity types (e.g. Moodle
  quiz, assignment, forum, H5P content), listed by their last IRI segment.
* Small cells: a week in which fewer than ``LAT_MIN_CELL_SIZE`` (but some) students were
  active has its student count and share withheld (``students_suppressed``), so single
  students' activity cannot be read off. Teacher counts are staff activity and shown.

This module picks the activity statements and reads them (aggregating inside DuckDB); the
rules are in the modules beside it (weekly, tools, completions). It declares the family's
marts and definitions.
"""

from __future__ import annotations

import polars as pl

from lat.config import Settings
from lat.xapi import vocab
from pipelines.activity.tools import tools_from_types
from pipelines.activity.weekly import WEEKLY_COLUMNS, weekly_from_counts
from pipelines.core.catalogue import Mart, register_mart
from pipelines.core.definitions import Indicator, register
from pipelines.core.source import Sources, sql_text
from pipelines.mentoring.events import EVENT_KINDS, live

ACTIVITY_COLUMNS = ["actor_key", "verb", "activity_type", "completion", "timestamp", "school"]
NOT_ACTIVITY_TYPES = (vocab.CMI_INTERACTION, vocab.COMPETENCE, vocab.INITIATIVE, vocab.BADGE)
NOT_ACTIVITY_VERBS = (vocab.VOIDED, vocab.EARNED)


def activity_statements(statements: pl.LazyFrame) -> pl.LazyFrame:
    """Live LMS/classroom statements with a school (see the module docstring for what is left out)."""
    mentoring = pl.lit(False)
    for verb, activity_type in EVENT_KINDS:
        mentoring = mentoring | ((pl.col("verb") == verb) & (pl.col("activity_type") == activity_type))
    other = pl.col("activity_type").is_in(list(NOT_ACTIVITY_TYPES)).fill_null(False) | pl.col("verb").is_in(list(NOT_ACTIVITY_VERBS))
    return live(statements).filter(pl.col("school").is_not_null() & ~mentoring & ~other)


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
    """:func:`pipelines.activity.weekly.weekly_counts` of the store's activity statements,
    aggregated inside DuckDB (millions of LMS statements never cross into Arrow). Actors are
    grouped per school and week first and their roles looked up once per active actor: much
    cheaper than count(DISTINCT) over every statement."""
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
    """:func:`pipelines.activity.tools.monthly_types` of the store's activity statements,
    aggregated inside DuckDB."""
    return sources.statements_sql(
        f"school, date_trunc('month', {_UTC})::DATE AS month, activity_type, sum({_COMPLETED_SQL})::BIGINT AS completions",
        extra_where=f"{_activity_where()} AND activity_type IS NOT NULL",
        tail="GROUP BY ALL",
    )


# What this family reads (pipelines/core/compute.py keeps its marts when no new statement matches).
READS = _activity_where()


def compute(sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame]:
    """activity_weekly and activity_tools_monthly."""
    schools = sources.table("schools")
    return {
        "activity_weekly": weekly_from_counts(weekly_counts_sql(sources), schools, settings.min_cell_size),
        "activity_tools_monthly": tools_from_types(monthly_types_sql(sources), schools),
    }


_FEEDS = (
    "LMS and classroom statements attributed to a registry school: every live statement that is not a survey answer, DigCompEdu self-assessment, mentoring "
    "statement, micro-credential or voiding statement, whether or not it follows the profile's lms-* templates (a tool without an LMS category, an actor "
    "identified by mbox_sha1sum or openid, count)"
)
_SMALL = "student figures withheld when 1 to LAT_MIN_CELL_SIZE-1 students were active (students_suppressed)"
_INDICATORS: dict[str, tuple[str, str, str, str]] = {
    # column: (meaning, unit, formula, suppression)
    "week": (
        "ISO week (its Monday, UTC).",
        "date",
        "timestamp truncated to the week (Monday 00:00 UTC); every registry school has a row for every week from the first to the last week in which "
        "any school has activity (zeros in weeks without activity); a school id the registry does not know gets no row",
        "none",
    ),
    "active_teachers": (
        "Teachers active in the week.",
        "count",
        "distinct actors of the school's activity statements in the week whom people.csv gives the role teacher (an actor with several roles "
        "takes the alphabetically first); a teacher the registry places in another school counts for the school the statement is attributed to "
        "(its school extension wins, as in attribution), not for the registry's school",
        "none (staff activity)",
    ),
    "teachers": ("Registered teachers (head count).", "count", "the teachers column of the school in the registry (schools.csv)", "none"),
    "teacher_share": (
        "Share of the registered teachers active in the week.",
        "share 0-1",
        "active_teachers / teachers; empty when teachers = 0; above 1 when teachers registered elsewhere are active in the school",
        "none (staff activity)",
    ),
    "active_students": (
        "Students active in the week.",
        "count",
        "distinct actors of the school's activity statements in the week whom people.csv gives the role student (an actor with several roles "
        "takes the alphabetically first)",
        _SMALL,
    ),
    "students": ("Registered students (head count).", "count", "the students column of the school in the registry (schools.csv)", "none"),
    "student_share": ("Share of the registered students active in the week.", "share 0-1", "active_students / students; empty when students = 0", _SMALL),
    "students_suppressed": (
        "True when the week's student figures are withheld (too few students).",
        "boolean",
        "0 < active_students < LAT_MIN_CELL_SIZE",
        _SMALL,
    ),
    "completions": (
        "Completions in the week (activity_weekly) or the month (activity_tools_monthly): activity statements with verb completed or result.completion true.",
        "count",
        "count of such statements (each statement once)",
        "none (counts of events)",
    ),
    "teacher_share_change_4w": (
        "Change of the teacher share over 4 weeks.",
        "share points",
        "teacher_share - teacher_share of the week 4 weeks earlier (a week without activity has share 0); empty in the first 4 weeks listed or when "
        "either share is empty",
        "none (staff activity)",
    ),
    "student_share_change_4w": (
        "Change of the student share over 4 weeks.",
        "share points",
        "student_share - student_share of the week 4 weeks earlier (a week without activity has share 0); empty in the first 4 weeks listed or when "
        "either share is empty (a withheld week's share enters no change)",
        _SMALL,
    ),
    "tools": (
        "Digital tools in use in the month: distinct activity types of the school's activity statements.",
        "count",
        "distinct object activity types (object.definition.type) of the month's activity statements; statements without a type are not counted; "
        "a row per registry school and month with at least one typed activity statement",
        "none",
    ),
    "tool_list": (
        "The tools in use (last segment of each activity type IRI).",
        "text",
        "distinct short names (the last path segment of each type IRI, a trailing slash ignored), sorted by character code (capitals before small "
        "letters), joined by ', ' (a comma and one space; a name is listed once even when two types share it)",
        "none",
    ),
}
register(*(Indicator(f"activity.{c}", "activity", meaning, unit, formula, _FEEDS, sup) for c, (meaning, unit, formula, sup) in _INDICATORS.items()))
register_mart(Mart("activity_weekly", "school", "Weekly active teachers and students, completions and 4-week trends per school.", {
    "school": "school", "hub": "hub", **{c: f"activity.{c}" for c in WEEKLY_COLUMNS[2:]},
}))  # fmt: skip
register_mart(Mart("activity_tools_monthly", "school", "Digital tools in use and completions per school and month.", {
    "school": "school", "month": "month", "tools": "activity.tools", "tool_list": "activity.tool_list", "completions": "activity.completions",
}))  # fmt: skip
