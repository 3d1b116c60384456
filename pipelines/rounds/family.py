"""The rounds family: ``rounds``, every self-assessment round with its start and its place in
the product's one round order (:mod:`pipelines.core.rounds`). Dashboards, exports and
reports list rounds in this order; round labels are only labels."""

from __future__ import annotations

import polars as pl

from lat.config import Settings
from pipelines.core.catalogue import Mart, register_mart
from pipelines.core.definitions import Indicator, register
from pipelines.core.rounds import round_order
from pipelines.core.source import Sources


def compute(sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame]:
    """rounds: from the remembered statistics of this run (survey answers and self-assessments)."""
    return {"rounds": round_order(sources.states)}


_FEEDS = (
    "SELFIE-style answers (answered + cmi.interaction) and DigCompEdu self-assessments (answered on competence activities) with a round extension; not voided"
)
register(
    Indicator(
        "rounds.started",
        "rounds",
        "When the round started: its first answer in the store, in any school.",
        "timestamp (UTC)",
        "the earliest timestamp of the round's SELFIE-style answers (the latest answer per respondent and item) and of its teachers' self-assessments",
        _FEEDS,
        "none (no figure of any school)",
    ),
    Indicator(
        "rounds.round_order",
        "rounds",
        "The round's place in time: 0 for the round that started first, then 1, 2, ... Every first, previous and latest round of every mart "
        "follows this order.",
        "rank",
        "rounds sorted by started, ties by label",
        _FEEDS,
        "none",
    ),
)
register_mart(
    Mart(
        "rounds",
        "registry",
        "Every self-assessment round with its start, in the product's one round order.",
        {"round": "round", "started": "rounds.started", "round_order": "rounds.round_order"},
    )
)
