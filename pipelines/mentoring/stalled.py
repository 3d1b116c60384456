"""The "stalled" rule: which mentee schools need a hub coordinator's attention, and why.

A mentee school whose mentoring is running (started, not ended) on ``as_of`` is stalled
when at least one of these holds (codes in brackets, for the dashboard to translate):

* ``no_contact``: its last mentoring contact (meeting, goal, action-plan step or lesson
  observation) is ``stalled_days`` (``LAT_STALLED_DAYS``, 30) days old or older;
* ``never_contacted``: it has had no contact at all, ``stalled_days`` or more days after
  the mentoring started;
* ``behind_plan``: the midpoint of the mentoring period (halfway from start to end) has
  passed and under a third of its action-plan steps are done;
* ``no_plan``: the midpoint has passed and no action-plan step has been planned.

``status`` is ``stalled``, ``on_track``, ``ended`` (after the end date) or ``not_started``
(never: only started mentoring is in the progress frame). Several codes are joined with a
comma; the English reasons with a space.
"""

from __future__ import annotations

import polars as pl

MIDPOINT_SHARE = 1 / 3  # steps done at the midpoint below which a school is behind plan

STALL_CODES: dict[str, str] = {
    "no_contact": "No mentoring contact for a number of days at or over the limit.",
    "never_contacted": "No mentoring contact at all since the mentoring started, for the limit or longer.",
    "behind_plan": "Under a third of the action-plan steps done after the midpoint of the mentoring period.",
    "no_plan": "No action-plan step planned after the midpoint of the mentoring period.",
}


def _running() -> pl.Expr:
    return pl.col("mentoring_end").is_null() | (pl.col("as_of") <= pl.col("mentoring_end"))


def _midpoint() -> pl.Expr:
    span = pl.col("mentoring_end") - pl.col("mentoring_start")
    return pl.col("mentoring_start") + pl.duration(days=span.dt.total_days() // 2)


def _rules(stalled_days: int) -> list[tuple[str, pl.Expr, pl.Expr]]:
    """(code, condition, English reason) for each rule, in the order reasons are shown."""
    past_midpoint = pl.col("mentoring_end").is_not_null() & (pl.col("as_of") >= _midpoint())
    share_pct = (pl.col("steps_share") * 100).round(0).cast(pl.Int64)
    return [
        (
            "no_contact",
            pl.col("days_since_contact") >= stalled_days,
            pl.format("No mentoring contact for {} days (last on {}; the limit is {} days).", "days_since_contact", "last_contact", pl.lit(stalled_days)),
        ),
        (
            "never_contacted",
            pl.col("last_contact").is_null() & (pl.col("days_in_mentoring") >= stalled_days),
            pl.format("No mentoring contact in the {} days since the mentoring started on {}.", "days_in_mentoring", "mentoring_start"),
        ),
        (
            "behind_plan",
            past_midpoint & (pl.col("steps_planned") > 0) & (pl.col("steps_share") < MIDPOINT_SHARE),
            pl.format(
                "Only {} of {} action-plan steps done ({}%) after the midpoint of the mentoring period ({}).",
                "steps_completed",
                "steps_planned",
                share_pct,
                _midpoint(),
            ),
        ),
        (
            "no_plan",
            past_midpoint & (pl.col("steps_planned") == 0),
            pl.format("No action-plan step planned after the midpoint of the mentoring period ({}).", _midpoint()),
        ),
    ]


def stall_status(progress: pl.LazyFrame, stalled_days: int) -> pl.LazyFrame:
    """``progress`` (see :func:`pipelines.mentoring.progress.progress`) plus status, stall_code and stall_reason."""
    rules = _rules(stalled_days)
    codes = [pl.when(_running() & cond.fill_null(False)).then(pl.lit(code)) for code, cond, _ in rules]
    reasons = [pl.when(_running() & cond.fill_null(False)).then(text) for _, cond, text in rules]
    flagged = progress.with_columns(
        pl.concat_str(codes, separator=",", ignore_nulls=True).alias("stall_code"),
        pl.concat_str(reasons, separator=" ", ignore_nulls=True).alias("stall_reason"),
    ).with_columns(pl.col("stall_code", "stall_reason").replace("", None))
    return flagged.with_columns(
        pl.when(~_running())
        .then(pl.lit("ended"))
        .when(pl.col("stall_code").is_not_null())
        .then(pl.lit("stalled"))
        .otherwise(pl.lit("on_track"))
        .alias("status"),
        pl.col("stall_code").is_not_null().alias("stalled"),
    )
