"""Teachers' digital competence (DigCompEdu self-assessments), per school, round and area.

Statements: ANSWERED on DIGCOMPEDU-COMPETENCE activities (``.../competences/<area>.<n>``),
the level A1..C2 in ``result.response`` (or ``result.score.raw`` 1..6), school and round
in context extensions. The latest answer per teacher and competence counts.

A teacher's *area level* is the lower median of their levels on the area's competences
(A1=1 .. C2=6); the distribution counts teachers by area level. Like maturity this is a
partitioned family: :func:`state` keeps counts per (school, round, area), :func:`derive`
publishes the marts with the small-cell rule on the number of teachers.

The rules are in the modules beside this one (teacher_levels, area_figures,
level_distribution, progress) and in :mod:`pipelines.competence.rollup`; this module reads
the self-assessments, wires the rules into the family and declares its marts and definitions.
"""

from __future__ import annotations

import polars as pl

from lat.config import Settings
from lat.xapi import vocab
from pipelines.competence.area_figures import area_cells
from pipelines.competence.level_distribution import level_distribution
from pipelines.competence.progress import between_rounds
from pipelines.competence.rollup import rollup
from pipelines.competence.teacher_levels import CELL, COUNT_COLUMNS, area_levels, latest_levels
from pipelines.core.catalogue import Mart, register_mart
from pipelines.core.definitions import Indicator, register
from pipelines.core.rounds import round_order
from pipelines.core.source import Sources, sql_text

FAMILY = "competence"
# per (school, round) from that partition alone: updated in place in mart_* (see maturity)
PARTITION_MARTS = ("competence_area", "competence_levels")


# The competence code: the object id without the DigCompEdu base (as polars' strip_prefix).
_BASE = sql_text(vocab.COMPETENCE_BASE)
_CODE_SQL = f"CASE WHEN starts_with(object_id, {_BASE}) THEN substr(object_id, {len(vocab.COMPETENCE_BASE) + 1}) ELSE object_id END"


def read_latest_assessments(sources: Sources) -> pl.LazyFrame:
    """The latest self-assessment per teacher and competence (school, round, teacher,
    competence, response, score_raw, timestamp): latest timestamp, ties the later stored.

    Deduplicated inside DuckDB, so only the latest rows cross into Arrow (a sort of every
    self-assessment in polars was most of this family's time)."""
    return sources.statements_sql(
        f"school, round, actor_key AS teacher, {_CODE_SQL} AS competence, response, score_raw, timestamp",
        verbs=[vocab.ANSWERED],
        activity_types=[vocab.COMPETENCE],
        extra_where="school IS NOT NULL AND round IS NOT NULL",
        tail=f"QUALIFY row_number() OVER (PARTITION BY school, round, actor_key, {_CODE_SQL} ORDER BY timestamp DESC, stored DESC, rowid DESC) = 1",
    )


def state(sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame]:
    """competence_state: per school, round and area, the teachers' count per level, level sum and first answer."""
    teachers = area_levels(latest_levels(read_latest_assessments(sources)))
    counts = [(pl.col("level") == i + 1).sum().cast(pl.Int64).alias(c) for i, c in enumerate(COUNT_COLUMNS)]
    return {
        "competence_state": teachers.group_by(CELL).agg(
            pl.len().cast(pl.Int64).alias("n"),
            *counts,
            pl.col("level").sum().cast(pl.Int64).alias("level_sum"),
            pl.col("first_answer").min(),
        )
    }


def derive(st: dict[str, pl.DataFrame], sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame]:
    """competence_area, competence_levels, competence_progress, competence_hub and competence_country from the state."""
    k = settings.min_cell_size
    frame = st["competence_state"].lazy()
    schools = sources.table("schools").select(pl.col("school_id").alias("school"), "hub", "country")
    return {
        "competence_area": area_cells(frame, k),
        "competence_levels": level_distribution(frame, k),
        "competence_progress": between_rounds(frame, round_order(st), k),
        "competence_hub": rollup(frame, schools, "hub", k, settings.min_schools),
        "competence_country": rollup(frame, schools, "country", k, settings.min_schools),
    }


def compute(sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame]:
    """Full run: the state, then :func:`derive`."""
    return derive({n: f.collect() for n, f in state(sources, settings).items()}, sources, settings)


# --- definitions and marts ---------------------------------------------------------------------

_STMTS = (
    "DigCompEdu self-assessments: answered statements on DigCompEdu competence activities with school and round extensions; not voided; "
    "the latest per teacher, competence and round"
)
_SMALL = "empty when n (teachers) < LAT_MIN_CELL_SIZE"


def _c(column: str, meaning: str, unit: str, formula: str, suppression: str = _SMALL) -> Indicator:
    return Indicator(f"competence.{column}", FAMILY, meaning, unit, formula, _STMTS, suppression)


