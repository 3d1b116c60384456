"""The codebook: every column of every export file, its meaning, type and values.

Written as ``codebook.json`` (for programs) and ``codebook.md`` (for people). The values of a
quasi-identifier are those of the level it was generalised to, which the manifest records.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lat.export import generalise as gen
from lat.xapi import vocab

_BANDS = ", ".join(label for _, label in gen.SIZE_BANDS) + f", {gen.SIZE_BAND_TOP}"
_COARSE = ", ".join(label for _, label in gen.COARSE_SIZE_BANDS) + f", {gen.COARSE_SIZE_TOP}"
_STAR = f"'{gen.TOP}' when withheld"

# column -> (meaning, values)
FIXED: dict[str, tuple[str, str]] = {
    "respondent": ("Respondent pseudonym: HMAC-SHA256 of the stored respondent key with the export key.", "R- + 16 hex digits"),
    "school": ("School pseudonym: HMAC-SHA256 of the school id with the export key.", f"S- + 12 hex digits; {_STAR}"),
    "hub": ("Regional innovation hub running the pilot (registry id).", f"hub id; {_STAR}"),
    "country": ("Country of the school (ISO 3166-1 alpha-2).", f"country code; {_STAR}"),
    "school_level": ("School level.", f"primary, secondary, vet; {_STAR}"),
    "size_band": ("School size: band of the pupil count.", f"{_BANDS} (fine); {_COARSE} (coarse); {_STAR}"),
    "mentored": ("Whether the school is a mentee in the mentoring programme.", f"yes, no; {_STAR}"),
    "round": ("Self-assessment round.", "round label, e.g. 2025-autumn"),
    "group": ("Respondent group.", f"leader, teacher, student (level 'group'); staff, student (level 'staff or student'); {_STAR}"),
    "period": ("When the respondent started answering (UTC).", f"ISO week 2025-W39 (level 'week'); month 2025-09 (level 'month'); {_STAR}"),
    "area": ("SELFIE-style area of the item.", ", ".join(f"{k} {v}" for k, v in vocab.AREAS.items())),
    "item": ("Item code.", "area letter + number, e.g. A1"),
    "response": ("The answer as given.", "1 strongly disagree .. 5 strongly agree; na not applicable; pns prefer not to say"),
    "value": ("The answer as a score; empty for na and pns.", "1-5"),
    "scored_answers": ("Answers of the respondent in the round with a score (1-5).", "count"),
    "respondents": ("Respondents of the school in the round with at least one score; empty below the minimum cell size.", "count"),
    "overall_mean": ("Mean over respondents of each respondent's mean score; empty below the minimum cell size.", "1-5"),
    "meetings": ("Mentoring meetings held (latest snapshot of the mentoring_progress indicator).", "count; empty for schools not mentored"),
    "goals_set": ("Mentoring goals set.", "count; empty for schools not mentored"),
    "goals_achieved": ("Mentoring goals achieved.", "count; empty for schools not mentored"),
    "steps_planned": ("Action-plan steps planned.", "count; empty for schools not mentored"),
    "steps_completed": ("Action-plan steps completed.", "count; empty for schools not mentored"),
    "steps_share": ("Share of planned steps completed.", "0-1; empty for schools not mentored"),
    "observations": ("Lesson observations.", "count; empty for schools not mentored"),
    "teacher_share": ("Share of the school's teachers reached by mentoring.", "0-1; empty for schools not mentored"),
    "phase_reached": ("Furthest mentoring phase reached.", ", ".join(vocab.PHASES) + "; empty for schools not mentored"),
    "stalled": ("Whether the mentoring stalled (no contact for LAT_STALLED_DAYS).", "true, false; empty for schools not mentored"),
}


def describe(column: str) -> tuple[str, str]:
    """(meaning, values) of a column, including the generated ones (mean_A, A_teacher_n, ...)."""
    if column in FIXED:
        return FIXED[column]
    if column.startswith("mean_") and column[5:] in vocab.AREAS:
        area = column[5:]
        return (f"Respondent's mean score in area {area} ({vocab.AREAS[area]}); empty without a score there.", "1-5")
    area, group, stat = column.split("_", 2)
    what = f"area {area} ({vocab.AREAS[area]}), {group}s"
    if stat == "n":
        return (f"Respondents with a score in {what}; empty below the minimum cell size.", "count")
    return (f"Mean over respondents of their mean score in {what}; empty below the minimum cell size.", "1-5")


def build(files: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """{file: {column: {meaning, type, values}}} for the exported files."""
    return {
        path: {column: dict(zip(("meaning", "values"), describe(column), strict=True), type=str(dtype)) for column, dtype in frame.schema.items()}
        for path, frame in files.items()
    }


def markdown(codebook: dict[str, Any]) -> str:
    """The codebook as a Markdown page: one table per file."""
    lines = ["# Codebook", ""]
    for path, columns in codebook.items():
        lines += [f"## `{path}`", "", "| column | type | meaning | values |", "| --- | --- | --- | --- |"]
        lines += [f"| `{c}` | {d['type']} | {d['meaning']} | {d['values']} |" for c, d in columns.items()]
        lines.append("")
    return "\n".join(lines)
