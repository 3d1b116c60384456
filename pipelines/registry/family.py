"""Registry marts: the organisation as dashboards need it, so they never open DuckDB."""

from __future__ import annotations

import polars as pl

from lat.config import Settings
from pipelines.core.catalogue import Mart, register_mart
from pipelines.core.definitions import Indicator, register
from pipelines.core.source import Sources

register(
    Indicator(
        name="registry.schools",
        family="registry",
        meaning="Number of schools in the registry under this hub or country.",
        unit="count",
        formula="count of schools.csv rows with this hub (or country)",
        statements="none (registry)",
        suppression="none (organisational counts)",
    ),
    Indicator(
        name="registry.hubs",
        family="registry",
        meaning="Number of hubs in the registry in this country.",
        unit="count",
        formula="count of hubs.csv rows with this country",
        statements="none (registry)",
        suppression="none (organisational counts)",
    ),
)
register_mart(
    Mart(
        "registry_schools",
        "registry",
        "Every school with its hub, country, level, language and size.",
        {c: c for c in ("school", "school_name", "hub", "hub_name", "country", "country_name", "level", "language", "teachers", "students")},
    )
)
register_mart(
    Mart(
        "registry_hubs",
        "registry",
        "Every hub with its country and number of schools.",
        {
            "hub": "hub",
            "hub_name": "hub_name",
            "country": "country",
            "country_name": "country_name",
            "schools": "registry.schools",
        },
    )
)
register_mart(
    Mart(
        "registry_countries",
        "registry",
        "Every country with its numbers of hubs and schools.",
        {
            "country": "country",
            "country_name": "country_name",
            "hubs": "registry.hubs",
            "schools": "registry.schools",
        },
    )
)
register_mart(
    Mart(
        "registry_mentoring",
        "registry",
        "Mentoring pairs: mentor (person or school) -> mentee school (join registry_schools for its hub).",
        {
            "mentor": "mentor",
            "mentee_school": "mentee_school",
            "start": "start",
            "end": "end",
        },
    )
)


# Reads no statements, only the registry (whose change forces a full run): an update keeps
# these marts (pipelines/core/compute.py).
READS = "FALSE"


def compute(sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame]:
    """The four registry marts."""
    countries = sources.table("countries").select(pl.col("country_id").alias("country"), pl.col("name").alias("country_name"))
    hubs = sources.table("hubs").select(pl.col("hub_id").alias("hub"), pl.col("name").alias("hub_name"), "country")
    schools = (
        sources.table("schools")
        .rename({"school_id": "school", "name": "school_name"})
        .join(hubs.select("hub", "hub_name"), on="hub", how="left")
        .join(countries, on="country", how="left")
        .select("school", "school_name", "hub", "hub_name", "country", "country_name", "level", "language", "teachers", "students")
    )
    school_counts = schools.group_by("hub").agg(pl.len().cast(pl.Int64).alias("schools"))
    hub_mart = (
        hubs.join(countries, on="country", how="left")
        .join(school_counts, on="hub", how="left")
        .with_columns(pl.col("schools").fill_null(0))
        .select("hub", "hub_name", "country", "country_name", "schools")
    )
    country_mart = (
        countries.join(hubs.group_by("country").agg(pl.len().cast(pl.Int64).alias("hubs")), on="country", how="left")
        .join(schools.group_by("country").agg(pl.len().cast(pl.Int64).alias("schools")), on="country", how="left")
        .with_columns(pl.col("hubs").fill_null(0), pl.col("schools").fill_null(0))
    )
    mentoring = sources.table("mentoring").select("mentor", "mentee_school", "start", "end")
    return {
        "registry_schools": schools,
        "registry_hubs": hub_mart,
        "registry_countries": country_mart,
        "registry_mentoring": mentoring,
    }
