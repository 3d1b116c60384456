"""Teachers' digital competence (DigCompEdu self-assessments), per school, round and area.

Statements: ANSWERED on DIGCOMPEDU-COMPETENCE activities (``.../competences/<area>.<n>``),
the level A1..C2 in ``result.response`` (or ``result.score.raw`` 1..6), school and round
in context extensions. The latest answer per teacher and competence counts.

A teacher's *area level* is the lower median of their levels on the area's competences
(A1=1 .. C2=6); the distribution counts teachers by area level. Like maturity this is a
partitioned family: :func:`state` keeps counts per (school, round, area), :func:`derive`
publishes the marts with the small-cell rule on the number of teachers.
"""

from __future__ import annotations

import polars as pl

from lat import vocab
from lat.config import Settings
from pipelines.core.catalogue import Mart, register_mart
from pipelines.core.definitions import Indicator, register
from pipelines.core.source import Sources, sql_text
from pipelines.core.suppression import is_small

FAMILY = "competence"
# per (school, round) from that partition alone: updated in place in mart_* (see maturity)
PARTITION_MARTS = ("competence_area", "competence_levels")
CELL = ["school", "round", "area"]
LEVELS = list(vocab.DIGCOMP_LEVELS)
B1 = 3  # index of B1 (Integrator)
COUNT_COLUMNS = [f"level_{lv.lower()}" for lv in LEVELS]


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
        tail=f"QUALIFY row_number() OVER (PARTITION BY school, round, actor_key, {_CODE_SQL}"
        " ORDER BY timestamp DESC, stored DESC, rowid DESC) = 1",
    )


def latest_levels(latest: pl.LazyFrame) -> pl.LazyFrame:
    """school, round, area, competence, teacher, level (1..6) from the latest self-assessments."""
    from_response = pl.col("response").str.to_uppercase().replace_strict(
        {lv: i + 1 for i, lv in enumerate(LEVELS)}, default=None, return_dtype=pl.Int64
    )
    from_raw = pl.when(pl.col("score_raw").is_in([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])).then(pl.col("score_raw").cast(pl.Int64))
    return latest.select(
        "school", "round", pl.col("competence").str.split(".").list.first().alias("area"),
        "competence", "teacher", pl.coalesce(from_response, from_raw).alias("level"), "timestamp",
    ).filter(pl.col("level").is_not_null())


def area_levels(levels: pl.LazyFrame) -> pl.LazyFrame:
    """Each teacher's area level: the lower median of their competence levels in the area."""
    return levels.group_by([*CELL, "teacher"]).agg(
        pl.col("level").quantile(0.5, interpolation="lower").cast(pl.Int64).alias("level"),
        pl.col("timestamp").min().alias("first_answer"),
    )


def state(sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame]:
    teachers = area_levels(latest_levels(read_latest_assessments(sources)))
    counts = [(pl.col("level") == i + 1).sum().cast(pl.Int64).alias(c) for i, c in enumerate(COUNT_COLUMNS)]
    return {
        "competence_state": teachers.group_by(CELL).agg(
            pl.len().cast(pl.Int64).alias("n"), *counts, pl.col("level").sum().cast(pl.Int64).alias("level_sum"),
            pl.col("first_answer").min(),
        )
    }


def _figures(frame: pl.LazyFrame, k: int) -> pl.LazyFrame:
    b1_plus = pl.sum_horizontal(COUNT_COLUMNS[B1 - 1:])
    hidden = is_small("n", k)
    return frame.with_columns(
        pl.when(hidden).then(None).otherwise(pl.col("level_sum") / pl.col("n")).alias("mean_level"),
        pl.when(hidden).then(None).otherwise(b1_plus / pl.col("n")).alias("share_b1_plus"),
        hidden.alias("suppressed"),
    )


def area_cells(st: pl.LazyFrame, k: int) -> pl.LazyFrame:
    return _figures(st, k).select(*CELL, "n", "mean_level", "share_b1_plus", "suppressed")


def level_distribution(st: pl.LazyFrame, k: int) -> pl.LazyFrame:
    """Long table: teachers and share at each level; counts blanked in small cells."""
    long = st.unpivot(index=[*CELL, "n"], on=COUNT_COLUMNS, variable_name="competence_level", value_name="teachers")
    hidden = is_small("n", k)
    return long.select(
        *CELL,
        pl.col("competence_level").str.strip_prefix("level_").str.to_uppercase(),
        "n",
        pl.when(hidden).then(None).otherwise(pl.col("teachers")).alias("teachers"),
        pl.when(hidden).then(None).otherwise(pl.col("teachers") / pl.col("n")).alias("share"),
        hidden.alias("suppressed"),
    )


