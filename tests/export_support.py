"""A small real store for the export tests: the sample registry and two hubs' surveys and
mentoring logs, ingested and computed through the real code paths."""

from __future__ import annotations

from pathlib import Path

from lat.config import Settings

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
HUBS = ("hub-ee-01", "hub-fi-01")


def sample_files() -> list[Path]:
    return [SAMPLE / "statements" / f"{hub}-{kind}.ndjson.gz" for hub in HUBS for kind in ("surveys", "mentoring")]


def build_store(home: Path) -> Settings:
    """Registry import, ingest and compute of the two hubs into ``home``; returns its settings."""
    from lat.ingest.engine import ingest_paths
    from lat.registry import organisation as registry
    from lat.store import database as store
    from pipelines.core import compute

    settings = Settings(home=home)
    with store.session(settings) as con:
        registry.write(con, registry.load(SAMPLE / "registry"))
    ingest_paths(sample_files(), settings)
    import_fixture_survey(settings)
    compute.run(settings, full=True)
    return settings


SURVEY = REPO / "tests" / "fixtures" / "export" / "survey.csv"
SURVEY_ROUND = "2026-extra"


def import_fixture_survey(settings: Settings) -> None:
    """The hand-made CSV (e-mails and names as respondent ids) as round ``2026-extra``."""
    from datetime import UTC, datetime

    from lat.ingest.survey import import_survey

    import_survey(SURVEY, SURVEY_ROUND, datetime(2026, 6, 2, tzinfo=UTC), settings)


def survey_respondents() -> list[str]:
    import csv

    with SURVEY.open(encoding="utf-8") as handle:
        return [row["respondent"] for row in csv.DictReader(handle)]
