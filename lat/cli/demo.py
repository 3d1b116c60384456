"""``lat demo``: sample data, ingest, compute, demo accounts, dashboard, in one command."""

from __future__ import annotations

import click


@click.command("demo")
@click.option("--host", default=None, help="Address to listen on (default: LAT_DASHBOARD_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (default: LAT_DASHBOARD_PORT, 8050).")
def demo(host: str | None, port: int | None) -> None:
    """Prepare the pilot sample in an empty LAT_HOME and serve the dashboard.

    When LAT_HOME (default ./lat-data) is empty: loads data/sample (or generates the pilot
    sample into LAT_HOME/sample), imports the registry, ingests the statements, computes
    the indicators, creates one account per role with a random password, prints those
    logins (also saved to LAT_HOME/demo-logins.txt, readable by you only) and serves the
    dashboard. When LAT_HOME is already prepared it just serves; 'lat users demo' makes
    new demo passwords. It never overwrites existing data.
    """
    from dashboards.server import serve
    from lat.cli import demo_home as prep
    from lat.config import get_settings

    settings = get_settings()
    prep.check_servable(settings)
    logins_file = settings.home / prep.LOGINS_FILE
    if prep.state(settings).empty:
        click.echo(f"Preparing the demo in {settings.home} ...")
        logins = prep.prepare(settings, lambda line: click.echo(line))
        shown = f"\nDemo logins (saved to {logins_file}):\n{prep.format_logins(logins)}\n"
    elif logins_file.exists():
        shown = f"\n{settings.home} is prepared. Demo logins are in {logins_file}; 'lat users demo' makes new ones.\n"
    else:
        shown = f"\n{settings.home} is prepared. Create accounts with 'lat users add' or demo logins with 'lat users demo'.\n"

    def ready(url: str) -> None:
        click.echo(shown)
        click.echo(f"Dashboard on {url} (Ctrl+C stops it)")

    serve(settings, host or settings.dashboard_host, settings.dashboard_port if port is None else port, on_ready=ready)
