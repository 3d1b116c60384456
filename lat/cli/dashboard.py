"""``lat dashboard``: serve the dashboards."""

from __future__ import annotations

import click


@click.command("dashboard")
@click.option("--host", default=None, help="Address to listen on (default: LAT_DASHBOARD_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (default: LAT_DASHBOARD_PORT, 8050; 0 picks a free one).")
def dashboard(host: str | None, port: int | None) -> None:
    """Serve the dashboards over HTTP until interrupted (Ctrl+C).

    Runs on waitress (a production WSGI server, 8 threads). Every page, callback and
    download needs a login ('lat users add' or 'lat users demo'). Pages read the published
    marts only, so ingest, the LRS and 'lat compute' may write meanwhile; a new 'lat compute'
    shows on the next page load. Put a TLS-terminating reverse proxy in front when serving
    beyond this machine (see docs/operations.md).
    """
    from dashboards.server import serve
    from lat.config import get_settings
    from lat.store.marts import current_dir

    settings = get_settings()
    current_dir(settings)  # no marts yet: say so now, not on the first page load
    serve(
        settings,
        host or settings.dashboard_host,
        settings.dashboard_port if port is None else port,
        on_ready=lambda url: click.echo(f"LAT dashboard on {url} (Ctrl+C stops it)", err=False),
    )
