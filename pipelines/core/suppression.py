"""The suppression rules: what no published figure may be derived from.

1. The small-cell rule, applied to the answers before any figure is computed
   (:func:`shown_answers`): an answer feeds figures only when every cell it belongs to
   (for maturity: its item cell and its area cell, per school, round and respondent group)
   has at least ``LAT_MIN_CELL_SIZE`` respondents. A suppressed cell is thereby absent from
   every later computation: scores, profiles, pairing, outcomes, roll-ups and the texts
   that quote them. Changing the answers inside a suppressed cell changes no published
   figure (a property test checks it).
2. The minimum number of schools, applied to every hub, country and research aggregate
   (:func:`withhold_few_schools`): an aggregate of fewer than ``LAT_MIN_SCHOOLS`` schools
   would be one school's figure under another name.

Counts of respondents stay visible (SELFIE reports show them beside averages; a count
alone reveals no answer). A withheld row has ``suppressed`` true, its figures empty and,
on aggregates, ``suppressed_reason`` saying which rule withheld it.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

# suppressed_reason values (labels in EN and PL are the dashboard's)
FEW_RESPONDENTS = "few_respondents"
FEW_SCHOOLS = "few_schools"
REASONS = {
    FEW_RESPONDENTS: "fewer than LAT_MIN_CELL_SIZE respondents in every school cell (none of the schools' figures may be shown)",
    FEW_SCHOOLS: "fewer than LAT_MIN_SCHOOLS schools with figures (the aggregate would show one or two schools' figures)",
}


def is_small(n: str | pl.Expr, min_cell_size: int) -> pl.Expr:
    """True where the respondent count is below the threshold (a missing count is small too)."""
    count = pl.col(n) if isinstance(n, str) else n
    return count.fill_null(0) < min_cell_size


def withheld(min_cell_size: int) -> pl.Expr:
    """A cell of statistics built from the shown answers only (``scored``: its respondents
    with a shown answer) that has no figure: none of its answers is shown."""
    return is_small("scored", min_cell_size)


def shown_answers(answers: pl.LazyFrame, cells: Sequence[Sequence[str]], *, respondent: str, min_cell_size: int) -> pl.LazyFrame:
    """The answers that may feed a figure: those whose every cell (each a list of key
    columns) has at least ``min_cell_size`` distinct respondents."""
    shown = answers
    for cell in cells:
        keys = list(cell)
        big = answers.group_by(keys).agg(pl.col(respondent).n_unique().alias("_respondents")).filter(pl.col("_respondents") >= min_cell_size)
        shown = shown.join(big.select(keys), on=keys, how="semi")
    return shown


def suppress(frame: pl.LazyFrame, *, n: str, values: Sequence[str], min_cell_size: int) -> pl.LazyFrame:
    """Add ``suppressed`` and blank ``values`` where ``n`` < ``min_cell_size``."""
    return suppress_also(frame, when=is_small(n, min_cell_size), values=values)


def suppress_also(frame: pl.LazyFrame, *, when: pl.Expr, values: Sequence[str]) -> pl.LazyFrame:
    """Blank ``values`` and set ``suppressed`` wherever ``when`` holds (e.g. a derived cell
    whose inputs were suppressed)."""
    return frame.with_columns(
        *[pl.when(when).then(None).otherwise(pl.col(v)).alias(v) for v in values],
        when.fill_null(True).alias("suppressed"),
    )


def withhold_few_schools(frame: pl.LazyFrame, *, schools: str, values: Sequence[str], min_schools: int) -> pl.LazyFrame:
    """An aggregate row over ``schools`` schools with figures: ``values`` blanked, ``suppressed``
    true and ``suppressed_reason`` set when there are none (few_respondents) or fewer than
    ``min_schools`` (few_schools)."""
    count = pl.col(schools).fill_null(0)
    reason = pl.when(count == 0).then(pl.lit(FEW_RESPONDENTS)).when(count < min_schools).then(pl.lit(FEW_SCHOOLS)).otherwise(pl.lit(None, dtype=pl.String))
    return suppress_also(frame.with_columns(reason.alias("suppressed_reason")), when=pl.col("suppressed_reason").is_not_null(), values=values)
