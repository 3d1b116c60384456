"""SELFIE-style digital maturity: per school, round, area (and item) and respondent group.

Two stages, so that an update recomputes only the (school, round) partitions it touched:

1. :func:`state` applies the small-cell rule to the survey answers
   (:mod:`pipelines.core.suppression`: only answers in cells with enough respondents feed a
   figure) and turns them into *sufficient statistics* per partition (counts, sums, sums of
   squares, Cronbach's alpha): never published, kept by the orchestrator between runs.
2. :func:`derive` turns the statistics of all partitions into the published marts.

The rules are in the modules beside this one (area_scores, item_scores, rounds, reliability,
gaps, strengths, progress) and in :mod:`pipelines.rollups`; this module wires them into the
family and declares its marts and definitions.
"""

from __future__ import annotations

import polars as pl

from lat.config import Settings
from pipelines.core.answers import latest
from pipelines.core.catalogue import Mart, register_mart
from pipelines.core.definitions import Indicator, register
from pipelines.core.rounds import round_order
from pipelines.core.source import Sources
from pipelines.maturity import gaps, progress, strengths
from pipelines.maturity.area_scores import area_cells, area_state
from pipelines.maturity.cells import scored, shown
from pipelines.maturity.item_scores import item_cells, item_state
from pipelines.maturity.reliability import alpha_cells
from pipelines.maturity.rounds import round_state
from pipelines.rollups import hub_comparison
from pipelines.rollups import maturity as rollup

FAMILY = "maturity"
# Marts whose rows for a (school, round) come from that partition's statistics alone (no
# other round, school or registry table): an update rewrites only the touched partitions'
# rows of their mart_* tables (pipelines/core/compute.py). Progress (previous round, global round
# order) and the roll-ups are not.
PARTITION_MARTS = ("maturity_area", "maturity_item", "maturity_gaps", "maturity_strengths", "maturity_alpha")


# --- stage 0: answers ------------------------------------------------------------------


def latest_answers(latest: pl.DataFrame) -> pl.LazyFrame:
    """This family's answers from :func:`pipelines.core.answers.latest`: one per respondent, school,
    round and item (the latest; only answers with an item and a respondent group compete).
    Columns: school, round, area (the stored area, else the item's first letter; upper
    case), item, group, respondent, score (1-5 or null), timestamp; keys categorical."""
    return (
        latest.lazy()
        .filter("for_maturity")
        .select("school", "round", pl.col("maturity_area").alias("area"), "item", "group", "respondent", "score", "timestamp")
    )


# --- stage 1: sufficient statistics per partition ----------------------------------------


def state(sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame]:
    """Stage 1 for the partitions ``sources`` reads (all, or the touched ones)."""
    answers = latest_answers(latest(sources))
    with_score = scored(answers)
    # the small-cell rule, before any figure: see pipelines.core.suppression
    visible = shown(with_score, settings.min_cell_size)
    frames = {
        "maturity_area_state": area_state(with_score, visible),
        "maturity_item_state": item_state(with_score, visible),
        "maturity_round_state": round_state(answers),
    }
    # the categorical keys were for speed; the kept statistics are plain text
    return {name: frame.with_columns(pl.col(pl.Categorical).cast(pl.String)) for name, frame in frames.items()}


# --- stage 2: published marts -------------------------------------------------------------


def derive(st: dict[str, pl.DataFrame], sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame]:
    """Stage 2: every maturity mart from the statistics of all partitions."""
    k = settings.min_cell_size
    area, items = st["maturity_area_state"].lazy(), st["maturity_item_state"].lazy()
    order = round_order(st)
    schools = sources.table("schools").select(pl.col("school_id").alias("school"), "hub", "country")
    cells = area_cells(area, k)
    item_marts = item_cells(items, k)
    return {
        "maturity_area": cells,
        "maturity_item": item_marts,
        "maturity_gaps": gaps.group_gaps(cells),
        "maturity_strengths": strengths.strengths_weaknesses(item_marts),
        "maturity_progress": progress.between_rounds(area, order, k),
        "maturity_alpha": alpha_cells(area, k),
        "maturity_hub": rollup.maturity_rollup(area, schools, "hub", k, settings.min_schools),
        "maturity_country": rollup.maturity_rollup(area, schools, "country", k, settings.min_schools),
        "maturity_hub_comparison": hub_comparison.compare_hubs(area, schools, k, settings.min_schools),
    }


