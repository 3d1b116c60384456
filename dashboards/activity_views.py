"""The dashboard's tables over time: digital activity by week or month, the period filter,
and micro-credentials (each a function of (DataAccess, Params) returning a polars frame)."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from dashboards.reading import Params, published, read
from lat.access.policy import AccessDenied, DataAccess
from lat.access.roles import BADGE_LIST
from lat.errors import LatError

# --- periods (activity trends and the mentoring timeline) ----------------------------------------

GRAINS = ("week", "month")


def period_bounds(p: Params) -> tuple[date | None, date | None]:
    """The chosen period as dates (None = open end); a malformed date is a LatError."""

    def parse(name: str, value: str) -> date | None:
        if not value:
            return None
        try:
            return date.fromisoformat(value[:10])  # the date picker may send a time after the date
        except ValueError:
            raise LatError(f"{name} date {value!r} is not a date: use YYYY-MM-DD.") from None

    start, end = parse("start", p.start), parse("end", p.end)
    if start and end and start > end:
        raise LatError(f"The period starts ({start}) after it ends ({end}).")
    return start, end


def within(frame: pl.DataFrame, column: str, p: Params) -> pl.DataFrame:
    """Rows whose date ``column`` lies in the chosen period (both ends included)."""
    start, end = period_bounds(p)
    if start is not None:
        frame = frame.filter(pl.col(column).cast(pl.Date) >= start)
    if end is not None:
        frame = frame.filter(pl.col(column).cast(pl.Date) <= end)
    return frame


def grain(p: Params) -> str:
    """The chosen time grain, week by default; a LatError for anything but week or month."""
    if p.grain and p.grain not in GRAINS:
        raise LatError(f"Time grain {p.grain!r}: choose week or month.")
    return p.grain or "week"


# --- digital activity ----------------------------------------------------------------------------

ACTIVITY_COLUMNS = [
    "period",
    "weeks",
    "active_teachers",
    "teachers",
    "teacher_share",
    "active_students",
    "students",
    "student_share",
    "students_suppressed",
    "completions",
]
HUB_ACTIVITY_COLUMNS = [*ACTIVITY_COLUMNS, "schools", "schools_withheld"]


def _activity_schema(columns: list[str]) -> dict[str, Any]:
    types = {"period": pl.Date, "teacher_share": pl.Float64, "student_share": pl.Float64, "students_suppressed": pl.Boolean}
    return {c: types.get(c, pl.Int64) for c in columns}


def _weekly(access: DataAccess, p: Params, **filters: Any) -> pl.DataFrame:
    if not published(access, "activity_weekly"):
        return pl.DataFrame(schema={"school": pl.String, "week": pl.Date})
    return within(read(access, "activity_weekly", **filters), "week", p)


def school_activity(access: DataAccess, p: Params) -> pl.DataFrame:
    """The school's active teachers and students per week, or per month (averages of its weeks).

    A month's student figures are withheld when any of its weeks had them withheld: an
    average over the other weeks would read as the whole month.
    """
    weekly = _weekly(access, p, school=p.school) if p.school else pl.DataFrame()
    if weekly.is_empty():
        return pl.DataFrame(schema=_activity_schema(ACTIVITY_COLUMNS))
    rows = weekly.select(pl.col("week").alias("period"), pl.lit(1, pl.Int64).alias("weeks"), *ACTIVITY_COLUMNS[2:])
    return _to_grain(rows, grain(p), access.settings.min_cell_size).select(ACTIVITY_COLUMNS)


def hub_activity(access: DataAccess, p: Params) -> pl.DataFrame:
    """The hub's schools together (of the chosen level): active shares per week or month.

    Teacher shares are over every school. Student shares are over the schools whose figures
    are shown that week (``schools_withheld`` counts the others): a withheld figure never
    enters a sum, so no difference of two totals can reveal it; a total below the minimum
    cell size is withheld as well.
    """
    if not p.hub:
        return pl.DataFrame(schema=_activity_schema(HUB_ACTIVITY_COLUMNS))
    schools = read(access, "registry_schools", hub=p.hub, level=p.level)["school"].to_list()
    weekly = _weekly(access, p, school=schools) if schools else pl.DataFrame()
    if weekly.is_empty():
        return pl.DataFrame(schema=_activity_schema(HUB_ACTIVITY_COLUMNS))
    shown = ~pl.col("students_suppressed")
    rows = weekly.group_by(pl.col("week").alias("period")).agg(
        pl.lit(1, pl.Int64).alias("weeks"),
        pl.col("active_teachers").sum(),
        pl.col("teachers").sum().cast(pl.Int64),
        pl.col("active_students").filter(shown).sum(),
        pl.col("students").filter(shown).sum().cast(pl.Int64),
        pl.col("completions").sum(),
        pl.len().cast(pl.Int64).alias("schools"),
        pl.col("students_suppressed").sum().cast(pl.Int64).alias("schools_withheld"),
    )
    # withheld: a total of 1..min-1 students, or no school's figures shown at all (0 of 0 is no zero)
    small = pl.col("active_students").is_between(1, access.settings.min_cell_size - 1) | (pl.col("schools_withheld") == pl.col("schools"))
    rows = rows.with_columns(
        _ratio("active_teachers", "teachers").alias("teacher_share"),
        pl.when(small).then(None).otherwise(_ratio("active_students", "students")).alias("student_share"),
        small.alias("students_suppressed"),
        pl.when(small).then(None).otherwise(pl.col("active_students")).alias("active_students"),
    )
    return _to_grain(rows, grain(p), access.settings.min_cell_size).select(HUB_ACTIVITY_COLUMNS)


def _ratio(numerator: str, denominator: str) -> pl.Expr:
    return pl.when(pl.col(denominator) > 0).then(pl.col(numerator) / pl.col(denominator))


def _to_grain(weekly: pl.DataFrame, chosen: str, min_cell_size: int) -> pl.DataFrame:
    """Weekly rows as they are, or months (a week counts in its Monday's month): averages of the
    weeks for counts and shares, sums for completions, withheld when any week was withheld."""
    if chosen == "week":
        return weekly.sort("period")
    withheld = pl.col("students_suppressed").any()
    averaged = [pl.col(c).mean() for c in ("active_teachers", "teachers", "teacher_share")]
    extra = [pl.col(c).max() for c in ("schools", "schools_withheld") if c in weekly.columns]
    months = weekly.group_by(pl.col("period").dt.month_start()).agg(
        pl.len().cast(pl.Int64).alias("weeks"),
        *averaged,
        pl.col("students").mean(),
        pl.col("completions").sum(),
        *extra,
        withheld.alias("students_suppressed"),
        pl.when(withheld).then(None).otherwise(pl.col("active_students").mean()).alias("active_students"),
        pl.when(withheld).then(None).otherwise(pl.col("student_share").mean()).alias("student_share"),
    )
    rounded = [pl.col(c).round(0).cast(pl.Int64) for c in ("active_teachers", "teachers", "active_students", "students")]
    return months.with_columns(rounded).sort("period")


# --- micro-credentials ----------------------------------------------------------------------------

COUNT_COLUMNS = ["achievement_name", "earned", "imported"]


def _credentials(access: DataAccess, name: str, columns: list[str], **filters: Any) -> pl.DataFrame:
    if not published(access, name):
        return pl.DataFrame(schema={c: (pl.String if c in ("achievement_name", "country") else pl.Int64) for c in columns})
    frame = read(access, name, **filters).with_columns(pl.col("achievement_name").fill_null(pl.col("achievement")))
    return frame.select(columns).sort(
        [c for c in ("country",) if c in columns] + ["earned", "achievement_name"], descending=[False] * ("country" in columns) + [True, False]
    )


def school_credentials(access: DataAccess, p: Params) -> pl.DataFrame:
    """Micro-credentials earned by the school's people, per achievement."""
    if not p.school:
        return pl.DataFrame(schema={"achievement_name": pl.String, "earned": pl.Int64, "imported": pl.Int64})
    return _credentials(access, "credentials_school", COUNT_COLUMNS, school=p.school)


def school_badges(access: DataAccess, p: Params) -> pl.DataFrame:
    """Each teacher's own micro-credentials at the school (school heads and admins only)."""
    if not access.may(BADGE_LIST):
        raise AccessDenied("Only the school's head and administrators see which teacher earned which badge.")
    columns = ["person", "achievement_name", "earned_on", "issued_by"]
    if not p.school or not published(access, "credentials_person"):
        return pl.DataFrame(schema={c: pl.String for c in columns})
    frame = read(access, "credentials_person", school=p.school).with_columns(pl.col("achievement_name").fill_null(pl.col("achievement")))
    return within(frame, "earned_on", p).select(columns).sort("person", "earned_on", "achievement_name")


def hub_credentials(access: DataAccess, p: Params) -> pl.DataFrame:
    """Micro-credentials earned in the hub, per achievement, with the schools of the earners."""
    if not p.hub:
        return pl.DataFrame(schema={"achievement_name": pl.String, "earned": pl.Int64, "imported": pl.Int64, "schools": pl.Int64})
    return _credentials(access, "credentials_hub", [*COUNT_COLUMNS, "schools"], hub=p.hub)


def country_credentials(access: DataAccess, p: Params) -> pl.DataFrame:
    """Micro-credentials earned per country and achievement."""
    return _credentials(access, "credentials_country", ["country", *COUNT_COLUMNS, "schools"], country=p.country)
