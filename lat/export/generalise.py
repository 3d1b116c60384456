"""Generalisation hierarchies for the quasi-identifiers of an export.

A :class:`Hierarchy` lists the values of one column from the finest (level 0, as collected)
to the coarsest (``*``: nothing left). :mod:`lat.export.kanon` climbs them until the export
is k-anonymous. The bands and steps are documented in docs/export.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

TOP = "*"  # the top of every hierarchy: the value is withheld

# School size (pupils) bands: fine, then coarse. Upper bounds are exclusive.
SIZE_BANDS: tuple[tuple[int, str], ...] = ((200, "<200"), (400, "200-399"), (600, "400-599"), (800, "600-799"))
SIZE_BAND_TOP = "800+"
COARSE_SIZE_BANDS: tuple[tuple[int, str], ...] = ((400, "<400"),)
COARSE_SIZE_TOP = "400+"

# Respondent groups: the staff groups merge before the group goes.
GROUP_PARENT = {"leader": "staff", "teacher": "staff", "student": "student"}


@dataclass(frozen=True)
class Hierarchy:
    """One quasi-identifier: its output column, level names and one expression per level."""

    column: str
    names: tuple[str, ...]
    levels: tuple[pl.Expr, ...]

    def __post_init__(self) -> None:
        if len(self.names) != len(self.levels):
            raise ValueError(f"{self.column}: {len(self.names)} level names for {len(self.levels)} levels")

    @property
    def top(self) -> int:
        """The index of the last (most general) level."""
        return len(self.levels) - 1


def band(value: pl.Expr, bands: tuple[tuple[int, str], ...], last: str) -> pl.Expr:
    """``value`` (a number) as the label of its band."""
    expr: Then | ChainedThen = pl.when(value.is_null()).then(pl.lit(None, pl.String))
    for upper, label in bands:
        expr = expr.when(value < upper).then(pl.lit(label))
    return expr.otherwise(pl.lit(last))


def top() -> pl.Expr:
    """The withheld value ('*'), as a literal."""
    return pl.lit(TOP)


def identity(column: str) -> Hierarchy:
    """A column kept as it is or withheld."""
    return Hierarchy(column, ("value", "withheld"), (pl.col(column).cast(pl.String), top()))


def size_band(column: str, pupils: str) -> Hierarchy:
    """School size from the pupil count: fine band, coarse band, withheld."""
    return Hierarchy(
        column,
        ("band", "coarse band", "withheld"),
        (
            band(pl.col(pupils), SIZE_BANDS, SIZE_BAND_TOP),
            band(pl.col(pupils), COARSE_SIZE_BANDS, COARSE_SIZE_TOP),
            top(),
        ),
    )


def group(column: str, source: str) -> Hierarchy:
    """Respondent group: leader/teacher/student, then staff/student, then withheld."""
    return Hierarchy(
        column,
        ("group", "staff or student", "withheld"),
        (
            pl.col(source),
            pl.col(source).replace_strict(GROUP_PARENT, default=TOP, return_dtype=pl.String),
            top(),
        ),
    )


def period(column: str, moment: str) -> Hierarchy:
    """When an answer was given: ISO week (``2025-W39``), month (``2025-09``), withheld."""
    when = pl.col(moment)
    week = pl.format("{}-W{}", when.dt.iso_year(), when.dt.week().cast(pl.String).str.zfill(2))
    return Hierarchy(column, ("week", "month", "withheld"), (week, when.dt.strftime("%Y-%m"), top()))