def compute(sources: Sources, settings: Settings) -> dict[str, pl.LazyFrame]:
    """Full run (no remembered state): stage 1 over everything, then stage 2."""
    collected = {name: frame.collect() for name, frame in state(sources, settings).items()}
    return derive(collected, sources, settings)


# --- definitions and marts ----------------------------------------------------------------------

_ANSWERS = (
    "SELFIE-style survey answers: answered statements on cmi.interaction activities with school, round, item and respondent-group extensions; "
    "not voided; the latest answer per respondent, item and round"
)
_SMALL = (
    "computed from the shown answers only: those whose item cell and area cell (per school, round and group) have at least LAT_MIN_CELL_SIZE "
    "respondents; empty (suppressed) when the cell has none"
)
_FEW_SCHOOLS = "empty (suppressed_reason few_schools) when fewer than LAT_MIN_SCHOOLS schools have figures"


def _maturity(column: str, meaning: str, unit: str, formula: str, suppression: str = _SMALL) -> Indicator:
    return Indicator(f"maturity.{column}", FAMILY, meaning, unit, formula, _ANSWERS, suppression)


register(
    _maturity(
        "n",
        "Respondents of the group with at least one answer 1-5 in the area (or to the item), shown or not.",
        "respondents",
        "count of distinct respondents with a score 1-5",
        "never (shown beside suppressed figures, as in SELFIE reports)",
    ),
    _maturity(
        "mean",
        "Average answer of the group on the 1-5 scale (area: all answers to the area's items).",
        "1-5 scale",
        "sum of the shown scores 1-5 / their number ('na' and 'pns' are not scores; an area's mean leaves out the answers to its suppressed items)",
    ),
    _maturity("share_agree", "Share of the group's answers that agree (4 agree or 5 strongly agree).", "share 0-1", "answers 4 or 5 / answers 1-5"),
    _maturity(
        "gap",
        "Difference between two groups' area means (leader-teacher: leaders minus teachers; teacher-student: teachers minus students).",
        "1-5 scale points",
        "mean(first group) - mean(second group)",
        "empty when either group's cell is suppressed",
    ),
    _maturity(
        "large_gap", "The groups disagree notably: |gap| >= 0.5.", "flag", "abs(gap) >= 0.5; false when gap is empty", "false when either cell is suppressed"
    ),
    _maturity(
        "strength_mean",
        "Mean of a ranked item (strongest: highest means; weakest: lowest).",
        "1-5 scale",
        "per school, round and group: unsuppressed items ranked by mean, then share agreeing, then item code; top 3 and bottom 3",
        "suppressed items are never ranked",
    ),
    _maturity(
        "progress_n",
        "Respondents in the cell in this round (n) and in the previous round (n_previous).",
        "respondents",
        "count of respondents with a score 1-5 in the area",
        "never",
    ),
    _maturity(
        "respondent_mean",
        "Mean of respondents' area means (each respondent counts once) in this round and in the previous one.",
        "1-5 scale",
        "mean over respondents of (their shown scores' mean in the area)",
        "empty when its own round's cell is suppressed (the other round's mean stays shown, as in maturity_area)",
    ),
    _maturity(
        "change",
        "Change of the respondents' area mean from the previous round to this one.",
        "1-5 scale points",
        "respondent_mean(round) - respondent_mean(previous round)",
        "empty when either round's cell is suppressed",
    ),
    _maturity(
        "ci",
        "Lower (ci_low) and upper (ci_high) bound of a two-sided 95% confidence interval around the row's figure: change (maturity_progress), mean "
        "(maturity_hub, maturity_country) or difference (maturity_hub_comparison). One key for three intervals, each given under formula.",
        "same as the figure",
        "t(df) is the 97.5th percentile of Student's t distribution with df degrees of freedom; standard deviations divide by count - 1. "
        "maturity_progress (Welch interval over respondents): change -/+ t(df) * se, se = sqrt(s1^2/n + s0^2/n_previous), where s1 and s0 are the "
        "standard deviations of the respondents' area means (each respondent's mean of their answers 1-5 in the area) in the round and in previous_round "
        "and df is the Welch-Satterthwaite value; the two rounds' respondents are taken as independent samples (answers are anonymous). "
        "Roll-ups, school weighting (t interval over schools): mean -/+ t(schools - 1) * sd / sqrt(schools), sd = standard deviation of the "
        "school cells' means (cells with figures only). "
        "Roll-ups, respondent weighting (t interval over respondents): mean -/+ t(m - 1) * sd / sqrt(m), sd = standard deviation of the pooled "
        "respondents' area means (over their shown answers) and m the pooled respondents with shown answers; centred on the mean of all pooled shown "
        "answers. maturity_hub_comparison (Welch interval over schools): difference -/+ t(df) * se, se = sqrt(sd_a^2/schools_a + sd_b^2/schools_b) over "
        "each hub's school means (cells with figures only), df the Welch-Satterthwaite value",
        "empty with the figure it bounds (suppressed rows, including aggregates of fewer than LAT_MIN_SCHOOLS schools), and when there are too few "
        "schools or respondents to measure a spread",
    ),
    _maturity("significant", "The 95% confidence interval excludes zero.", "flag", "ci_low > 0 or ci_high < 0", "empty with the figure and its interval"),
    _maturity(
        "alpha",
        "Cronbach's alpha of the area's items for the group (internal consistency).",
        "coefficient (<= 1)",
        "k/(k-1) * (1 - sum item variances / variance of total scores) on complete cases; items scored by at least half the respondents",
        "empty when complete cases < LAT_MIN_CELL_SIZE, k < 2 or no variance",
    ),
    _maturity("alpha_n", "Complete cases (respondents who scored every kept item) behind alpha.", "respondents", "count", "never"),
    _maturity("alpha_k", "Items kept for alpha (scored by at least half of the cell's respondents).", "items", "count", "never"),
    _maturity(
        "schools",
        "Schools in the roll-up cell: the school cells with figures (not suppressed), for both weightings.",
        "schools",
        "count of school cells with figures",
        "never",
    ),
    _maturity(
        "schools_excluded",
        "School cells left out of the roll-up because they are suppressed.",
        "schools",
        "count of school cells with n < LAT_MIN_CELL_SIZE",
        "never",
    ),
    _maturity(
        "rollup_n",
        "Respondents of the school cells with figures behind the roll-up cell.",
        "respondents",
        "sum of those school cells' n",
        "never",
    ),
    _maturity(
        "rollup_mean",
        "Hub/country mean: school weighting = mean of school means; respondent weighting = mean of all pooled answers.",
        "1-5 scale",
        "school weighting: the plain mean of the school cells' means (maturity.mean of the cells with figures), each school once; respondent "
        "weighting: the sum of the shown answers 1-5 in those school cells / their number",
        "suppressed school cells are left out; " + _FEW_SCHOOLS,
    ),
    _maturity(
        "quartiles",
        "Median, first and third quartile of the included school means (school weighting only).",
        "1-5 scale",
        "linear interpolation between order statistics",
        "only school cells with figures; empty for respondent weighting; " + _FEW_SCHOOLS,
    ),
    _maturity(
        "rollup_share_agree",
        "Share agreeing: mean of school shares (school weighting) or share of all pooled answers (respondent weighting).",
        "share 0-1",
        "school weighting: the plain mean of the school cells' shares agreeing (cells with figures), each school once; respondent weighting: shown "
        "answers 4 or 5 / shown answers 1-5, over the same school cells",
        "as rollup_mean",
    ),
    _maturity(
        "difference",
        "Difference between two hubs' school-weighted means (hub_a minus hub_b) in the same country, round, area and group.",
        "1-5 scale points",
        "mean of hub_a's school means (cells with figures) - mean of hub_b's",
        "empty (suppressed_reason few_schools) when either hub has fewer than LAT_MIN_SCHOOLS (and fewer than 2) school cells with figures",
    ),
    _maturity("hub_schools", "School cells with figures behind each hub's mean in a comparison.", "schools", "count", "never"),
)

