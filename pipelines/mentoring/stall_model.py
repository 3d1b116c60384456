"""A transparent model of stalling: does a school's first 8 weeks of mentoring predict that
it stalls later? A supplement to the stall rule (:mod:`pipelines.mentoring.stalled`), never a
replacement.

* Features (per mentee school, from everything logged up to 55 days after its mentoring
  start): see ``FEATURES``.
* Label: the school was stalled (by the rule) at some monthly snapshot after those 8 weeks
  while its mentoring was running. Schools without such a snapshot are not labelled.
* Model: standardised features, logistic regression (scikit-learn, L2, C = 1). The
  coefficients are log-odds per standard deviation of a feature, so they can be compared;
  the odds ratio is their exponential.
* Score: ROC AUC, stratified k-fold cross-validation (k = 5, or fewer when a class has
  fewer schools; shuffled with ``random_state=0``). With fewer than 2 schools in a class
  no model is fitted and the mart says why.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import polars as pl

from pipelines.core.catalogue import Mart, register_mart
from pipelines.core.definitions import Indicator, register
from pipelines.mentoring import events as m

if TYPE_CHECKING:  # sklearn is imported lazily (see _pipeline)
    from sklearn.pipeline import Pipeline

log = logging.getLogger(__name__)

EARLY_DAYS = 56  # 8 weeks
RANDOM_STATE = 0
MAX_FOLDS = 5
FEATURES: dict[str, str] = {
    "meetings": "Distinct mentoring meetings in the first 8 weeks.",
    "teacher_share": "Share of the school's registered teachers who attended a meeting in the first 8 weeks (0 when unknown).",
    "goals_set": "Distinct goals set in the first 8 weeks.",
    "steps_planned": "Distinct action-plan steps planned (or done) in the first 8 weeks.",
    "steps_completed": "Distinct action-plan steps completed in the first 8 weeks.",
    "observations": "Distinct lesson observations in the first 8 weeks.",
    "days_to_first_contact": "Days from the mentoring start to the first contact (56 when none in the first 8 weeks).",
    "phase_index": "Highest mentoring phase reached in the first 8 weeks (1 initiative .. 5 reflection; 0 none).",
}


def early_features(statements: pl.LazyFrame, schools: pl.LazyFrame, people: pl.LazyFrame, mentoring: pl.LazyFrame) -> pl.LazyFrame:
    """school, mentoring_start and ``FEATURES`` for every mentee school with a start date."""
    starts = m.mentee_schools(mentoring, dt.date.max).filter(pl.col("mentoring_start").is_not_null()).select("school", "mentoring_start")
    window_end = pl.col("mentoring_start") + pl.duration(days=EARLY_DAYS - 1)
    early = m.mentoring_events(statements).join(starts, on="school").filter(pl.col("day") <= window_end)
    first = early.group_by("school").agg(pl.col("day").min().alias("first_contact"))
    counts = m.event_counts(early.drop("mentoring_start"), dt.date.max)
    reached = m.teachers_reached(early.drop("mentoring_start"), people, dt.date.max)
    registered = schools.select(pl.col("school_id").alias("school"), pl.col("teachers").cast(pl.Float64).alias("_teachers"))
    return (
        starts.join(counts, on="school", how="left")
        .join(reached, on="school", how="left")
        .join(first, on="school", how="left")
        .join(registered, on="school", how="left")
        .select(
            "school",
            "mentoring_start",
            *(pl.col(c).fill_null(0).cast(pl.Float64) for c in ("meetings", "goals_set", "steps_planned", "steps_completed", "observations")),
            pl.when(pl.col("_teachers") > 0).then(pl.col("teachers_reached").fill_null(0) / pl.col("_teachers")).otherwise(0.0).alias("teacher_share"),
            (pl.col("first_contact") - pl.col("mentoring_start"))
            .dt.total_days()
            .clip(lower_bound=0)
            .fill_null(EARLY_DAYS)
            .cast(pl.Float64)
            .alias("days_to_first_contact"),
            pl.col("phase_index").fill_null(0).cast(pl.Float64),
        )
    )


def labels(stalls: pl.LazyFrame) -> pl.LazyFrame:
    """school, stalled_later (1/0) from the stall-rule snapshots after each school's first 8 weeks."""
    later = pl.col("as_of") >= pl.col("mentoring_start") + pl.duration(days=EARLY_DAYS)
    return stalls.filter(later & (pl.col("status") != "ended")).group_by("school").agg(pl.col("stalled").any().cast(pl.Int64).alias("stalled_later"))


