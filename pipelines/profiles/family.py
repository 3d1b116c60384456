"""Maturity profiles: schools clustered by their SELFIE area scores, each cluster put in words.

* School area score: per school, round and area, the mean of the respondent groups' mean
  answers (leaders, teachers and students each count once, so a large student group does
  not drown the leaders). Answers are Likert 1-5 (``score.raw``, else ``response``); "not
  applicable" and "prefer not to say" are no scores. A cell with fewer distinct respondents
  than ``LAT_MIN_CELL_SIZE`` is suppressed (left out).
* Clustering: the latest round of each school, one column per area (a missing area takes
  the mean of the other schools), k-means (``random_state=0``, 10 starts). The number of
  profiles k is the one with the highest mean silhouette over k = 2..6 (at most n - 1).
* Words: a profile is *advanced* (centre mean >= 3.5), *developing* (>= 2.5) or
  *beginning*; it is *strong* in the (at most two) areas that lie at least 0.3 above the
  centre's own mean over the areas, and *weak* in those 0.3 or more below it (the shape
  of the profile: where it stands out, not only how high it is).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import polars as pl

from lat import vocab
from lat.config import Settings
from pipelines.core import answers
from pipelines.core.catalogue import Mart, register_mart
from pipelines.core.definitions import Indicator, register, register_dimension
from pipelines.core.source import Sources

log = logging.getLogger(__name__)

K_RANGE = range(2, 7)
RANDOM_STATE = 0
DEVIATION = 0.3  # area centre minus the centre mean that makes an area a strength or a weakness
LEVELS = ((3.5, "advanced"), (2.5, "developing"), (float("-inf"), "beginning"))


# Imported ahead by the orchestrator while it reads the store (pipelines/compute.py).
PRELOAD = ("sklearn.cluster", "threadpoolctl")


def area_state(scores: pl.LazyFrame) -> pl.LazyFrame:
    """Per school, round and area (a partition's own figures, whatever the small-cell rule):
    score = mean of the groups' mean scores, respondents = distinct respondents.
    ``scores``: school, round, area, group, respondent, score (not null)."""
    cell = ["school", "round", "area"]
    groups = scores.group_by(*cell, "group").agg(pl.col("score").mean())
    respondents = scores.group_by(cell).agg(pl.col("respondent").n_unique().cast(pl.Int64).alias("respondents"))
    return groups.group_by(cell).agg(pl.col("score").mean()).join(respondents, on=cell)


def shown_scores(state_frame: pl.LazyFrame, min_cell_size: int) -> pl.LazyFrame:
    """school, round, area, score, respondents of the cells with enough respondents, sorted."""
    return state_frame.filter(pl.col("respondents") >= min_cell_size).sort("school", "round", "area")


def area_scores(sources: Sources, settings: Settings) -> pl.LazyFrame:
    """school, round, area, score (mean of group means), respondents of the whole store;
    small cells left out. From this run's profiles state when the orchestrator has computed
    it (mentoring and pairing reuse it), else from :func:`pipelines.core.answers.latest`."""
    frame = sources.states.get(STATE)
    if frame is None:
        frame = state(sources, settings)[STATE].collect()
    return shown_scores(frame.lazy(), settings.min_cell_size)


def latest_round_matrix(area_scores: pl.DataFrame) -> pl.DataFrame:
    """One row per school (its latest round in label order), one column per area."""
    if area_scores.is_empty():
        return pl.DataFrame(schema={"school": pl.String, "round": pl.String})
    latest = area_scores.filter(pl.col("round") == pl.col("round").max().over("school"))
    wide = latest.pivot(on="area", index=["school", "round"], values="score", sort_columns=True)
    areas = [a for a in vocab.AREAS if a in wide.columns]
    return wide.select("school", "round", *areas).sort("school")


def fill_missing(matrix: pl.DataFrame, areas: list[str]) -> pl.DataFrame:
    """A school's missing area takes the mean of the schools that have it (clustering needs all)."""
    return matrix.with_columns(pl.col(a).fill_null(pl.col(a).mean()) for a in areas)


def choose_k(values: list[list[float]]) -> tuple[int, list[tuple[int, float]]]:
    """The k with the best mean silhouette over ``K_RANGE`` (ties: the smaller k), and every score."""
    k, scores, _ = _select_k(values)
    return k, scores


def _select_k(values: list[list[float]]) -> tuple[int, list[tuple[int, float]], dict[int, Any]]:
    """:func:`choose_k`, plus the fitted model of each k tried (the chosen one is reused)."""
    from threadpoolctl import threadpool_limits

    n = len(values)
    scores, models = [], {}
    # A few thousand schools x 8 areas is far too small to gain from thread pools, and on a
    # busy machine OpenMP's waiting threads made each KMeans fit tens of times slower.
    with threadpool_limits(limits=1):
        silhouette = _silhouette(values)
        for k in K_RANGE:
            if k >= n:
                break
            models[k] = _kmeans(values, k)
            labels = models[k].labels_
            # identical rows can collapse two centres into one label; silhouette then is undefined
            score = silhouette(labels) if len(set(labels)) > 1 else float("-inf")
            scores.append((k, score))
    if not scores:
        return 1, [], models
    best = max(scores, key=lambda ks: (ks[1], -ks[0]))
    return best[0], scores, models


PRECOMPUTED_UP_TO = 10_000  # schools; their distance matrix takes n * n * 8 bytes (800 MB)


def _silhouette(values: list[list[float]]) -> Callable[[Any], float]:
    """labels -> mean silhouette of ``values`` (pipelines/silhouette.py: sklearn's formula in
    numpy, so that only k-means imports sklearn). The distances between schools are computed
    once for every k tried."""
    from pipelines.profiles import silhouette

    return silhouette.scorer(values, keep_up_to=PRECOMPUTED_UP_TO)


def _kmeans(values: list[list[float]], k: int):  # type: ignore[no-untyped-def]
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=10, random_state=RANDOM_STATE).fit(values)


