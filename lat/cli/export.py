"""``lat export``: an anonymised, k-anonymous, documented dataset for researchers."""

from __future__ import annotations

from pathlib import Path

import click

from lat.config import get_settings


@click.command("export")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, file_okay=False), help="New (or empty) folder to write the export into.")
@click.option("--k", "k", type=int, default=5, show_default=True, help="Every quasi-identifier combination is shared by at least k schools or respondents.")
@click.option(
    "--level",
    type=click.Choice(["answers", "respondents", "schools"]),
    default="answers",
    show_default=True,
    help="answers: one row per survey answer; respondents: one per respondent and round with area "
    "means; schools: one per school and round with area means per group and mentoring progress.",
)
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True, help="File format of the data files.")
@click.option(
    "--dp-epsilon",
    type=float,
    default=None,
    metavar="E",
    help="Add Laplace noise (OpenDP) to the counts and means of the schools level, for differential privacy with epsilon E per respondent and round.",
)
def export(out: Path, k: int, level: str, fmt: str, dp_epsilon: float | None) -> None:
    """Write an anonymised research export of the survey answers into the folder OUT.

    Schools and respondents get pseudonyms from HMAC-SHA256 with LAT_EXPORT_KEY (the same key
    gives the same pseudonyms); names, e-mails, account names, free text and school ids never
    leave. Quasi-identifiers (school size, level, hub, country, respondent group, dates) are
    generalised, and rows still in groups smaller than k are suppressed. Beside the data:
    manifest.json (parameters, rows, SHA-256, quasi-identifiers, k), codebook.json/.md and a
    README.md on the method. The export is written to the audit log. See docs/export.md.
    """
    from lat.access import audit
    from lat.access.policy import DataAccess
    from lat.access.roles import ADMIN, User
    from lat.export import export as run_export
    from lat.export import summary

    settings = get_settings()
    # Whoever runs the CLI can read the store directly: they act as an admin, audited by OS user.
    access = DataAccess(User(audit.cli_actor(), ADMIN), settings)
    result = run_export(access, out, k=k, level=level, fmt=fmt, dp_epsilon=dp_epsilon)
    for line in summary(result.manifest):
        click.echo(line)
    click.echo(f"export written to {result.out} (manifest.json, codebook.json, codebook.md, README.md)")
