"""Optional differential privacy for the aggregate (schools) table, with OpenDP's Laplace mechanism.

Each respondent of a round sits in exactly one (school, round, group) cell, and in the
school-round totals; cells are disjoint, so the budget composes in parallel across them and
sequentially over the statistics one respondent touches: the respondent count and the sum of
respondent means for the school-round total and for each of the 8 areas (18 releases), each
getting ``epsilon / 18``. A mean is released as ``1 + noisy sum / noisy count`` of respondent
means shifted to [0, 4] (sensitivity 4, counts sensitivity 1, add/remove one respondent),
clamped to the scale; the small-cell rule then applies to the noisy counts (post-processing).
Noise is drawn from OpenDP's secure sampler: a DP export is not reproducible byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from lat.errors import LatError

SCALE_RANGE = 4.0  # 1..5 shifted to 0..4
MECHANISM = "Laplace (opendp.measurements.make_laplace), add/remove-one-respondent neighbours"


def releases(areas: int) -> int:
    """Statistics touched by one respondent: (count, sum) for the total and for each area."""
    return 2 * (1 + areas)


def laplace(scale: float) -> Callable[[float], float]:
    """An OpenDP Laplace measurement on floats with the given noise scale."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    measurement = dp.m.make_laplace(dp.atom_domain(T=float, nan=False), dp.absolute_distance(T=float), scale=scale)
    return lambda value: float(measurement(float(value)))


def noisy_cells(frame: pl.DataFrame, pairs: list[tuple[str, str]], epsilon: float, areas: int) -> pl.DataFrame:
    """Replace each (count, mean) pair of true statistics by its DP release.

    ``frame`` holds true counts and means (before the small-cell rule); counts come back
    rounded to whole respondents, means clamped to 1..5; a count that noise took to 0 or
    below empties the cell.
    """
    if epsilon <= 0:
        raise LatError(f"--dp-epsilon {epsilon}: epsilon must be greater than 0.")
    per_release = epsilon / releases(areas)
    count_noise, sum_noise = laplace(1.0 / per_release), laplace(SCALE_RANGE / per_release)
    columns: dict[str, list[float | int | None]] = {}
    for count_col, mean_col in pairs:
        counts: list[float | int | None] = []
        means: list[float | int | None] = []
        for n, mean in zip(frame[count_col].to_list(), frame[mean_col].to_list(), strict=True):
            n = n or 0
            noisy_n = count_noise(n)
            total = sum_noise((mean - 1.0) * n if mean is not None else 0.0)
            if noisy_n < 1:
                counts.append(None)
                means.append(None)
                continue
            counts.append(round(noisy_n))
            means.append(min(5.0, max(1.0, 1.0 + total / noisy_n)))
        columns[count_col], columns[mean_col] = counts, means
    return frame.with_columns(
        *(pl.Series(c, columns[c], dtype=pl.Int64) for c, _ in pairs),
        *(pl.Series(m, columns[m], dtype=pl.Float64) for _, m in pairs),
    )


def describe(epsilon: float, areas: int) -> dict[str, object]:
    """The manifest's statement of the DP guarantee."""
    return {
        "epsilon": epsilon,
        "unit": "one respondent in one round",
        "mechanism": MECHANISM,
        "releases_per_respondent": releases(areas),
        "epsilon_per_release": epsilon / releases(areas),
        "applies_to": "counts and means of the schools level; mentoring progress indicators are exact",
    }
