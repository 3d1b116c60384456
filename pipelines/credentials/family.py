"""Micro-credentials earned: counts per school, hub and country, and each person's own list.

Reads the live *earned* statements on badge activities (Open Badges xAPI vocabulary): those
``lat credentials award`` and ``lat credentials import`` record and any an external badge
platform sends. A credential counts once per earner and achievement (the first earned
statement). Imported credentials (statement source ``credential import: <issuer>``) count
like issued ones and are also shown apart.

Hub and country counts follow the attribution rule (docs/registry.md): a credential counts
for the hub of its statements, which is the registry hub of their school or, for an earner
without a school (a mentor), the statement's hub extension. School and person rows need a
registry school: a row without one would be in every school's scope.

This module reads the statements and declares the family's marts and definitions; the
rules are :mod:`pipelines.credentials.earned` and :mod:`pipelines.credentials.counts`.
"""

from __future__ import annotations

import polars as pl

from lat.config import Settings
from lat.xapi import vocab
from pipelines.core.catalogue import Mart, register_mart
from pipelines.core.definitions import Indicator, register, register_dimension
from pipelines.core.source import Sources
from pipelines.core.suppression import FEW_RESPONDENTS, FEW_SCHOOLS, withhold_few_schools
from pipelines.credentials.counts import counts
from pipelines.credentials.earned import earned, issued_by


def _names(sources: Sources) -> pl.LazyFrame:
    """achievement -> its English name, from the statements' activity definitions."""
    return sources.query(
        "SELECT object_id AS achievement, min(raw->>'$.object.definition.name.en') AS achievement_name "
        "FROM statements WHERE NOT voided AND verb = ? AND activity_type = ? GROUP BY object_id",
        [vocab.EARNED, vocab.BADGE],
    )


# What this family reads (pipelines/core/compute.py keeps its marts when no new statement matches).
READS = f"verb = '{vocab.EARNED}' AND activity_type = '{vocab.BADGE}'"


def compute(sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame]:
    """credentials_school, credentials_hub, credentials_country, credentials_person."""
    columns = ["actor_key", "object_id", "school", "hub", "timestamp", "stored", "source"]
    statements = sources.statements(columns, verbs=[vocab.EARNED], activity_types=[vocab.BADGE])
    rows = earned(statements).join(_names(sources), on="achievement", how="left")
    registered = sources.table("schools").select(pl.col("school_id").alias("school"))
    placed = rows.join(registered, on="school", how="semi")
    # a school id the registry does not know is no school of the hub: it must not help an aggregate past LAT_MIN_SCHOOLS
    hubs = sources.table("hubs").select(pl.col("hub_id").alias("hub"), "country")
    in_hubs = (
        rows.join(hubs, on="hub", how="inner")
        .join(registered.with_columns(pl.lit(True).alias("_known")), on="school", how="left")
        .with_columns(pl.when(pl.col("_known")).then(pl.col("school")).alias("school"))
        .drop("_known")
    )
    people = sources.table("people").filter(pl.col("actor").is_not_null()).select(pl.col("actor").alias("actor_key"), pl.col("person_id").alias("person"))
    person = (
        placed.join(people.unique("actor_key"), on="actor_key", how="inner")
        .select("school", "person", "achievement", "achievement_name", pl.col("timestamp").dt.date().alias("earned_on"), issued_by().alias("issued_by"))
        .sort("school", "person", "earned_on", "achievement")
    )
    return {
        "credentials_school": counts(placed, ["school"]).drop("schools"),
        "credentials_hub": _aggregate(in_hubs, "hub", settings.min_schools),
        "credentials_country": _aggregate(in_hubs, "country", settings.min_schools),
        "credentials_person": person,
    }


def _aggregate(placed: pl.LazyFrame, level: str, min_schools: int) -> pl.LazyFrame:
    """A hub's or country's counts, withheld where fewer than ``min_schools`` schools have earners."""
    withheld = withhold_few_schools(counts(placed, [level]), schools="schools", values=["earned", "imported"], min_schools=min_schools)
    # no respondent cells here: an achievement only people without a school earned is withheld for its 0 schools
    return withheld.with_columns(pl.col("suppressed_reason").replace(FEW_RESPONDENTS, FEW_SCHOOLS))


def _register() -> None:
    register_dimension("achievement", "Achievement (badge) id: the object id of the earned statements.")
    register_dimension("achievement_name", "Achievement name (the badge activity's English name).")
    register_dimension("person", "Person id from the registry (people.csv).")
    register_dimension(
        "earned_on",
        "Date (UTC) the credential was first earned: a person who earned the same achievement again has one row, dated by the "
        "earliest earned statement (ties: the earlier stored); issued_by is that statement's.",
    )
    register_dimension("issued_by", "'this hub' (lat credentials award), the issuer id of an imported credential, or 'xAPI source' (reported by another tool).")
    register(
        Indicator(
            "credentials.earned",
            "credentials",
            "Earners of the achievement (people or schools), each counted once.",
            "count",
            "distinct (actor, achievement) of live earned statements on badge activities (earning it again counts once); per school: the statements' "
            "school; per hub and country: the statements' hub (the registry hub of their school, or the hub extension for an earner without a school, "
            "e.g. a mentor) and that hub's country",
            "verb earned (Open Badges xAPI), object type badge",
            "none per school (counts of awards, names not shown); hub and country rows: empty (suppressed_reason few_schools) when fewer than "
            "LAT_MIN_SCHOOLS schools have earners of the achievement (earners without a school add none)",
        ),
        Indicator(
            "credentials.imported",
            "credentials",
            "Of those, credentials imported from other providers.",
            "count",
            "earners whose first earned statement has source 'credential import: ...'",
            "earned statements recorded by 'lat credentials import'",
            "as earned",
        ),
        Indicator(
            "credentials.schools",
            "credentials",
            "Schools with at least one earner of the achievement.",
            "count",
            "distinct registry schools of the earners (an earner without a school, or with a school id the registry does not know, adds to earned, not to "
            "schools)",
            "earned statements, attributed to schools",
            "none",
        ),
    )
    aggregate = {"schools": "credentials.schools", "suppressed": "suppressed", "suppressed_reason": "suppressed_reason"}
    common = {"achievement": "achievement", "achievement_name": "achievement_name", "earned": "credentials.earned", "imported": "credentials.imported"}
    register_mart(Mart("credentials_school", "school", "Micro-credentials earned per school and achievement.", {"school": "school", **common}))
    register_mart(Mart("credentials_hub", "hub", "Micro-credentials earned per hub and achievement.", {"hub": "hub", **common, **aggregate}))
    register_mart(
        Mart(
            "credentials_country",
            "country",
            "Micro-credentials earned per country and achievement.",
            {"country": "country", **common, **aggregate},
        )
    )
    register_mart(
        Mart(
            "credentials_person",
            "school",
            "Each registered person's own micro-credentials earned in a registry school (a teacher's list): one row per person and achievement. A "
            "person without a school (a mentor, a coordinator) has no row (this mart is scoped by school); their credentials are in credentials_hub and "
            "credentials_country.",
            {
                "school": "school",
                "person": "person",
                "achievement": "achievement",
                "achievement_name": "achievement_name",
                "earned_on": "earned_on",
                "issued_by": "issued_by",
            },
        )
    )


_register()
