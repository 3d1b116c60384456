"""The dashboard's tables: each a function of (DataAccess, Params) returning a polars frame.

Pages show these frames and ``/download/<view>.<csv|xlsx>`` serves the same frames, so what
a user downloads is exactly what the page shows. Every read goes through
:class:`lat.access.policy.DataAccess`: a school outside the user's scope yields empty frames,
never an error that names it. Column names are stable identifiers (English); pages
translate the headers.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from dashboards.activity_views import (
    country_credentials,
    hub_activity,
    hub_credentials,
    school_activity,
    school_badges,
    school_credentials,
    within,
)
from dashboards.reading import Params, published, read
from lat.access.policy import AccessDenied, DataAccess, one_of
from lat.access.roles import SCHOOL_ROWS
from lat.errors import LatError

GROUP_ORDER = ("leader", "teacher", "student")


# --- choices for the filters ------------------------------------------------------------------


def school_choices(access: DataAccess) -> pl.DataFrame:
    """Schools in scope with name, hub and level (empty for researchers)."""
    if not access.may(SCHOOL_ROWS):
        return pl.DataFrame(schema={c: pl.String for c in ("school", "school_name", "hub", "hub_name", "country", "level")})
    return read(access, "registry_schools").select("school", "school_name", "hub", "hub_name", "country", "level").sort("school_name")


def hub_choices(access: DataAccess) -> pl.DataFrame:
    """Hubs whose schools the user may look into: a coordinator's own hubs, the hubs of a
    mentor's or head's schools, every hub for admins (researchers: none)."""
    frame = read(access, "registry_hubs").select("hub", "hub_name", "country", "country_name").sort("hub_name")
    hubs = access.school_hubs()
    return frame if hubs is None else frame.filter(one_of("hub", sorted(hubs)))


def round_choices(access: DataAccess, school: str = "") -> list[str]:
    """Survey rounds, newest first (of one school when given, else of the country marts)."""
    frame = read(access, "maturity_area", school=school) if school else read(access, "maturity_country")
    order = round_order(access)
    return sorted(frame["round"].unique().drop_nulls().to_list(), key=lambda r: (order.get(r, len(order)), r), reverse=True)


def round_order(access: DataAccess) -> dict[str, int]:
    """round -> its place in the product's one round order (the ``rounds`` mart: by start,
    then label; labels alone when that mart is not published)."""
    if not published(access, "rounds"):
        return {}
    rounds = read(access, "rounds").sort("round_order")
    return dict(zip(rounds["round"].to_list(), rounds["round_order"].to_list(), strict=True))


def in_round_order(access: DataAccess, frame: pl.DataFrame, *keys: str) -> pl.DataFrame:
    """``frame`` sorted by ``keys``, with its ``round`` column in the round order."""
    order = round_order(access)
    place = pl.col("round").replace_strict(order, default=len(order), return_dtype=pl.Int64)
    return frame.sort([pl.col(k) if k != "round" else place for k in keys] + [pl.col("round")])


# --- school readiness -------------------------------------------------------------------------


def school_areas(access: DataAccess, p: Params) -> pl.DataFrame:
    """Area averages per respondent group (suppressed cells keep their count, never a mean)."""
    frame = read(access, "maturity_area", school=p.school, round=p.round, area=p.area) if p.school else _empty_area()
    return _group_sorted(frame.select("area", "group", "n", "mean", "share_agree", "suppressed"), "area")


def school_items(access: DataAccess, p: Params) -> pl.DataFrame:
    """Item averages per respondent group."""
    if not p.school:
        return pl.DataFrame(schema={"area": pl.String, "item": pl.String, "group": pl.String, "n": pl.UInt32, "mean": pl.Float64, "suppressed": pl.Boolean})
    frame = read(access, "maturity_item", school=p.school, round=p.round, area=p.area)
    return _group_sorted(frame.select("area", "item", "group", "n", "mean", "suppressed"), "item")


def school_gaps(access: DataAccess, p: Params) -> pl.DataFrame:
    """Differences between groups' area means; ``large_gap`` from 0.5 points."""
    if not p.school:
        return pl.DataFrame(schema={"area": pl.String, "pair": pl.String, "gap": pl.Float64, "large_gap": pl.Boolean, "suppressed": pl.Boolean})
    frame = read(access, "maturity_gaps", school=p.school, round=p.round, area=p.area)
    return frame.select("area", "pair", "gap", "large_gap", "suppressed").sort("area", "pair")