def cluster(matrix: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(school -> profile, profile centres in long form, k selection) for a filled area matrix.

    Profiles are numbered 1..k from the highest centre mean down, so numbers are stable
    across runs on the same data.
    """
    areas = [a for a in vocab.AREAS if a in matrix.columns]
    values = matrix.select(areas).rows()
    k, scores, models = _select_k([list(r) for r in values])
    if k == 1:
        raw = [0] * len(values)
        centres = [[sum(col) / len(col) for col in zip(*values, strict=True)]] if values else []
    else:
        model = models[k]  # the same fit choose_k scored (same data, same random_state)
        raw, centres = [int(x) for x in model.labels_], [list(map(float, c)) for c in model.cluster_centers_]
    order = sorted(range(len(centres)), key=lambda i: -sum(centres[i]) / len(areas))
    renumber = {old: new + 1 for new, old in enumerate(order)}
    assignment = matrix.select("school", "round").with_columns(pl.Series("profile", [renumber[r] for r in raw], dtype=pl.Int64))
    centre_rows = [
        {"profile": renumber[i], "area": a, "centre": centres[i][j]} for i in range(len(centres)) for j, a in enumerate(areas)
    ]
    centre_frame = pl.DataFrame(centre_rows, schema={"profile": pl.Int64, "area": pl.String, "centre": pl.Float64})
    selection = pl.DataFrame(
        {"k": [ks[0] for ks in scores], "silhouette": [ks[1] for ks in scores], "chosen": [ks[0] == k for ks in scores]},
        schema={"k": pl.Int64, "silhouette": pl.Float64, "chosen": pl.Boolean},
    )
    return assignment, centre_frame.sort("profile", "area"), selection


def _level(mean: float) -> str:
    return next(name for bound, name in LEVELS if mean >= bound)


def describe(centres: pl.DataFrame) -> pl.DataFrame:
    """profile, label, description, overall_score: each profile's centre put in words."""
    rows = []
    for (profile,), group in centres.group_by("profile", maintain_order=True):
        centre = dict(zip(group["area"], group["centre"], strict=True))
        overall = sum(centre.values()) / len(centre)
        deviation = {a: centre[a] - overall for a in centre}
        strong = sorted((a for a in centre if deviation[a] >= DEVIATION), key=lambda a: -deviation[a])[:2]
        weak = sorted((a for a in centre if deviation[a] <= -DEVIATION), key=lambda a: deviation[a])[:2]
        rows.append({"profile": profile, **_words(_level(overall), overall, centre, strong, weak)})
    return pl.DataFrame(rows, schema={"profile": pl.Int64, "label": pl.String, "description": pl.String, "overall_score": pl.Float64}).sort("profile")


def _words(level: str, overall: float, centre: dict[str, float], strong: list[str], weak: list[str]) -> dict[str, object]:
    def listed(areas: list[str]) -> str:
        return " and ".join(f"{vocab.AREAS[a]} ({centre[a]:.1f})" for a in areas)

    parts = [f"strong {listed(strong)}"] if strong else []
    parts += [f"weak {listed(weak)}"] if weak else []
    detail = "; ".join(parts) if parts else "even across the areas"
    label_bits = [f"strong {vocab.AREAS[strong[0]]}"] if strong else []
    label_bits += [f"weak {vocab.AREAS[weak[0]]}"] if weak else []
    label = level.capitalize() + (f": {', '.join(label_bits)}" if label_bits else "")
    return {"label": label, "description": f"{level.capitalize()} (mean {overall:.1f} of 5): {detail}.", "overall_score": overall}


def profiles(area_scores: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """All profile tables from school area scores: school_profiles, maturity_profiles, centres, selection."""
    return profiles_from_matrix(latest_round_matrix(area_scores))


def profiles_from_matrix(matrix: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """All profile tables from a latest-round area matrix (school, round, A..H)."""
    areas = [a for a in vocab.AREAS if a in matrix.columns]
    areas = [a for a in areas if matrix[a].null_count() < matrix.height]
    if matrix.is_empty() or not areas:
        return _empty()
    filled = fill_missing(matrix.select("school", "round", *areas), areas)
    assignment, centres, selection = cluster(filled)
    words = describe(centres)
    counts = assignment.group_by("profile").agg(pl.len().cast(pl.Int64).alias("schools"))
    overall = filled.select("school", pl.mean_horizontal(areas).alias("overall_score"))
    return {
        "school_profiles": assignment.join(overall, on="school").join(words.select("profile", "label"), on="profile").sort("school"),
        "maturity_profiles": words.join(counts, on="profile").sort("profile"),
        "maturity_profile_centres": centres.with_columns(pl.col("area").replace_strict(vocab.AREAS).alias("area_name")).join(counts, on="profile"),
        "profile_selection": selection,
    }


def withhold_small(marts: dict[str, pl.DataFrame], min_schools: int) -> dict[str, pl.DataFrame]:
    """Profiles of fewer than ``min_schools`` schools keep their label but no figures.

    The profile marts are read beyond the schools themselves (researchers included): the
    centre of a one-school profile would be that school's scores.
    """
    small = pl.col("schools") < min_schools
    profiles_mart = marts["maturity_profiles"].with_columns(
        small.alias("suppressed"),
        pl.when(small).then(None).otherwise(pl.col("overall_score")).alias("overall_score"),
        pl.when(small).then(pl.format("Withheld: fewer than {} schools.", pl.lit(min_schools))).otherwise(pl.col("description")).alias("description"),
    )
    centres = marts["maturity_profile_centres"].with_columns(small.alias("suppressed"), pl.when(small).then(None).otherwise(pl.col("centre")).alias("centre"))
    return {**marts, "maturity_profiles": profiles_mart, "maturity_profile_centres": centres.drop("schools")}


def _empty() -> dict[str, pl.DataFrame]:
    return {
        "school_profiles": pl.DataFrame(schema={"school": pl.String, "round": pl.String, "profile": pl.Int64, "overall_score": pl.Float64, "label": pl.String}),
        "maturity_profiles": pl.DataFrame(schema={"profile": pl.Int64, "label": pl.String, "description": pl.String, "overall_score": pl.Float64, "schools": pl.Int64}),
        "maturity_profile_centres": pl.DataFrame(schema={"profile": pl.Int64, "area": pl.String, "centre": pl.Float64, "area_name": pl.String, "schools": pl.Int64}),
        "profile_selection": pl.DataFrame(schema={"k": pl.Int64, "silhouette": pl.Float64, "chosen": pl.Boolean}),
    }


# --- lat compute: the profiles family ----------------------------------------------------------

STATE = "profiles_area_state"


def state(sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame]:
    """Area scores per (school, round) partition, before the small-cell rule (partitioned:
    an update recomputes only the touched partitions; clustering runs on all of them)."""
    rows = answers.latest(sources).lazy().filter(pl.col("for_profiles") & pl.col("score").is_not_null())
    frame = area_state(rows.select("school", "round", "area", "group", "respondent", "score"))
    return {STATE: frame.with_columns(pl.col(pl.Categorical).cast(pl.String))}


def area_matrix(sources: Sources, settings: Settings) -> pl.DataFrame:
    """Latest-round area scores of every school, one column per area (shared with pairing)."""
    return latest_round_matrix(area_scores(sources, settings).collect())


def derive(st: dict[str, pl.DataFrame], sources: Sources, settings: Settings) -> dict[str, pl.DataFrame]:
    """school_profiles, maturity_profiles, maturity_profile_centres, profile_selection."""
    matrix = latest_round_matrix(shown_scores(st[STATE].lazy(), settings.min_cell_size).collect())
    schools = sources.table("schools").select(pl.col("school_id").alias("school"), pl.col("name").alias("school_name"), "hub").collect()
    marts = withhold_small(profiles_from_matrix(matrix), settings.min_cell_size)
    marts["school_profiles"] = marts["school_profiles"].join(schools, on="school", how="left")
    log.info("maturity profiles: k=%s by silhouette %s", marts["maturity_profiles"].height, marts["profile_selection"].rows())
    return marts


def compute(sources: Sources, settings: Settings) -> dict[str, pl.DataFrame]:
    """Full run without an orchestrator: the state of every partition, then :func:`derive`."""
    return derive({name: frame.collect() for name, frame in state(sources, settings).items()}, sources, settings)


_FEEDS = "SELFIE answers (answered + cmi.interaction) with school, round and area extensions"
_SUPPRESSION = "built from school area scores, each needing LAT_MIN_CELL_SIZE respondents; a profile of fewer than LAT_MIN_CELL_SIZE schools has its figures withheld (suppressed)"
register_dimension("profile", "Maturity profile number (1 = highest mean centre).")
register_dimension("k", "Number of clusters tried.")
register(
    Indicator("profiles.label", "profiles", "Short name of the maturity profile, e.g. 'Developing: strong Infrastructure and equipment, weak Assessment practices'.", "text", "level from the centre mean; the most outstanding strong and weak area", _FEEDS, _SUPPRESSION),
    Indicator("profiles.description", "profiles", "The profile in words, with its strong and weak areas and their centre scores.", "text", "strong: centre >= centre mean + 0.3; weak: <= centre mean - 0.3 (at most two each)", _FEEDS, _SUPPRESSION),
    Indicator("profiles.overall_score", "profiles", "Mean of the area scores (the school's, or the profile centre's).", "score 1-5", "mean over areas", _FEEDS, _SUPPRESSION),
    Indicator("profiles.schools", "profiles", "Schools in the profile.", "count", "count of schools assigned to the cluster", _FEEDS, _SUPPRESSION),
    Indicator("profiles.centre", "profiles", "The profile's centre in the area (k-means cluster centre).", "score 1-5", "mean area score of the cluster's schools (missing areas imputed by the all-school mean)", _FEEDS, _SUPPRESSION),
    Indicator("profiles.silhouette", "profiles", "Mean silhouette of the k-means clustering with k clusters (higher: better separated).", "-1..1", "sklearn.metrics.silhouette_score", _FEEDS, _SUPPRESSION),
    Indicator("profiles.chosen", "profiles", "True for the k with the best silhouette (the one used).", "boolean", "argmax silhouette, ties to the smaller k", _FEEDS, _SUPPRESSION),
)
register_mart(Mart("school_profiles", "school", "Each school's maturity profile (latest round).", {
    "school": "school", "school_name": "school_name", "hub": "hub", "round": "round", "profile": "profile",
    "label": "profiles.label", "overall_score": "profiles.overall_score",
}))  # fmt: skip
register_mart(Mart("maturity_profiles", "country", "The maturity profiles: label, description in words, size.", {
    "profile": "profile", "label": "profiles.label", "description": "profiles.description",
    "overall_score": "profiles.overall_score", "schools": "profiles.schools", "suppressed": "suppressed",
}))  # fmt: skip
register_mart(Mart("maturity_profile_centres", "country", "Each profile's centre per SELFIE area.", {
    "profile": "profile", "area": "area", "area_name": "area_name", "centre": "profiles.centre", "suppressed": "suppressed",
}))  # fmt: skip
register_mart(Mart("profile_selection", "country", "How the number of profiles was chosen: silhouette for k = 2..6.", {
    "k": "k", "silhouette": "profiles.silhouette", "chosen": "profiles.chosen",
}))  # fmt: skip
