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
    render.pdf(render.html(built, lang, settings), out)
    click.echo(f"Wrote {out} ({built.school_name}, {round_label}, {lang}).")


@report.command("hub")
@click.argument("hub")
@click.option("--round", "round_label", required=True, help="The self-assessment round, e.g. 2026-spring.")
@click.option("--lang", type=click.Choice(["en", "pl"]), default="en", show_default=True, help="Language of the report.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The PDF file to write.")
def hub(hub: str, round_label: str, lang: str, out: Path) -> None:
    """The hub report of HUB, for its coordinator and funders: the schools' area scores per area, the hub's means against the previous
    round, the mentoring status of every pair and the stalled schools with their reasons."""
    from lat.access.policy import DataAccess
    from lat.access.roles import ADMIN, User
    from lat.reports import hub as hub_report
    from lat.reports import render

    built = hub_report.build(DataAccess(User("lat report", ADMIN), get_settings()), hub, round_label)
    render.pdf(render.hub_html(built, lang), out)
    click.echo(f"Wrote {out} ({built.hub_name}, {round_label}, {lang}).")
