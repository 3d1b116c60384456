"""Maturity per school, round, area and respondent group: the area's statistics per partition
(stage 1, kept between runs) and the published cell (stage 2, ``maturity_area``)."""

from __future__ import annotations

import polars as pl

from pipelines.core import stable
from pipelines.core.suppression import suppress_also, withheld
from pipelines.maturity import reliability
from pipelines.maturity.cells import AGREE_FROM, CELL


def area_state(scored: pl.LazyFrame, shown: pl.LazyFrame) -> pl.LazyFrame:
    """Per school, round, area, group: respondents with a score (n, from every answer), and
    from the shown answers only (:func:`pipelines.maturity.cells.shown`): respondents
    (scored), answers, sums, agreeing answers, the sum and sum of squares of respondents'
    area means (for progress and roll-up intervals) and Cronbach's alpha. A suppressed
    cell has n but scored 0 and no figures."""
    respondents = scored.group_by(CELL).agg(pl.col("respondent").n_unique().alias("n"))
    # one pass over the answers per respondent; the cell figures add those up
    per_respondent = shown.group_by([*CELL, "respondent"]).agg(
        pl.len().alias("answers"),
        pl.col("score").sum().alias("score_sum"),
        (pl.col("score") >= AGREE_FROM).sum().alias("agree"),
    )
    rmean = pl.col("score_sum") / pl.col("answers")
    cells = per_respondent.group_by(CELL).agg(
        pl.len().alias("scored"),
        pl.col("answers").sum(),
        pl.col("score_sum").sum(),
        pl.col("agree").sum(),
        stable.total(rmean).alias("rmean_sum"),
        stable.total(rmean**2).alias("rmean_sumsq"),
    )
    alpha = reliability.cronbach_alpha(shown, CELL)
    counts = [pl.col(c).fill_null(0).cast(pl.Int64) for c in ("scored", "answers", "score_sum", "agree")]
    return (
        respondents.join(cells, on=CELL, how="left")
        .join(alpha, on=CELL, how="left")
        .select(*CELL, pl.col("n").cast(pl.Int64), *counts, "rmean_sum", "rmean_sumsq", "alpha", "alpha_n", "alpha_k")
    )


def area_cells(area: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    """maturity_area: mean of the shown answers 1-5 and share agreeing."""
    return suppress_also(
        area.select(
            *CELL,
            "n",
            "scored",
            (pl.col("score_sum") / pl.col("answers")).alias("mean"),
            (pl.col("agree") / pl.col("answers")).alias("share_agree"),
        ),
        when=withheld(min_cell_size),
        values=["mean", "share_agree"],
    ).drop("scored")
