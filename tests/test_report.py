"""``lat report school``: the PDF's text (pypdf) against the published marts, in EN and PL."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import polars as pl
import pytest
from pypdf import PdfReader

from dashboard_support import LAT, REPO, cached_marts
from lat.sample.items import ITEMS

WORDING = {item.code: item.label for item in ITEMS}  # the English wording, as the sample asks it


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("report")
    (home / "marts").symlink_to(cached_marts())
    return home


def _school_and_round(home: Path) -> tuple[str, str, str]:
    """A mentee school with a leaders' cell suppressed and others shown, and its latest round."""
    current = home / "marts" / "current"
    area = pl.read_parquet(current / "maturity_area.parquet")
    rounds = pl.read_parquet(current / "rounds.parquet").sort("round_order")
    latest = rounds["round"][-1]
    mentees = pl.read_parquet(current / "registry_mentoring.parquet")["mentee_school"].to_list()
    both = area.filter(pl.col("round") == latest).group_by("school").agg(pl.col("suppressed").any().alias("some"), (~pl.col("suppressed")).any().alias("shown"))
    school = both.filter(pl.col("some") & pl.col("shown") & pl.col("school").is_in(mentees)).sort("school")["school"][0]
    name = pl.read_parquet(current / "registry_schools.parquet").filter(pl.col("school") == school)["school_name"].item()
    return school, latest, name


def _report(home: Path, school: str, round_label: str, lang: str) -> str:
    out = home / f"{school}-{lang}.pdf"
    done = subprocess.run(
        [LAT, "report", "school", school, "--round", round_label, "--lang", lang, "--out", str(out)],
        env={**os.environ, "LAT_HOME": str(home)},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return " ".join(" ".join(page.extract_text() for page in PdfReader(out).pages).split())


def _fmt(value: float, lang: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "pl" else text


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_the_report_shows_the_marts_figures_and_no_suppressed_one(home: Path, lang: str) -> None:
    school, round_label, name = _school_and_round(home)
    text = _report(home, school, round_label, lang)
    current = home / "marts" / "current"
    assert name in text and round_label in text
    area = pl.read_parquet(current / "maturity_area.parquet").filter((pl.col("school") == school) & (pl.col("round") == round_label))
    for row in area.filter(~pl.col("suppressed")).iter_rows(named=True):
        assert f"{_fmt(row['mean'], lang)} (n={row['n']})" in text, f"area {row['area']} {row['group']}: {row['mean']:.2f} not in the report"
    hidden = area.filter(pl.col("suppressed"))
    label = "suppressed" if lang == "en" else "ukryte"
    for row in hidden.iter_rows(named=True):
        assert f"{label} (n={row['n']})" in text.replace(f"{label}(n=", f"{label} (n=")
    scores = area.filter(~pl.col("suppressed")).group_by("area").agg(pl.col("mean").mean()).sort("mean", descending=True)
    strongest = scores.row(0, named=True)
    assert _fmt(strongest["mean"], lang) in text  # the strongest area's score, as the profiles define it
    overall = scores["mean"].mean()
    assert _fmt(overall, lang) in text  # type: ignore[arg-type]


def test_the_english_report_quotes_the_strongest_and_weakest_items_in_full(home: Path) -> None:
    school, round_label, _ = _school_and_round(home)
    text = _report(home, school, round_label, "en")
    ranked = pl.read_parquet(home / "marts" / "current" / "maturity_strengths.parquet").filter((pl.col("school") == school) & (pl.col("round") == round_label))
    assert ranked.height > 0
    for row in ranked.iter_rows(named=True):
        assert f"{row['item']} {WORDING[row['item']]}: {row['mean']:.2f}" in text


def test_a_school_without_answers_in_the_round_is_a_clear_error(home: Path) -> None:
    done = subprocess.run(
        [LAT, "report", "school", "no-such-school", "--round", "2026-spring", "--out", str(home / "x.pdf")],
        env={**os.environ, "LAT_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "no-such-school" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_the_hub_report_lists_every_pair_and_the_stalled_schools(home: Path, lang: str) -> None:
    current = home / "marts" / "current"
    rounds = pl.read_parquet(current / "rounds.parquet").sort("round_order")["round"].to_list()
    hub = pl.read_parquet(current / "registry_hubs.parquet").sort("hub")["hub"][0]
    out = home / f"hub-{lang}.pdf"
    done = subprocess.run(
        [LAT, "report", "hub", hub, "--round", rounds[-1], "--lang", lang, "--out", str(out)],
        env={**os.environ, "LAT_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(out).pages).split())
    schools = pl.read_parquet(current / "registry_schools.parquet").filter(pl.col("hub") == hub)
    progress = pl.read_parquet(current / "mentoring_progress.parquet").filter(pl.col("school").is_in(schools["school"].to_list()))
    latest = progress.filter(pl.col("as_of") == pl.col("as_of").max())
    assert latest.height > 0
    for row in latest.iter_rows(named=True):
        assert row["school_name"] in text
    hub_means = pl.read_parquet(current / "maturity_hub.parquet").filter(
        (pl.col("hub") == hub) & (pl.col("round") == rounds[-1]) & (pl.col("weighting") == "school") & ~pl.col("suppressed")
    )
    for value in hub_means["mean"].to_list():
        assert _fmt(value, lang) in text
    if len(rounds) > 1:
        assert rounds[-2] in text.replace("- ", "-")  # compared with the previous round in time (a line may break at its hyphen)