def between_rounds(st: pl.LazyFrame, k: int) -> pl.LazyFrame:
    """Change of share at B1+ and of mean level from the school's previous round (same area)."""
    order = (
        st.group_by("round").agg(pl.col("first_answer").min()).sort(["first_answer", "round"])
        .with_row_index("round_order").select("round", "round_order")
    )
    cells = _figures(st.join(order, on="round"), 1).sort("round_order")
    keys = ["school", "area"]
    prev = cells.with_columns(pl.col("round").shift(-1).over(keys).alias("_next")).filter(pl.col("_next").is_not_null())
    paired = cells.join(
        prev.select(*keys, pl.col("_next").alias("round"), pl.col("round").alias("previous_round"),
                    pl.col("n").alias("n_previous"), pl.col("share_b1_plus").alias("share_b1_plus_previous"),
                    pl.col("mean_level").alias("mean_level_previous")),
        on=[*keys, "round"],
    )
    hidden = is_small("n", k) | is_small("n_previous", k)
    figures = {
        "share_b1_plus": pl.col("share_b1_plus"), "share_b1_plus_previous": pl.col("share_b1_plus_previous"),
        "change_share_b1_plus": pl.col("share_b1_plus") - pl.col("share_b1_plus_previous"),
        "mean_level": pl.col("mean_level"), "mean_level_previous": pl.col("mean_level_previous"),
        "change_mean_level": pl.col("mean_level") - pl.col("mean_level_previous"),
    }
    return paired.select(
        "school", "round", "previous_round", "area", "n", "n_previous",
        *[pl.when(hidden).then(None).otherwise(e).alias(name) for name, e in figures.items()],
        hidden.alias("suppressed"),
    )


def rollup(st: pl.LazyFrame, schools: pl.LazyFrame, level: str, k: int) -> pl.LazyFrame:
    """competence_hub / competence_country: school-weighted (unsuppressed schools) and pooled teachers."""
    keys = [level, *(["country"] if level == "hub" else []), "round", "area"]
    cells = _figures(st.join(schools.select("school", *dict.fromkeys([level, "country"])), on="school"), k)
    cells = cells.filter(pl.col(level).is_not_null())
    shown = ~pl.col("suppressed")
    share = pl.col("share_b1_plus").filter(shown)
    by_school = cells.group_by(keys).agg(
        shown.sum().cast(pl.Int64).alias("schools"), (~shown).sum().cast(pl.Int64).alias("schools_excluded"),
        pl.col("n").filter(shown).sum().cast(pl.Int64).alias("n"),
        share.mean().alias("share_b1_plus"), pl.col("mean_level").filter(shown).mean().alias("mean_level"),
        share.median().alias("median"), share.quantile(0.25, interpolation="linear").alias("q1"),
        share.quantile(0.75, interpolation="linear").alias("q3"),
    ).with_columns(pl.lit("school").alias("weighting"), (pl.col("schools") == 0).alias("suppressed"))
    b1_plus = pl.sum_horizontal(COUNT_COLUMNS[B1 - 1:])
    pooled = cells.with_columns(b1_plus.alias("_b1")).group_by(keys).agg(
        pl.len().cast(pl.Int64).alias("schools"), pl.col("n").sum().cast(pl.Int64).alias("n"),
        pl.col("n").filter(is_small("n", k)).sum().alias("_hidden"),
        pl.col("_b1").sum(), pl.col("level_sum").sum(),
    )
    hidden = is_small("n", k) | ((pl.col("_hidden") > 0) & (pl.col("_hidden") < k))
    pooled = pooled.with_columns(
        pl.lit("respondent").alias("weighting"), pl.lit(0, dtype=pl.Int64).alias("schools_excluded"),
        pl.when(hidden).then(None).otherwise(pl.col("_b1") / pl.col("n")).alias("share_b1_plus"),
        pl.when(hidden).then(None).otherwise(pl.col("level_sum") / pl.col("n")).alias("mean_level"),
        *[pl.lit(None, dtype=pl.Float64).alias(c) for c in ("median", "q1", "q3")],
        hidden.alias("suppressed"),
    )
    out = [*keys, "weighting", "schools", "schools_excluded", "n", "share_b1_plus", "mean_level", "median", "q1", "q3", "suppressed"]
    return pl.concat([by_school.select(out), pooled.select(out)])


