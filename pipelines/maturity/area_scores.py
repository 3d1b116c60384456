"""Maturity per school, round, area and respondent group: the area's statistics per partition
(stage 1, kept between runs) and the published cell (stage 2, ``maturity_area``)."""

from __future__ import annotations

import polars as pl

from pipelines.core.suppression import suppress
from pipelines.maturity import reliability
from pipelines.maturity.cells import AGREE_FROM, CELL


def area_state(answers: pl.LazyFrame) -> pl.LazyFrame:
    """Per school, round, area, group: respondents (n), answers, sums, agreeing answers, and
    the sum and sum of squares of respondents' area means (for progress and roll-up CIs)."""
    scored = answers.filter(pl.col("score").is_not_null())
    # one pass over the answers per respondent; the cell figures add those up
    per_respondent = scored.group_by([*CELL, "respondent"]).agg(
        pl.len().alias("answers"),
        pl.col("score").sum().alias("score_sum"),
        (pl.col("score") >= AGREE_FROM).sum().alias("agree"),
    )
    rmean = pl.col("score_sum") / pl.col("answers")
    cells = per_respondent.group_by(CELL).agg(
        pl.len().alias("n"),
        pl.col("answers").sum(),
        pl.col("score_sum").sum(),
        pl.col("agree").sum(),
        rmean.sum().alias("rmean_sum"),
        (rmean**2).sum().alias("rmean_sumsq"),
    )
    alpha = reliability.cronbach_alpha(scored, CELL)
    return cells.join(alpha, on=CELL, how="left").select(*CELL, "n", "answers", "score_sum", "agree", "rmean_sum", "rmean_sumsq", "alpha", "alpha_n", "alpha_k")


def area_cells(area: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    """maturity_area: mean of all answers 1-5 and share agreeing, small cells suppressed."""
    return suppress(
        area.select(
            *CELL,
            "n",
            (pl.col("score_sum") / pl.col("answers")).alias("mean"),
            (pl.col("agree") / pl.col("answers")).alias("share_agree"),
        ),
        n="n",
        values=["mean", "share_agree"],
        min_cell_size=min_cell_size,
    )
