"""Maturity profiles: schools clustered by their SELFIE area scores, each cluster put in words.

* School area score: per school, round and area, the mean of the respondent groups' area
  means in ``maturity_area`` (leaders, teachers and students each count once, so a large
  student group does not drown the leaders); suppressed group cells are left out
  (:mod:`pipelines.profiles.area_scores`).
* Clustering: the latest round of each school (the last to start), one column per area (a missing area takes
  the mean of the other schools), k-means (``random_state=0``, 10 starts). The number of
  profiles k is the one with the highest mean silhouette over k = 2..6 (at most n - 1).
* Words: a profile is *advanced* (centre mean >= 3.5), *developing* (>= 2.5) or
  *beginning*; it is *strong* in the (at most two) areas that lie at least 0.3 above the
  centre's own mean over the areas, and *weak* in those 0.3 or more below it (the shape
  of the profile: where it stands out, not only how high it is).

This module is the profiles family: the profile tables, each profile in words, from the
clustering (:mod:`pipelines.profiles.clustering`) of the school area scores
(:mod:`pipelines.profiles.area_scores`, from the maturity family's statistics), and its
marts and definitions. A profile of fewer than ``LAT_MIN_SCHOOLS`` schools is withheld in the
country-level marts: its centre would be one or two schools' scores.
"""

from __future__ import annotations

import logging

import polars as pl

from lat.config import Settings
from lat.xapi import vocab
from pipelines.core.catalogue import Mart, register_mart
from pipelines.core.definitions import Indicator, register, register_dimension
from pipelines.core.source import Sources
from pipelines.core.suppression import FEW_SCHOOLS
from pipelines.profiles.area_scores import area_matrix, latest_round_matrix
from pipelines.profiles.clustering import cluster, fill_missing

log = logging.getLogger(__name__)

DEVIATION = 0.3  # area centre minus the centre mean that makes an area a strength or a weakness
LEVELS = ((3.5, "advanced"), (2.5, "developing"), (float("-inf"), "beginning"))


# Imported ahead by the orchestrator while it reads the store (pipelines/core/compute.py).
PRELOAD = ("sklearn.cluster", "threadpoolctl")


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
    """Profiles of fewer than ``min_schools`` schools keep their number but no label, words or
    figures in the country-level marts (researchers read them): the centre, and the strong and
    weak areas named, would be those of one or two schools. ``school_profiles`` (school level)
    keeps each school's own label."""
    small = pl.col("schools") < min_schools
    reason = pl.when(small).then(pl.lit(FEW_SCHOOLS)).otherwise(pl.lit(None, dtype=pl.String))
    withheld_text = pl.format("Withheld: fewer than {} schools.", pl.lit(min_schools))
    profiles_mart = marts["maturity_profiles"].with_columns(
        small.alias("suppressed"),
        reason.alias("suppressed_reason"),
        pl.when(small).then(None).otherwise(pl.col("overall_score")).alias("overall_score"),
        pl.when(small).then(pl.format("Profile {}", pl.col("profile"))).otherwise(pl.col("label")).alias("label"),
        pl.when(small).then(withheld_text).otherwise(pl.col("description")).alias("description"),
    )
    centres = marts["maturity_profile_centres"].with_columns(
        small.alias("suppressed"), reason.alias("suppressed_reason"), pl.when(small).then(None).otherwise(pl.col("centre")).alias("centre")
    )
    return {**marts, "maturity_profiles": profiles_mart, "maturity_profile_centres": centres.drop("schools")}


def _empty() -> dict[str, pl.DataFrame]:
    return {
        "school_profiles": pl.DataFrame(schema={"school": pl.String, "round": pl.String, "profile": pl.Int64, "overall_score": pl.Float64, "label": pl.String}),
        "maturity_profiles": pl.DataFrame(
            schema={"profile": pl.Int64, "label": pl.String, "description": pl.String, "overall_score": pl.Float64, "schools": pl.Int64}
        ),
        "maturity_profile_centres": pl.DataFrame(
            schema={"profile": pl.Int64, "area": pl.String, "centre": pl.Float64, "area_name": pl.String, "schools": pl.Int64}
        ),
        "profile_selection": pl.DataFrame(schema={"k": pl.Int64, "silhouette": pl.Float64, "chosen": pl.Boolean}),
    }


# --- lat compute: the profiles family ----------------------------------------------------------


