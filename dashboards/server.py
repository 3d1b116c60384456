"""Serving the dashboard: waitress (a production WSGI server, threaded) on host:port."""

from __future__ import annotations

from collections.abc import Callable

from lat.config import Settings
from lat.errors import LatError

THREADS = 8  # concurrent requests; Dash pages fire several callbacks at once


def serve(settings: Settings, host: str, port: int, *, on_ready: Callable[[str], None] | None = None) -> None:
    """Build the app and serve it until interrupted."""
    from waitress import create_server

    from dashboards.app import create_app

    app = create_app(settings)
    try:
        server = create_server(app.server, host=host, port=port, threads=THREADS, ident="LAT")
    except OSError as exc:  # port taken, host not local, ...
        raise LatError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}. Choose another --port or --host.") from None
    url = f"http://{host}:{server.effective_port}/"
    if on_ready is not None:
        on_ready(url)
    try:
        server.run()
    finally:
        server.close()
