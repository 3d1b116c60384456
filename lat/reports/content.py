"""The figures of a school report, read from the published marts through ``DataAccess`` (so a
report shows only what its reader's role may see) and never recomputed: every number in
the report is a number of a mart."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from lat.access.policy import DataAccess
from lat.errors import LatError
from lat.xapi import vocab

GROUPS = vocab.GROUPS
TOP = 3


@dataclass(frozen=True)
class Cell:
    """One group's figure in one area: mean (None when suppressed) and respondents."""

    group: str
    n: int
    mean: float | None


@dataclass(frozen=True)
class Area:
    """One area of the report: the school's group cells, its area score, hub and country means."""

    code: str
    cells: tuple[Cell, ...]
    score: float | None  # mean of the shown group means (as the profiles)
    hub: dict[str, float] = field(default_factory=dict)  # group -> hub mean (school-weighted), where shown
    country: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """A group's change in an area since the previous round."""

    area: str
    group: str
    previous_round: str
    change: float
    significant: bool


@dataclass(frozen=True)
class RankedItem:
    """A strongest or weakest item of a group."""

    group: str
    kind: str
    item: str
    mean: float


@dataclass(frozen=True)
class SchoolReport:
    """Everything a school report shows."""

    school: str
    school_name: str
    hub_name: str
    country_name: str
    round: str
    areas: tuple[Area, ...]
    respondents: dict[str, int]
    changes: tuple[Change, ...]
    previous_round: str | None
    items: tuple[RankedItem, ...]
    mentoring: dict[str, object] | None

    @property
    def overall(self) -> float | None:
        """The mean of the area scores (each area once)."""
        scores = [a.score for a in self.areas if a.score is not None]
        return sum(scores) / len(scores) if scores else None

    def ranked_areas(self) -> tuple[list[Area], list[Area]]:
        """The strongest and the weakest areas by score (at most 3 each, never both)."""
        scored = sorted((a for a in self.areas if a.score is not None), key=lambda a: (-(a.score or 0), a.code))
        strongest = scored[:TOP]
        weakest = [a for a in reversed(scored) if a not in strongest][:TOP]
        return strongest, weakest


def build(access: DataAccess, school: str, round_label: str) -> SchoolReport:
    """The report of ``school`` in ``round_label``; a LatError when the reader may not see the school or it has no figures."""
    registry = access.mart("registry_schools", school=school)
    if registry.is_empty():
        raise LatError(f"No school {school!r} in your scope: see 'lat registry show'.")
    area = access.mart("maturity_area", school=school, round=round_label)
    if area.is_empty():
        raise LatError(f"School {school!r} has no answers in round {round_label!r}.")
    info = registry.row(0, named=True)
    progress = access.mart("maturity_progress", school=school, round=round_label)
    return SchoolReport(
        school=school,
        school_name=str(info["school_name"]),
        hub_name=str(info.get("hub_name") or info["hub"]),
        country_name=str(info.get("country_name") or info["country"]),
        round=round_label,
        areas=_areas(access, area, info, round_label),
        respondents={str(g): int(n) for g, n in area.group_by("group").agg(pl.col("n").max()).iter_rows()},
        changes=_changes(progress),
        previous_round=progress["previous_round"].drop_nulls().first() if progress.height else None,  # type: ignore[arg-type]
        items=_items(access, school, round_label),
        mentoring=_mentoring(access, school),
    )


def _aggregate(access: DataAccess, mart: str, round_label: str, **where: str) -> pl.DataFrame:
    if mart not in access.marts():
        return pl.DataFrame(schema={"area": pl.String, "group": pl.String, "mean": pl.Float64})
    frame = access.mart(mart, round=round_label, weighting="school", **where)
    return frame.filter(~pl.col("suppressed")).select("area", "group", "mean")


def _areas(access: DataAccess, area: pl.DataFrame, info: dict[str, object], round_label: str) -> tuple[Area, ...]:
    hub = _aggregate(access, "maturity_hub", round_label, hub=str(info["hub"]))
    country = _aggregate(access, "maturity_country", round_label, country=str(info["country"]))
    out = []
    for code in vocab.AREAS:
        rows = area.filter(pl.col("area") == code)
        if rows.is_empty():
            continue
        cells = tuple(
            Cell(g, int(r["n"]), None if r["suppressed"] else float(r["mean"])) for g in GROUPS for r in rows.filter(pl.col("group") == g).iter_rows(named=True)
        )
        shown = [c.mean for c in cells if c.mean is not None]
        out.append(
            Area(
                code,
                cells,
                sum(shown) / len(shown) if shown else None,
                dict(hub.filter(pl.col("area") == code).select("group", "mean").iter_rows()),
                dict(country.filter(pl.col("area") == code).select("group", "mean").iter_rows()),
            )
        )
    return tuple(out)


def _changes(progress: pl.DataFrame) -> tuple[Change, ...]:
    shown = progress.filter(~pl.col("suppressed") & pl.col("change").is_not_null()).sort("area", "group")
    return tuple(Change(r["area"], r["group"], r["previous_round"], float(r["change"]), bool(r["significant"])) for r in shown.iter_rows(named=True))


def _items(access: DataAccess, school: str, round_label: str) -> tuple[RankedItem, ...]:
    frame = access.mart("maturity_strengths", school=school, round=round_label).sort("group", "kind", "rank")
    return tuple(RankedItem(r["group"], r["kind"], r["item"], float(r["mean"])) for r in frame.iter_rows(named=True))


def _mentoring(access: DataAccess, school: str) -> dict[str, object] | None:
    if "mentoring_progress" not in access.marts():
        return None
    rows = access.mart("mentoring_progress", school=school)
    if rows.is_empty():
        return None
    return rows.filter(pl.col("as_of") == pl.col("as_of").max()).row(0, named=True)