def derive(st: dict[str, pl.DataFrame], sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame]:
    k = settings.min_cell_size
    frame = st["competence_state"].lazy()
    schools = sources.table("schools").select(pl.col("school_id").alias("school"), "hub", "country")
    return {
        "competence_area": area_cells(frame, k),
        "competence_levels": level_distribution(frame, k),
        "competence_progress": between_rounds(frame, k),
        "competence_hub": rollup(frame, schools, "hub", k),
        "competence_country": rollup(frame, schools, "country", k),
    }


def compute(sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame]:
    return derive({n: f.collect() for n, f in state(sources, settings).items()}, sources, settings)


# --- definitions and marts ---------------------------------------------------------------------

_STMTS = "ANSWERED statements on DigCompEdu competence activities with school and round extensions; not voided; latest per teacher and competence"
_SMALL = "empty when n (teachers) < LAT_MIN_CELL_SIZE"


def _c(column: str, meaning: str, unit: str, formula: str, suppression: str = _SMALL) -> Indicator:
    return Indicator(f"competence.{column}", FAMILY, meaning, unit, formula, _STMTS, suppression)


register(
    _c("n", "Teachers of the school who self-assessed at least one competence of the area in the round.", "teachers",
       "count of distinct teachers", "never"),
    _c("mean_level", "Mean of teachers' area levels (A1=1 .. C2=6).", "level 1-6", "sum of area levels / n"),
    _c("share_b1_plus", "Share of teachers whose area level is B1 (Integrator) or above.", "share 0-1",
       "teachers with area level >= B1 / n; area level = lower median of the teacher's competence levels in the area"),
    _c("teachers", "Teachers whose area level is this level.", "teachers", "count"),
    _c("share", "Share of the school's assessed teachers at this level.", "share 0-1", "teachers at level / n"),
    _c("change", "Change from the school's previous round (same area): of the share at B1+ or of the mean level.",
       "share points or levels", "figure(round) - figure(previous round)", "empty when either round has n < LAT_MIN_CELL_SIZE"),
    _c("schools", "Schools in the roll-up cell (school weighting: unsuppressed; respondent weighting: all).", "schools", "count", "never"),
    _c("schools_excluded", "Suppressed school cells left out of a school-weighted roll-up.", "schools", "count", "never"),
    _c("rollup", "Hub/country figure: school weighting = mean of school figures (unsuppressed schools); respondent weighting = pooled teachers.",
       "as the school figure", "see weighting", "school: suppressed schools left out; respondent: pooled n < LAT_MIN_CELL_SIZE, or suppressed schools contribute 1..LAT_MIN_CELL_SIZE-1 teachers"),
    _c("quartiles", "Median and quartiles of the schools' shares at B1+ (school weighting only).", "share 0-1",
       "linear interpolation", "only unsuppressed schools; empty for respondent weighting"),
)
_CELLC = {"school": "school", "round": "round", "area": "area"}
register_mart(Mart("competence_area", "school", "Teachers' DigCompEdu levels per school, round and area.", {
    **_CELLC, "n": "competence.n", "mean_level": "competence.mean_level", "share_b1_plus": "competence.share_b1_plus",
    "suppressed": "suppressed",
}))
register_mart(Mart("competence_levels", "school", "Distribution of teachers' area levels (A1..C2) per school, round and area.", {
    **_CELLC, "competence_level": "competence_level", "n": "competence.n", "teachers": "competence.teachers",
    "share": "competence.share", "suppressed": "suppressed",
}))
register_mart(Mart("competence_progress", "school", "Change of teachers' competence from the school's previous round.", {
    "school": "school", "round": "round", "previous_round": "previous_round", "area": "area", "n": "competence.n",
    "n_previous": "competence.n", "share_b1_plus": "competence.share_b1_plus", "share_b1_plus_previous": "competence.share_b1_plus",
    "change_share_b1_plus": "competence.change", "mean_level": "competence.mean_level",
    "mean_level_previous": "competence.mean_level", "change_mean_level": "competence.change", "suppressed": "suppressed",
}))
_ROLL = {
    "round": "round", "area": "area", "weighting": "weighting", "schools": "competence.schools",
    "schools_excluded": "competence.schools_excluded", "n": "competence.n", "share_b1_plus": "competence.rollup",
    "mean_level": "competence.rollup", "median": "competence.quartiles", "q1": "competence.quartiles",
    "q3": "competence.quartiles", "suppressed": "suppressed",
}
register_mart(Mart("competence_hub", "hub", "Teachers' competence per hub, round and area; school- and teacher-weighted.", {
    "hub": "hub", "country": "country", **_ROLL,
}))
register_mart(Mart("competence_country", "country", "Teachers' competence per country, round and area; school- and teacher-weighted.", {
    "country": "country", **_ROLL,
}))