_CELL_COLS = {"school": "school", "round": "round", "area": "area", "group": "group"}
_CI = {"ci_low": "maturity.ci", "ci_high": "maturity.ci"}
register_mart(
    Mart(
        "maturity_area",
        "school",
        "SELFIE-style maturity per school, round, area and respondent group.",
        {
            **_CELL_COLS,
            "n": "maturity.n",
            "mean": "maturity.mean",
            "share_agree": "maturity.share_agree",
            "suppressed": "suppressed",
        },
    )
)
register_mart(
    Mart(
        "maturity_item",
        "school",
        "SELFIE-style maturity per school, round, item and respondent group.",
        {
            "school": "school",
            "round": "round",
            "area": "area",
            "item": "item",
            "group": "group",
            "n": "maturity.n",
            "mean": "maturity.mean",
            "share_agree": "maturity.share_agree",
            "suppressed": "suppressed",
        },
    )
)
register_mart(
    Mart(
        "maturity_gaps",
        "school",
        "Differences between respondent groups' area means, flagged from 0.5.",
        {
            "school": "school",
            "round": "round",
            "area": "area",
            "pair": "pair",
            "gap": "maturity.gap",
            "large_gap": "maturity.large_gap",
            "suppressed": "suppressed",
        },
    )
)
register_mart(
    Mart(
        "maturity_strengths",
        "school",
        "Each school's 3 strongest and 3 weakest items per round and group.",
        {
            "school": "school",
            "round": "round",
            "group": "group",
            "kind": "kind",
            "rank": "rank",
            "item": "item",
            "area": "area",
            "n": "maturity.n",
            "mean": "maturity.strength_mean",
            "share_agree": "maturity.share_agree",
        },
    )
)
register_mart(
    Mart(
        "maturity_progress",
        "school",
        "Change of respondents' area means from the previous round, with 95% Welch intervals.",
        {
            "school": "school",
            "round": "round",
            "previous_round": "previous_round",
            "area": "area",
            "group": "group",
            "n": "maturity.progress_n",
            "n_previous": "maturity.progress_n",
            "mean": "maturity.respondent_mean",
            "mean_previous": "maturity.respondent_mean",
            "change": "maturity.change",
            **_CI,
            "significant": "maturity.significant",
            "suppressed": "suppressed",
        },
    )
)
register_mart(
    Mart(
        "maturity_alpha",
        "school",
        "Cronbach's alpha per school, round, area and group.",
        {
            **_CELL_COLS,
            "n": "maturity.alpha_n",
            "items": "maturity.alpha_k",
            "alpha": "maturity.alpha",
            "suppressed": "suppressed",
        },
    )
)
_ROLLUP = {
    "round": "round",
    "area": "area",
    "group": "group",
    "weighting": "weighting",
    "schools": "maturity.schools",
    "schools_excluded": "maturity.schools_excluded",
    "n": "maturity.rollup_n",
    "mean": "maturity.rollup_mean",
    **_CI,
    "median": "maturity.quartiles",
    "q1": "maturity.quartiles",
    "q3": "maturity.quartiles",
    "share_agree": "maturity.rollup_share_agree",
    "suppressed": "suppressed",
    "suppressed_reason": "suppressed_reason",
}
register_mart(
    Mart(
        "maturity_hub",
        "hub",
        "Maturity per hub, round, area and group; school- and respondent-weighted.",
        {
            "hub": "hub",
            "country": "country",
            **_ROLLUP,
        },
    )
)
register_mart(
    Mart(
        "maturity_country",
        "country",
        "Maturity per country, round, area and group; school- and respondent-weighted.",
        {
            "country": "country",
            **_ROLLUP,
        },
    )
)
register_mart(
    Mart(
        "maturity_hub_comparison",
        "country",
        "Pairwise differences between a country's hubs (school-weighted) with 95% Welch intervals.",
        {
            "country": "country",
            "round": "round",
            "area": "area",
            "group": "group",
            "hub_a": "hub_a",
            "hub_b": "hub_b",
            "schools_a": "maturity.hub_schools",
            "schools_b": "maturity.hub_schools",
            "difference": "maturity.difference",
            **_CI,
            "significant": "maturity.significant",
            "suppressed": "suppressed",
            "suppressed_reason": "suppressed_reason",
        },
    )
)