def school_strengths(access: DataAccess, p: Params) -> pl.DataFrame:
    """The three strongest and weakest items of each group."""
    if not p.school:
        return pl.DataFrame(
            schema={"group": pl.String, "kind": pl.String, "rank": pl.Int64, "item": pl.String, "area": pl.String, "n": pl.UInt32, "mean": pl.Float64}
        )
    frame = read(access, "maturity_strengths", school=p.school, round=p.round)
    if p.area:
        frame = frame.filter(pl.col("area") == p.area)
    return _group_sorted(frame.select("group", "kind", "rank", "item", "area", "n", "mean"), "kind", "rank")


def school_progress(access: DataAccess, p: Params) -> pl.DataFrame:
    """Change of each group's area mean from the previous round, with 95% intervals."""
    columns = ["area", "group", "previous_round", "n_previous", "mean_previous", "n", "mean", "change", "ci_low", "ci_high", "significant", "suppressed"]
    if not p.school:
        return pl.DataFrame(schema={c: pl.String for c in columns})
    frame = read(access, "maturity_progress", school=p.school, round=p.round, area=p.area)
    return _group_sorted(frame.select(columns), "area")


def school_timeline(access: DataAccess, p: Params) -> pl.DataFrame:
    """The school's mentoring log month by month: cumulative meetings, goals, steps, observations."""
    columns = [
        "as_of",
        "meetings",
        "goals_set",
        "goals_achieved",
        "steps_planned",
        "steps_completed",
        "observations",
        "phase_reached",
        "last_contact",
        "status",
        "stall_reason",
    ]
    if not p.school:
        return pl.DataFrame(schema={c: pl.String for c in columns})
    frame = read(access, "mentoring_progress", school=p.school).select(columns)
    return within(frame, "as_of", p).sort("as_of")


# --- mentoring ----------------------------------------------------------------------------------


def mentee_progress(access: DataAccess, p: Params) -> pl.DataFrame:
    """Each mentee school's latest progress (schools of the chosen level), stalled first, with the modelled risk."""
    frame = read(access, "mentoring_progress", hub=p.hub)
    if p.level:
        frame = frame.filter(one_of("school", read(access, "registry_schools", level=p.level)["school"]))
    if frame.is_empty():
        return _latest_progress(frame).with_columns(pl.lit(None, pl.Float64).alias("risk"))
    latest = _latest_progress(frame)
    if published(access, "stall_risk"):
        risk = read(access, "stall_risk").select("school", "risk")
        latest = latest.join(risk, on="school", how="left")
    else:
        latest = latest.with_columns(pl.lit(None, pl.Float64).alias("risk"))
    order = pl.col("status").replace_strict({"stalled": 0, "on_track": 1, "not_started": 2, "ended": 3}, default=4)
    return latest.sort(order, pl.col("days_since_contact").fill_null(10**6), descending=[False, True])


def _latest_progress(frame: pl.DataFrame) -> pl.DataFrame:
    columns = [
        "school",
        "school_name",
        "hub",
        "mentors",
        "as_of",
        "status",
        "stall_code",
        "stall_reason",
        "days_since_contact",
        "last_contact",
        "days_in_mentoring",
        "mentoring_start",
        "meetings",
        "meetings_this_month",
        "goals_set",
        "goals_achieved",
        "steps_planned",
        "steps_completed",
        "steps_share",
        "observations",
        "teacher_share",
        "phase_reached",
    ]
    latest = frame.sort("as_of").group_by("school", maintain_order=True).last()
    return latest.select(columns)


