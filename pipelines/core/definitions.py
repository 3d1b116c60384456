"""Definitions of every indicator and every dimension column the marts publish.

Each pipeline module registers its indicators here at import time; ``docs/indicators.md``
is generated from this catalogue (``python -m pipelines.core.docs``) and a test checks that
every published column has a definition.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    """One published measure: what it means and how it is computed.

    ``name`` is ``<family>.<column>`` (the same column name may mean different things in
    different families, e.g. ``n``).
    """

    name: str
    family: str
    meaning: str
    unit: str
    formula: str
    statements: str
    suppression: str


INDICATORS: dict[str, Indicator] = {}

# Key and descriptive columns shared by many marts.
DIMENSIONS: dict[str, str] = {
    "school": "School id from the registry (schools.csv).",
    "school_name": "School name from the registry.",
    "hub": "Hub id from the registry.",
    "hub_name": "Hub name from the registry.",
    "country": "Country id (ISO 3166-1 alpha-2) from the registry.",
    "country_name": "Country name from the registry.",
    "level": "School level: primary, secondary or vet.",
    "language": "School language (ISO 639-1).",
    "teachers": "Number of teachers in the school (registry).",
    "students": "Number of students in the school (registry).",
    "round": "Self-assessment round label, e.g. 2025-autumn (profile extension).",
    "previous_round": "The round compared against: the latest of the school's earlier rounds with figures for the same area (and, in maturity, the same "
    "respondent group). Rounds are ordered by when they started, i.e. their first answer in the store in any school (ties: label order), not "
    "by label alone.",
    "area": "SELFIE area letter A-H (maturity) or DigCompEdu area 1-6 (competence).",
    "area_name": "Name of the area.",
    "item": "SELFIE item code, e.g. A1.",
    "group": "Respondent group: leader, teacher or student.",
    "pair": "Which groups a gap compares: leader-teacher or teacher-student.",
    "rank": "Position of the item in the school's list of its kind: 1 = the strongest item (kind strongest) or the weakest item (kind weakest).",
    "kind": "strongest (the 3 items with the highest means) or weakest (the 3 with the lowest); with fewer than 6 ranked items an item is listed as strongest "
    "only, so the weakest list is shorter.",
    "weighting": "school (each school whose cell is not suppressed counts once) or respondent (the respondents, or teachers for competence, of the same "
    "schools pooled).",
    "competence_level": "DigCompEdu proficiency level A1..C2.",
    "suppressed": "True when the row's figures are withheld (empty). A cell is suppressed by the small-cell rule: its "
    "count (respondents; teachers for competence; complete cases for alpha) is below LAT_MIN_CELL_SIZE, or, in maturity, none of its answers is "
    "shown (each answer needs its item cell and its area cell to reach LAT_MIN_CELL_SIZE). A derived row is suppressed when an input is: a gap "
    "whose group cell is, a progress row whose either round is (its change is empty; each round's own figure stays as "
    "its cell in maturity_area or competence_area shows it). An aggregate (hub, country, profile, outcome summary, credentials per hub or "
    "country) is suppressed when fewer than LAT_MIN_SCHOOLS schools have figures (suppressed_reason says which rule). The indicators' "
    "suppression lines say which.",
    "suppressed_reason": "Why an aggregate row is suppressed: few_respondents (no school cell with figures: each has fewer than LAT_MIN_CELL_SIZE "
    "respondents) or few_schools (fewer than LAT_MIN_SCHOOLS schools with figures); empty when the row is shown.",
    "mentor": "Mentor: a person id or a mentor school id (registry).",
    "mentee_school": "The mentored school id (registry).",
    "start": "Start date of the mentoring pair (registry); empty when the registry gives none (the pair then counts from the first snapshot).",
    "end": "End date of the mentoring pair (registry); empty when the registry gives none (open-ended).",
    "name": "Name (registry).",
    "hub_a": "First hub of a comparison: of the two hub ids, the one that sorts first (each pair of a country's hubs appears once).",
    "hub_b": "Second hub of a comparison: of the two hub ids, the one that sorts last.",
}


def register(*indicators: Indicator) -> None:
    """Add indicators to the catalogue; a name may be registered once (re-import is harmless)."""
    for indicator in indicators:
        known = INDICATORS.get(indicator.name)
        if known is not None and known != indicator:
            raise ValueError(f"indicator {indicator.name} is defined twice, differently")
        INDICATORS[indicator.name] = indicator


def register_dimension(name: str, meaning: str) -> None:
    """Add a key/descriptive column shared by marts."""
    DIMENSIONS.setdefault(name, meaning)


def describe(key: str) -> str | None:
    """The meaning of a definition key (indicator or dimension), or None when undefined."""
    if key in INDICATORS:
        return INDICATORS[key].meaning
    return DIMENSIONS.get(key)