register(
    _c(
        "n",
        "Teachers behind the row. A school row: the school's teachers who self-assessed at least one competence of the area in the round (n_previous: the same "
        "in previous_round). A hub or country row, under either weighting: the teachers of the school cells with figures (the cells counted in schools); "
        "the teachers of suppressed cells are in neither weighting.",
        "teachers",
        "count of distinct teachers (roll-ups: the sum of the school counts)",
        "never",
    ),
    _c(
        "mean_level",
        "Mean of teachers' area levels (A1=1 .. C2=6) in the round (mean_level_previous: in previous_round).",
        "level 1-6",
        "sum of area levels / n",
        "empty when n (teachers) < LAT_MIN_CELL_SIZE; in competence_progress, each round's figure is empty when that round's n is (as in competence_area), "
        "whatever the other round's",
    ),
    _c(
        "share_b1_plus",
        "Share of teachers whose area level is B1 (Integrator) or above, in the round (share_b1_plus_previous: in previous_round).",
        "share 0-1",
        "teachers with area level >= B1 / n; a teacher's area level is the lower median of their competence levels in the area (of an even number of levels, "
        "the lower of the two middle ones)",
        "empty when n (teachers) < LAT_MIN_CELL_SIZE; in competence_progress, each round's figure is empty when that round's n is (as in competence_area), "
        "whatever the other round's",
    ),
    _c(
        "teachers_at_level",
        "Teachers whose area level is this level (not the registry's head count, which is teachers).",
        "teachers",
        "count; every school, round and area with self-assessments has six rows, A1 to C2, a level no teacher is at with 0",
    ),
    _c("share", "Share of the school's assessed teachers at this level.", "share 0-1", "teachers_at_level / n"),
    _c(
        "change",
        "Change from the school's previous round (same area): of the share at B1+ or of the mean level.",
        "share points or levels",
        "figure(round) - figure(previous round)",
        "empty when either round has n < LAT_MIN_CELL_SIZE (a suppressed round's figure enters no change); suppressed is then true",
    ),
    _c("schools", "Schools in the roll-up cell: the school cells with figures (not suppressed), for both weightings.", "schools", "count", "never"),
    _c(
        "schools_excluded",
        "School cells of the hub or country (round and area) left out of the roll-up, under both weightings, because they are suppressed (fewer than "
        "LAT_MIN_CELL_SIZE teachers). A school without self-assessments in the round and area has no cell and is not counted.",
        "schools",
        "count",
        "never",
    ),
    _c(
        "rollup",
        "Hub/country figure: school weighting = mean of school figures; respondent weighting = pooled teachers; both over the school cells with figures.",
        "as the school figure",
        "school weighting: the plain mean of the schools' share_b1_plus (or mean_level), each school once; respondent weighting: the teachers at "
        "B1 or above (or the sum of the area levels) over the same schools / all their teachers",
        "suppressed school cells left out; empty (suppressed_reason few_schools) when fewer than LAT_MIN_SCHOOLS schools have figures",
    ),
    _c(
        "quartiles",
        "Median and quartiles of the schools' shares at B1+ (school weighting only).",
        "share 0-1",
        "linear interpolation between order statistics",
        "only school cells with figures; empty for respondent weighting and when fewer than LAT_MIN_SCHOOLS schools have figures",
    ),
)
_CELLC = {"school": "school", "round": "round", "area": "area"}
register_mart(
    Mart(
        "competence_area",
        "school",
        "Teachers' DigCompEdu levels per school, round and area.",
        {
            **_CELLC,
            "n": "competence.n",
            "mean_level": "competence.mean_level",
            "share_b1_plus": "competence.share_b1_plus",
            "suppressed": "suppressed",
        },
    )
)
register_mart(
    Mart(
        "competence_levels",
        "school",
        "Distribution of teachers' area levels per school, round and area: six rows per cell, A1..C2.",
        {
            **_CELLC,
            "competence_level": "competence_level",
            "n": "competence.n",
            "teachers_at_level": "competence.teachers_at_level",
            "share": "competence.share",
            "suppressed": "suppressed",
        },
    )
)
register_mart(
    Mart(
        "competence_progress",
        "school",
        "Change of teachers' competence from the school's previous round.",
        {
            "school": "school",
            "round": "round",
            "previous_round": "previous_round",
            "area": "area",
            "n": "competence.n",
            "n_previous": "competence.n",
            "share_b1_plus": "competence.share_b1_plus",
            "share_b1_plus_previous": "competence.share_b1_plus",
            "change_share_b1_plus": "competence.change",
            "mean_level": "competence.mean_level",
            "mean_level_previous": "competence.mean_level",
            "change_mean_level": "competence.change",
            "suppressed": "suppressed",
        },
    )
)
_ROLL = {
    "round": "round",
    "area": "area",
    "weighting": "weighting",
    "schools": "competence.schools",
    "schools_excluded": "competence.schools_excluded",
    "n": "competence.n",
    "share_b1_plus": "competence.rollup",
    "mean_level": "competence.rollup",
    "median": "competence.quartiles",
    "q1": "competence.quartiles",
    "q3": "competence.quartiles",
    "suppressed": "suppressed",
    "suppressed_reason": "suppressed_reason",
}
register_mart(
    Mart(
        "competence_hub",
        "hub",
        "Teachers' competence per hub, round and area; school- and teacher-weighted.",
        {
            "hub": "hub",
            "country": "country",
            **_ROLL,
        },
    )
)
register_mart(
    Mart(
        "competence_country",
        "country",
        "Teachers' competence per country, round and area; school- and teacher-weighted.",
        {
            "country": "country",
            **_ROLL,
        },
    )
)
