"""The keys of maturity cells, what counts as agreeing, and which answers may feed a figure."""

from __future__ import annotations

import polars as pl

from pipelines.core.suppression import shown_answers

CELL = ["school", "round", "area", "group"]
ITEM_CELL = ["school", "round", "area", "item", "group"]
AGREE_FROM = 4  # 4 agree, 5 strongly agree


def scored(answers: pl.LazyFrame) -> pl.LazyFrame:
    """The answers with a score 1-5 ('not applicable' and 'prefer not to say' are none)."""
    return answers.filter(pl.col("score").is_not_null())


def shown(scored_answers: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    """The scored answers whose item cell and area cell both have ``min_cell_size``
    respondents: the only answers any maturity figure is computed from."""
    return shown_answers(scored_answers, [CELL, ITEM_CELL], respondent="respondent", min_cell_size=min_cell_size)