# --- hub -------------------------------------------------------------------------------------------


def hub_schools(access: DataAccess, p: Params) -> pl.DataFrame:
    """The hub's schools: level, respondents, a maturity score per school and mentoring status.

    ``score`` is the school's overall maturity in the round as the profiles and the mentoring
    outcome define it: the mean over areas of the school area score (the mean of the groups'
    area means, suppressed cells left out); only the chosen area when one is chosen.
    ``cells_scored`` says how many area x group cells fed it.
    """
    schools = read(access, "registry_schools", hub=p.hub, level=p.level, country=p.country)
    schools = schools.select("school", "school_name", "hub", "country", "level", "teachers", "students")
    area = read(access, "maturity_area", school=schools["school"].to_list(), round=p.round, area=p.area) if schools.height else _empty_area()
    shown = ~pl.col("suppressed")
    per_area = area.group_by("school", "area").agg(
        pl.col("mean").filter(shown).mean().alias("area_score"),
        shown.sum().cast(pl.Int64).alias("cells"),
        pl.col("n").sum().cast(pl.Int64).alias("respondents"),
    )
    scores = per_area.group_by("school").agg(
        pl.col("area_score").mean().alias("score"),
        pl.col("cells").sum().alias("cells_scored"),
        pl.col("respondents").filter(pl.col("area") == pl.col("area").min()).sum().alias("respondents"),
    )
    out = schools.join(scores, on="school", how="left")
    if published(access, "mentoring_progress") and schools.height:
        status = _latest_progress(read(access, "mentoring_progress", school=schools["school"].to_list())).select("school", "status", "stall_code")
        out = out.join(status, on="school", how="left")
    else:
        out = out.with_columns(pl.lit(None, pl.String).alias("status"), pl.lit(None, pl.String).alias("stall_code"))
    return out.sort(pl.col("score").fill_null(-1.0), descending=True)


def hub_area_scores(access: DataAccess, p: Params) -> pl.DataFrame:
    """Each school's area score (mean of its unsuppressed group means): the distributions."""
    schools = read(access, "registry_schools", hub=p.hub, level=p.level, country=p.country).select("school", "school_name")
    if schools.is_empty():
        return pl.DataFrame(schema={"school": pl.String, "school_name": pl.String, "area": pl.String, "score": pl.Float64})
    frame = read(access, "maturity_area", school=schools["school"].to_list(), round=p.round, area=p.area)
    scores = frame.filter(~pl.col("suppressed")).group_by("school", "area").agg(pl.col("mean").mean().alias("score"))
    return scores.join(schools, on="school").select("school", "school_name", "area", "score").sort("area", "school")


def hub_pairs(access: DataAccess, p: Params) -> pl.DataFrame:
    """Suggested mentor-mentee pairs of the hub (when the pairing pipeline has published them)."""
    if not published(access, "pairing_suggestions"):
        return pl.DataFrame(schema={"mentor_name": pl.String, "mentee_name": pl.String, "score": pl.Float64, "explanation": pl.String})
    frame = read(access, "pairing_suggestions", hub=p.hub)
    return frame.select("mentor_school", "mentor_name", "mentee_school", "mentee_name", "language", "score", "explanation")


def hub_profiles(access: DataAccess, p: Params) -> pl.DataFrame:
    """Schools' maturity profiles (when published)."""
    if not published(access, "school_profiles"):
        return pl.DataFrame(schema={"school": pl.String, "school_name": pl.String, "label": pl.String, "overall_score": pl.Float64})
    return read(access, "school_profiles", hub=p.hub).select("school", "school_name", "round", "label", "overall_score")


# --- comparison and research (aggregates) --------------------------------------------------------


