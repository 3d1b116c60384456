"""SELFIE-style survey answers, read once per run: the latest answer per respondent and item.

Maturity and profiles both count only a respondent's latest answer to an item in a round
(latest ``timestamp``; ties: the later ``stored``, then the later row). Sorting millions of
answers in polars to find it was the slowest step of ``lat compute``, and each family did
it again. Here DuckDB does it inside the read (a window over the partition key, so only the
latest rows cross into Arrow) and both families share the result through
:meth:`pipelines.core.source.Sources.shared`.

The two families select answers slightly differently, so each row carries a flag per family:

- ``for_maturity``: the latest among answers with an item and a respondent group;
- ``for_profiles``: the latest among answers whose ``area`` is one of the eight SELFIE areas.

For almost every answer both hold; an answer missing its group (or its area) is then not
allowed to hide an older answer the other family would count, exactly as when each family
filtered before deduplicating.
"""

from __future__ import annotations

import polars as pl

from lat.xapi import vocab
from pipelines.core.source import Sources, sql_text

SHARED_KEY = "answers.latest"
KEYS = ["school", "round", "area", "item", "group", "respondent"]

_FOR_MATURITY = "(item IS NOT NULL AND respondent_group IS NOT NULL)"
_FOR_PROFILES = f"(area IN ({sql_text(*vocab.AREAS)}))"
# One sort serves both flags: a row is a family's latest when no earlier row of the same
# key (in latest-first order) qualified for that family.
_SELECT = f"""
    school, round, area, item, respondent_group AS "group", actor_key AS respondent, response, score_raw, timestamp,
    {_FOR_MATURITY} AND sum({_FOR_MATURITY}::INTEGER) OVER latest_first = 1 AS for_maturity,
    {_FOR_PROFILES} AND sum({_FOR_PROFILES}::INTEGER) OVER latest_first = 1 AS for_profiles
"""
_WINDOW = """
    WINDOW latest_first AS (
        PARTITION BY school, round, actor_key, item
        ORDER BY timestamp DESC NULLS LAST, stored DESC NULLS LAST, rowid DESC
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    QUALIFY for_maturity OR for_profiles
"""


def latest(sources: Sources) -> pl.DataFrame:
    """The latest answers of the partitions ``sources`` reads (shared by the families of a run).

    Columns: school, round, area (as stored), item, group, respondent (categorical),
    maturity_area (the area, else the item's first letter, upper case; categorical), score
    (1-5, or null for "na", "pns" and anything else), timestamp, for_maturity, for_profiles.
    """
    return sources.shared(SHARED_KEY, lambda: _read(sources))


def _read(sources: Sources) -> pl.DataFrame:
    rows = sources.statements_sql(
        _SELECT,
        verbs=[vocab.ANSWERED],
        activity_types=[vocab.CMI_INTERACTION],
        extra_where=f"school IS NOT NULL AND round IS NOT NULL AND ({_FOR_MATURITY} OR {_FOR_PROFILES})",
        tail=_WINDOW,
    )
    # Categorical keys: every later group-by and join hashes small integers, not strings.
    maturity_area = pl.coalesce(pl.col("area"), pl.col("item").str.slice(0, 1)).str.to_uppercase()
    return rows.select(
        *(pl.col(k).cast(pl.Categorical) for k in KEYS),
        maturity_area.cast(pl.Categorical).alias("maturity_area"),
        score(pl.col("response"), pl.col("score_raw")).alias("score"),
        "timestamp",
        "for_maturity",
        "for_profiles",
    ).collect()


def score(response: pl.Expr, score_raw: pl.Expr) -> pl.Expr:
    """The Likert score 1-5 of an answer: from ``response`` ("1".."5"), else from
    ``score_raw``; null for "na" (not applicable), "pns" (prefer not to say) and anything
    that is not a Likert answer."""
    text = response.str.strip_chars().str.to_lowercase()
    likert = pl.when(text.is_in(list(vocab.LIKERT))).then(text.cast(pl.Float64))
    from_raw = pl.when(score_raw.is_in([1.0, 2.0, 3.0, 4.0, 5.0])).then(score_raw)
    return pl.when(text.is_in([vocab.NOT_APPLICABLE, vocab.PREFER_NOT_TO_SAY])).then(None).otherwise(pl.coalesce(likert, from_raw))
