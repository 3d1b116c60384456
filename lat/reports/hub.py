"""The figures of a hub report (for the hub coordinator and the hub's funders), read from the
published marts through ``DataAccess``: each school's area scores (their distribution per
area), the hub's means against the previous round, and the mentoring of every pair."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from lat.access.policy import DataAccess
from lat.errors import LatError
from lat.reports.stall import stall_words
from lat.xapi import vocab


@dataclass(frozen=True)
class HubArea:
    """One area: the schools' area scores and the hub's school-weighted mean by group, now and in the previous round."""

    code: str
    scores: tuple[float, ...]
    mean: dict[str, float]
    previous: dict[str, float]


@dataclass(frozen=True)
class Pair:
    """A mentee school's mentoring as of the latest snapshot."""

    school_name: str
    mentors: str
    status: str
    phase: str
    meetings: int
    stall_codes: tuple[str, ...]
    stall_reason: str
    days_since_contact: int | None
    last_contact: date | None

    def why(self, lang: str) -> str:
        """Why the school is stalled, in ``lang``."""
        return stall_words(self.stall_codes, self.stall_reason, self.days_since_contact, self.last_contact, lang)


@dataclass(frozen=True)
class HubReport:
    """Everything a hub report shows."""

    hub: str
    hub_name: str
    country_name: str
    round: str
    previous_round: str | None
    schools: int
    answered: int
    areas: tuple[HubArea, ...]
    pairs: tuple[Pair, ...]

    @property
    def stalled(self) -> tuple[Pair, ...]:
        """The stalled pairs."""
        return tuple(p for p in self.pairs if p.status == "stalled")


def build(access: DataAccess, hub: str, round_label: str) -> HubReport:
    """The report of ``hub`` in ``round_label``; a LatError when the hub is out of scope or has no answers."""
    hubs = access.mart("registry_hubs", hub=hub)
    if hubs.is_empty():
        raise LatError(f"No hub {hub!r} in your scope: see 'lat registry show'.")
    schools = access.mart("registry_schools", hub=hub)
    area = access.mart("maturity_area", school=schools["school"].to_list(), round=round_label) if schools.height else pl.DataFrame()
    if area.is_empty():
        raise LatError(f"Hub {hub!r} has no answers in round {round_label!r}.")
    previous = _previous_round(access, round_label)
    info = hubs.row(0, named=True)
    return HubReport(
        hub=hub,
        hub_name=str(info["hub_name"]),
        country_name=str(info["country_name"]),
        round=round_label,
        previous_round=previous,
        schools=schools.height,
        answered=area["school"].n_unique(),
        areas=_areas(access, area, hub, round_label, previous),
        pairs=_pairs(access, schools["school"].to_list()),
    )


def _previous_round(access: DataAccess, round_label: str) -> str | None:
    """The round that started just before ``round_label`` (the product's round order)."""
    if "rounds" not in access.marts():
        return None
    rounds = access.mart("rounds").sort("round_order")["round"].to_list()
    at = rounds.index(round_label) if round_label in rounds else 0
    return rounds[at - 1] if at > 0 else None


def _hub_means(access: DataAccess, hub: str, round_label: str | None) -> pl.DataFrame:
    if round_label is None or "maturity_hub" not in access.marts():
        return pl.DataFrame(schema={"area": pl.String, "group": pl.String, "mean": pl.Float64})
    frame = access.mart("maturity_hub", hub=hub, round=round_label, weighting="school")
    return frame.filter(~pl.col("suppressed")).select("area", "group", "mean")


def _areas(access: DataAccess, area: pl.DataFrame, hub: str, round_label: str, previous: str | None) -> tuple[HubArea, ...]:
    scores = area.filter(~pl.col("suppressed")).group_by("school", "area").agg(pl.col("mean").mean().alias("score"))
    now, before = _hub_means(access, hub, round_label), _hub_means(access, hub, previous)
    out = []
    for code in vocab.AREAS:
        values = scores.filter(pl.col("area") == code)["score"].sort().to_list()
        mean = dict(now.filter(pl.col("area") == code).select("group", "mean").iter_rows())
        if values or mean:
            out.append(HubArea(code, tuple(values), mean, dict(before.filter(pl.col("area") == code).select("group", "mean").iter_rows())))
    return tuple(out)


def _pairs(access: DataAccess, schools: list[str]) -> tuple[Pair, ...]:
    if "mentoring_progress" not in access.marts() or not schools:
        return ()
    progress = access.mart("mentoring_progress", school=schools)
    if progress.is_empty():
        return ()
    latest = progress.filter(pl.col("as_of") == pl.col("as_of").max()).sort("stalled", "school_name", descending=[True, False])
    return tuple(_pair(r) for r in latest.iter_rows(named=True))


def _pair(r: dict[str, Any]) -> Pair:
    codes = tuple(c for c in str(r["stall_code"] or "").split(",") if c)
    return Pair(
        str(r["school_name"]), str(r["mentors"] or ""), str(r["status"]), str(r["phase_reached"] or "—"), int(r["meetings"] or 0),
        codes, str(r["stall_reason"] or ""), r["days_since_contact"], r["last_contact"],
    )  # fmt: skip