def country_maturity(access: DataAccess, p: Params) -> pl.DataFrame:
    """Country means (school-weighted) with 95% intervals, per round, area and group."""
    frame = read(access, "maturity_country", weighting="school", round=p.round, area=p.area, group=p.group, country=p.country)
    columns = ["country", "round", "area", "group", "schools", "n", "mean", "ci_low", "ci_high", "median", "q1", "q3", "suppressed", "suppressed_reason"]
    return in_round_order(access, frame.select(columns), "country", "round", "area", "group")


def hub_maturity(access: DataAccess, p: Params) -> pl.DataFrame:
    """Hub means (school-weighted) with 95% intervals, per round, area and group."""
    frame = read(access, "maturity_hub", weighting="school", round=p.round, area=p.area, group=p.group, country=p.country)
    columns = ["hub", "country", "round", "area", "group", "schools", "n", "mean", "ci_low", "ci_high", "suppressed", "suppressed_reason"]
    return in_round_order(access, frame.select(columns), "country", "hub", "round", "area", "group")


def outcome_summary(access: DataAccess, p: Params) -> pl.DataFrame:
    """Mean maturity change of mentored and other schools, per hub."""
    if not published(access, "mentoring_outcome_summary"):
        return pl.DataFrame(
            schema={
                "hub": pl.String, "mentored": pl.Boolean, "schools": pl.Int64, "mean_change": pl.Float64, "difference": pl.Float64,
                "suppressed": pl.Boolean, "suppressed_reason": pl.String,
            }
        )  # fmt: skip
    return read(access, "mentoring_outcome_summary", hub=p.hub).sort("hub", "mentored")


VIEWS: dict[str, Callable[[DataAccess, Params], pl.DataFrame]] = {
    "school-areas": school_areas,
    "school-items": school_items,
    "school-gaps": school_gaps,
    "school-strengths": school_strengths,
    "school-progress": school_progress,
    "school-timeline": school_timeline,
    "mentee-progress": mentee_progress,
    "hub-schools": hub_schools,
    "hub-area-scores": hub_area_scores,
    "hub-pairs": hub_pairs,
    "hub-profiles": hub_profiles,
    "country-maturity": country_maturity,
    "hub-maturity": hub_maturity,
    "outcome-summary": outcome_summary,
    "school-activity": school_activity,
    "school-credentials": school_credentials,
    "school-badges": school_badges,
    "hub-activity": hub_activity,
    "hub-credentials": hub_credentials,
    "country-credentials": country_credentials,
}


def view(name: str, access: DataAccess, params: Params) -> pl.DataFrame:
    """Run view ``name``; unknown names are a LatError (the download route answers 404)."""
    try:
        function = VIEWS[name]
    except KeyError:
        raise LatError(f"No table called {name!r}.") from None
    return function(access, params)


def safe(function: Callable[[], pl.DataFrame]) -> tuple[pl.DataFrame | None, str | None]:
    """(frame, None), or (None, plain-words reason) when access is refused or data is missing."""
    try:
        return function(), None
    except AccessDenied:
        return None, "denied"
    except LatError as exc:
        return None, str(exc)


def _empty_area() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "school": pl.String,
            "round": pl.String,
            "area": pl.String,
            "group": pl.String,
            "n": pl.UInt32,
            "mean": pl.Float64,
            "share_agree": pl.Float64,
            "suppressed": pl.Boolean,
        }
    )


def _group_sorted(frame: pl.DataFrame, *first: str) -> pl.DataFrame:
    """Sort by ``first`` columns, then leaders, teachers, students (the SELFIE order)."""
    if "group" not in frame.columns:
        return frame.sort(*first)
    rank = pl.col("group").replace_strict({g: i for i, g in enumerate(GROUP_ORDER)}, default=len(GROUP_ORDER), return_dtype=pl.Int64)
    return frame.sort([*first, rank]) if first else frame.sort(rank)
