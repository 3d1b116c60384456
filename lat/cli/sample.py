"""``lat sample``: write the realistic sample data (registry CSVs and xAPI statement files)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click


@click.command("sample")
@click.option(
    "--out", "out", type=click.Path(path_type=Path, file_okay=False), required=True, help="Folder to write registry/ and statements/ into (both are replaced)."
)
@click.option(
    "--scale",
    type=click.Choice(["pilot", "national"]),
    default="pilot",
    show_default=True,
    help="pilot: 5 hubs, 75 schools (~130k statements, seconds); national: 50 hubs, 5,000 schools (~10M statements, minutes).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, byte-identical output.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Processes generating hubs in parallel [default: one per CPU].")
def sample(out: Path, scale: str, seed: int, workers: int | None) -> None:
    """Generate a realistic sample of a hub network's data into OUT.

    Writes OUT/registry/{countries,hubs,schools,people,mentoring}.csv and
    OUT/statements/<hub>-{surveys,mentoring,credentials,lms}.ndjson.gz: SELFIE-style survey
    rounds (2025-autumn, 2026-spring), DigCompEdu self-assessments, a school year of
    mentoring, micro-credentials and Moodle-shaped LMS activity. Every statement follows
    the LAT xAPI profile. The committed data/sample is `lat sample --out data/sample`.
    """
    from tqdm import tqdm

    from lat.sample import SCALES, generate
    from lat.sample.scales import COUNTRIES

    started = time.perf_counter()
    hubs = SCALES[scale].hubs_per_country * len(COUNTRIES)
    with tqdm(total=hubs, unit="hub", desc=f"lat sample ({scale})", disable=not sys.stderr.isatty()) as bar:
        summary = generate(out, scale=scale, seed=seed, workers=workers, progress=bar.update)
    seconds = time.perf_counter() - started
    people = summary.registry["people"]
    click.echo(
        f"Wrote {summary.registry['schools']} schools, {people} people and "
        f"{summary.total_statements:,} statements in {len(summary.statements)} files to {out} "
        f"({seconds:.1f} s, seed {seed})."
    )
