"""``lat report``: printable reports (PDF)."""

from __future__ import annotations

from pathlib import Path

import click

from lat.config import get_settings


@click.group()
def report() -> None:
    """Printable reports as PDF, in English or Polish (see docs/reports.md)."""


@report.command("school")
@click.argument("school")
@click.option("--round", "round_label", required=True, help="The self-assessment round, e.g. 2026-spring.")
@click.option("--lang", type=click.Choice(["en", "pl"]), default="en", show_default=True, help="Language of the report.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The PDF file to write.")
def school(school: str, round_label: str, lang: str, out: Path) -> None:
    """The school report of SCHOOL: where it stands, its strongest and weakest areas, change since the last round, every area by group
    beside the hub's and country's averages, its strongest and weakest statements, its mentoring, and suggestions."""
    from lat.access.policy import DataAccess
    from lat.access.roles import ADMIN, User
    from lat.reports import content, render

    settings = get_settings()
    built = content.build(DataAccess(User("lat report", ADMIN), settings), school, round_label)
    render.pdf(built, lang, settings, out)
    click.echo(f"Wrote {out} ({built.school_name}, {round_label}, {lang}).")