def compute(sources: Sources, settings: Settings) -> dict[str, pl.DataFrame]:
    """school_profiles, maturity_profiles, maturity_profile_centres, profile_selection."""
    schools = sources.table("schools").select(pl.col("school_id").alias("school"), pl.col("name").alias("school_name"), "hub").collect()
    marts = withhold_small(profiles_from_matrix(area_matrix(sources, settings)), settings.min_schools)
    marts["school_profiles"] = marts["school_profiles"].join(schools, on="school", how="left")
    log.info("maturity profiles: k=%s by silhouette %s", marts["maturity_profiles"].height, marts["profile_selection"].rows())
    return marts


_FEEDS = "maturity_area cells with figures (SELFIE answers, see the maturity family), each school's latest round (the last to start)"
_SUPPRESSION = (
    "built from school area scores, which leave suppressed group cells out; "
    "a profile of fewer than LAT_MIN_SCHOOLS schools has its label, description and figures withheld (suppressed) in maturity_profiles and "
    "maturity_profile_centres"
)
register_dimension("profile", "Maturity profile number (1 = highest mean centre).")
register_dimension("k", "Number of clusters tried: 2 to 6, and at most the number of schools minus 1.")
register(
    Indicator(
        "profiles.label",
        "profiles",
        "Short name of the maturity profile, e.g. 'Developing: strong Infrastructure and equipment, weak Assessment practices'.",
        "text",
        "the level from the mean of the centre over the areas (Advanced from 3.5, Developing from 2.5, else Beginning), then 'strong <area>' and 'weak "
        "<area>' for the strong and the weak area that stand out most (as in description), when there is one",
        _FEEDS,
        _SUPPRESSION,
    ),
    Indicator(
        "profiles.description",
        "profiles",
        "The profile in words, with its strong and weak areas and their centre scores.",
        "text",
        "strong areas: centre >= the centre's mean over the areas + 0.3; weak: <= that mean - 0.3; at most two of each, those standing out most first; "
        "centre scores to one decimal",
        _FEEDS,
        _SUPPRESSION,
    ),
    Indicator(
        "profiles.overall_score",
        "profiles",
        "Mean of the area scores (the school's, or the profile centre's).",
        "score 1-5",
        "plain mean over the areas, each once (for a school: its latest-round area scores, a missing area taking the mean of the schools that have it, "
        "as for clustering)",
        _FEEDS,
        _SUPPRESSION,
    ),
    Indicator("profiles.schools", "profiles", "Schools in the profile.", "count", "count of schools assigned to the cluster", _FEEDS, _SUPPRESSION),
    Indicator(
        "profiles.centre",
        "profiles",
        "The profile's centre in the area (k-means cluster centre).",
        "score 1-5",
        "k-means over the schools' latest-round area scores (the round that started last), 10 starts with a fixed seed; the centre is the mean area "
        "score of the cluster's schools (a school's missing area takes the mean of the schools that have it); profiles are numbered from the highest "
        "mean centre down",
        _FEEDS,
        _SUPPRESSION,
    ),
    Indicator(
        "profiles.silhouette",
        "profiles",
        "Mean silhouette of the k-means clustering with k clusters (higher: better separated).",
        "-1..1",
        "for each school s = (b - a) / max(a, b), where a is its mean Euclidean distance (over the area scores) to the other schools of its cluster and "
        "b the smallest mean distance to the schools of another cluster (s = 0 for a school alone in its cluster); the mean of s over the schools",
        _FEEDS,
        _SUPPRESSION,
    ),
    Indicator(
        "profiles.chosen",
        "profiles",
        "True for the k with the best silhouette (the one used).",
        "boolean",
        "the k with the highest silhouette; ties go to the smaller k",
        _FEEDS,
        _SUPPRESSION,
    ),
)
register_mart(Mart("school_profiles", "school", "Each school's maturity profile (latest round).", {
    "school": "school", "school_name": "school_name", "hub": "hub", "round": "round", "profile": "profile",
    "label": "profiles.label", "overall_score": "profiles.overall_score",
}))  # fmt: skip
register_mart(Mart("maturity_profiles", "country", "The maturity profiles: label, description in words, size.", {
    "profile": "profile", "label": "profiles.label", "description": "profiles.description",
    "overall_score": "profiles.overall_score", "schools": "profiles.schools", "suppressed": "suppressed", "suppressed_reason": "suppressed_reason",
}))  # fmt: skip
register_mart(Mart("maturity_profile_centres", "country", "Each profile's centre per SELFIE area.", {
    "profile": "profile", "area": "area", "area_name": "area_name", "centre": "profiles.centre", "suppressed": "suppressed",
    "suppressed_reason": "suppressed_reason",
}))  # fmt: skip
register_mart(Mart("profile_selection", "country", "How the number of profiles was chosen: silhouette for k = 2..6.", {
    "k": "k", "silhouette": "profiles.silhouette", "chosen": "profiles.chosen",
}))  # fmt: skip
