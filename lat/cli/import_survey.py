"""``lat import-survey``: SELFIE-style survey answers from a form export (CSV)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click


@click.command("import-survey")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--round", "round_label", required=True, metavar="LABEL", help="The self-assessment round, e.g. 2025-autumn (letters, digits, '.', '_', '-').")
@click.option(
    "--date",
    "date_text",
    metavar="ISO",
    help="When the answers were given (2025-03-14 or 2025-03-14T10:30:00Z; default: now). A 'timestamp' column overrides it row by row.",
)
def import_survey(file: Path, round_label: str, date_text: str | None) -> None:
    """Import the answers in FILE (CSV, one row per respondent) as xAPI statements.

    Columns: respondent, school, group (leader, teacher or student), an optional timestamp,
    then one column per item code (A1 ... H3, or a school's own such as A9: an area letter
    A-H and a digit). Cells: 1-5; empty or NA = not applicable; PNS = prefer not to say.

    Respondents become keyed pseudonyms (LAT_PSEUDONYM_KEY); the raw ids are never stored.
    Schools must be in the registry. Every problem is reported by line and column, and if
    there is any, nothing is imported. Importing the same file again changes nothing; a
    corrected file stores only the answers that changed (the latest answer counts).
    """
    from lat.config import get_settings
    from lat.errors import LatError
    from lat.ingest.survey import import_survey as run_import
    from lat.ingest.survey_file import parse_time

    when = datetime.now(UTC)
    if date_text:
        try:
            when = parse_time(date_text)
        except ValueError:
            raise LatError(f"--date {date_text!r} is not an ISO 8601 date or date-time (e.g. 2025-03-14).") from None
    result = run_import(file, round_label, when, get_settings())
    for line in result.lines():
        click.echo(line)