def fit(table: pl.DataFrame, scored: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Cross-validate and fit on ``table`` (features + stalled_later); the three model marts.

    ``scored`` (school + features) gets a risk: the fitted probability of stalling later.
    """
    n, positives = table.height, int(table["stalled_later"].sum()) if table.height else 0
    minority = min(positives, n - positives)
    if minority < 2:
        status = f"not fitted: {n} labelled schools, {positives} stalled; each class needs at least 2"
        log.info("stall model %s", status)
        return _marts(n, positives, status, None, None, 0, None)
    x, y = table.select(list(FEATURES)).to_numpy(), table["stalled_later"].to_numpy()
    folds = min(MAX_FOLDS, minority)
    scores = _cross_validate(x, y, folds)
    model = _pipeline().fit(x, y)
    coefficients = [float(c) for c in model[-1].coef_[0]]
    mean = sum(scores) / len(scores)
    std = math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores))
    status = f"fitted: {n} labelled schools, {positives} stalled; ROC AUC {mean:.2f} ± {std:.2f} ({folds}-fold)"
    log.info("stall model %s; coefficients %s", status, dict(zip(FEATURES, (round(c, 2) for c in coefficients), strict=True)))
    risk = scored.select("school").with_columns(pl.Series("risk", model.predict_proba(scored.select(list(FEATURES)).to_numpy())[:, 1], dtype=pl.Float64))
    return _marts(n, positives, status, (mean, std), coefficients, folds, risk)


def _pipeline() -> Pipeline:
    # lazy: sklearn takes seconds to import, and the catalogue (lat.access, docs) imports this module
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))


def _cross_validate(x: npt.NDArray[np.float64], y: npt.NDArray[np.int64], folds: int) -> list[float]:
    # lazy, as in _pipeline: only a run that fits the model pays for sklearn
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=RANDOM_STATE)
    return [float(s) for s in cross_val_score(_pipeline(), x, y, cv=splitter, scoring="roc_auc")]


def _marts(
    n: int, positives: int, status: str, score: tuple[float, float] | None, coefficients: list[float] | None, folds: int, risk: pl.DataFrame | None
) -> dict[str, pl.DataFrame]:
    summary = pl.DataFrame(
        {"metric": ["roc_auc"], "cv_mean": [score[0] if score else None], "cv_std": [score[1] if score else None],
         "folds": [folds], "schools": [n], "stalled_schools": [positives], "status": [status]},
        schema={"metric": pl.String, "cv_mean": pl.Float64, "cv_std": pl.Float64, "folds": pl.Int64,
                "schools": pl.Int64, "stalled_schools": pl.Int64, "status": pl.String},
    )  # fmt: skip
    coef = pl.DataFrame(
        {"feature": list(FEATURES), "meaning": list(FEATURES.values()),
         "coefficient": coefficients or [None] * len(FEATURES)},
        schema={"feature": pl.String, "meaning": pl.String, "coefficient": pl.Float64},
    ).with_columns(pl.col("coefficient").exp().alias("odds_ratio"))  # fmt: skip
    risk = risk if risk is not None else pl.DataFrame(schema={"school": pl.String, "risk": pl.Float64})
    return {"stall_model": summary, "stall_model_coefficients": coef, "stall_risk": risk}


def model_marts(
    statements: pl.LazyFrame, schools: pl.LazyFrame, people: pl.LazyFrame, mentoring: pl.LazyFrame, stalls: pl.LazyFrame, as_of: dt.date
) -> dict[str, pl.DataFrame]:
    """Features, labels and the fitted model's marts (``stalls``: the stall-rule snapshot series).

    Risk is given for every mentee school whose first 8 weeks are over by ``as_of``.
    """
    features = early_features(statements, schools, people, mentoring).sort("school").collect()
    table = features.join(labels(stalls).collect(), on="school")
    scored = features.filter(pl.col("mentoring_start") + pl.duration(days=EARLY_DAYS) <= as_of)
    marts = fit(table, scored)
    names = schools.select(pl.col("school_id").alias("school"), pl.col("name").alias("school_name"), "hub").collect()
    marts["stall_risk"] = marts["stall_risk"].join(names, on="school", how="left").select("school", "school_name", "hub", "risk")
    return marts


_SOURCE = "mentoring statements of each mentee school's first 8 weeks; the stall rule's monthly snapshots after them"
_NONE = "none (a model over all mentee schools; no respondent-level figures)"
register(
    Indicator(
        "stall_model.metric", "stall_model", "The cross-validated score's name (roc_auc).", "name", "always roc_auc (area under the ROC curve)", _SOURCE, _NONE
    ),
    Indicator(
        "stall_model.cv_mean",
        "stall_model",
        "Mean ROC AUC over the cross-validation folds (0.5 = chance, 1 = perfect).",
        "0-1",
        "stratified k-fold cross-validation (k = folds; schools shuffled with a fixed seed, each fold keeping the share of stalled schools): on each "
        "fold, a logistic regression on standardised features (L2 penalty, C = 1) fitted on the other folds is scored by ROC AUC; the mean of those "
        "scores. Empty when no model is fitted",
        _SOURCE,
        _NONE,
    ),
    Indicator(
        "stall_model.cv_std",
        "stall_model",
        "Standard deviation of the folds' ROC AUC.",
        "0-1",
        "population standard deviation (divided by the number of folds) of the folds' ROC AUC; empty when no model is fitted",
        _SOURCE,
        _NONE,
    ),
    Indicator(
        "stall_model.folds",
        "stall_model",
        "Cross-validation folds used.",
        "count",
        "the smaller of 5 and the number of labelled schools in the smaller class (stalled or not); 0 when no model is fitted (a class has fewer than 2 "
        "schools)",
        _SOURCE,
        _NONE,
    ),
    Indicator(
        "stall_model.schools",
        "stall_model",
        "Labelled mentee schools the model learnt from.",
        "count",
        "mentee schools with a start date and at least one stall-rule snapshot 56 days or more after their start while their mentoring had not ended",
        _SOURCE,
        _NONE,
    ),
    Indicator(
        "stall_model.stalled_schools",
        "stall_model",
        "Labelled schools that stalled after their first 8 weeks.",
        "count",
        "labelled schools stalled at one or more of those snapshots",
        _SOURCE,
        _NONE,
    ),
    Indicator(
        "stall_model.status",
        "stall_model",
        "Whether a model was fitted, with the score in words.",
        "text",
        "'fitted: <schools> labelled schools, <stalled> stalled; ROC AUC <cv_mean> ± <cv_std> (<folds>-fold)', or 'not fitted: ...; each class needs at "
        "least 2' when fewer than 2 labelled schools stalled or fewer than 2 did not",
        _SOURCE,
        _NONE,
    ),
    Indicator(
        "stall_model.feature",
        "stall_model",
        "An early-activity feature of the model.",
        "name",
        "one of eight fixed features, each from the school's mentoring statements in the 56 days from its mentoring start: meetings, teacher_share, "
        "goals_set, steps_planned, steps_completed, observations, days_to_first_contact, phase_index",
        _SOURCE,
        _NONE,
    ),
    Indicator("stall_model.meaning", "stall_model", "What the feature measures.", "text", "a fixed English sentence per feature", _SOURCE, _NONE),
    Indicator(
        "stall_model.coefficient",
        "stall_model",
        "Log-odds of stalling per standard deviation of the feature (positive: more risk).",
        "log-odds",
        "logistic regression coefficient on standardised features, fitted on all labelled schools",
        _SOURCE,
        _NONE,
    ),
    Indicator(
        "stall_model.odds_ratio",
        "stall_model",
        "Odds of stalling multiply by this per standard deviation of the feature.",
        "ratio",
        "exp(coefficient)",
        _SOURCE,
        _NONE,
    ),
    Indicator(
        "stall_model.risk",
        "stall_model",
        "Modelled probability that the school stalls after its first 8 weeks.",
        "probability 0-1",
        "the probability of stalling that the logistic regression fitted on all labelled schools gives for the school's first-8-week features; given for "
        "mentee schools with a start date whose first 8 weeks (56 days) are over by today; no rows when no model is fitted",
        _SOURCE,
        "none (a school-level mart, scoped like the school's own data)",
    ),
)
register_mart(Mart("stall_model", "country", "The stall model's cross-validated score (one row).", {
    c: f"stall_model.{c}" for c in ("metric", "cv_mean", "cv_std", "folds", "schools", "stalled_schools", "status")
}))  # fmt: skip
register_mart(Mart("stall_model_coefficients", "country", "The stall model's features and coefficients.", {
    c: f"stall_model.{c}" for c in ("feature", "meaning", "coefficient", "odds_ratio")
}))  # fmt: skip
register_mart(Mart("stall_risk", "school", "Modelled risk of stalling for mentee schools past their first 8 weeks.", {
    "school": "school", "school_name": "school_name", "hub": "hub", "risk": "stall_model.risk",
}))  # fmt: skip
