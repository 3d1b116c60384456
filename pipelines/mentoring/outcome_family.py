"""The mentoring outcome family: maturity change of mentored schools and of the others.

Split from the mentoring family because it depends on other inputs: the survey answers
(through the maturity statistics, ``sources.states``) and the registry, never the mentoring
statements. An update bringing only survey answers then recomputes these two small marts
and keeps the mentoring progress (which scans the mentoring events) as it is; an update
bringing only mentoring statements recomputes both, cheaply here. The rules live in
:mod:`pipelines.mentoring.outcome`; the marts and indicator definitions are declared with the
mentoring family's, in :mod:`pipelines.mentoring.family` (imported here for that).
"""

from __future__ import annotations

import polars as pl

from lat.config import Settings
from pipelines.core.source import Sources
from pipelines.mentoring import family  # noqa: F401  (declares this family's marts and definitions)
from pipelines.mentoring.outcome import maturity_change, outcome, outcome_summary
from pipelines.profiles.area_scores import area_scores


def compute(sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame | pl.DataFrame]:
    """mentoring_outcome and mentoring_outcome_summary."""
    schools, pairs = sources.table("schools"), sources.table("mentoring")
    per_school = outcome(maturity_change(area_scores(sources, settings)), pairs, schools)
    return {"mentoring_outcome": per_school, "mentoring_outcome_summary": outcome_summary(per_school, settings.min_schools)}
