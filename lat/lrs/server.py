"""Running the LRS: the store opened once, the writer thread, waitress, and the run file.

Why waitress: a pure-Python threaded WSGI server, no event loop to keep unblocked. The
work per request is CPU-bound Python (JSON, validation) and DuckDB calls that release the
GIL; threads fit that, and a request thread can simply wait for the writer's group commit
(an asyncio server would need the same thread pool for all of that work).
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import sys
from types import FrameType

from lat.config import Settings
from lat.lrs import gate
from lat.lrs.app import LrsApp
from lat.lrs.committer import Writer
from lat.lrs.context import Service
from lat.lrs.source_keys import Verifier
from lat.store import database as store
from lat.store.marts import Compute

THREADS = 24  # request threads: enough for many clients waiting on a group commit at once


def serve(settings: Settings, host: str, port: int, *, compute: Compute | None = None) -> None:
    """Serve until SIGINT/SIGTERM; prints the endpoint once listening. ``compute`` runs the
    admin job that ``lat compute`` hands to a running LRS."""
    from waitress.server import create_server

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    con = store.connect(settings)  # StoreBusy (a clear message) when another process writes; creates the LRS tables
    writer = Writer(con.cursor())
    token = secrets.token_urlsafe(32)
    server = None
    try:
        service = Service(settings, con, writer, "", compute=compute)
        app = LrsApp(service, Verifier(settings), token)
        server = create_server(app, host=host, port=port, threads=THREADS, ident="LAT", max_request_body_size=gate.waitress_max_body(app))
        server.channel_class = gate.channel_class(app)  # large bodies are refused from their headers
        real_port = server.effective_port
        url = f"http://{host}:{real_port}"
        service.base_url = url
        store.write_run_file(settings, {"pid": os.getpid(), "url": url, "token": token})
        signal.signal(signal.SIGTERM, _stop)
        print(f"LAT LRS listening on {url}/xapi (store {settings.db_path}); Ctrl+C stops it", flush=True)
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.close()
        writer.stop()
        store.remove_run_file(settings)
        con.close()


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":  # pragma: no cover - python -m lat.lrs.server for quick manual runs
    from lat.config import get_settings

    serve(get_settings(), "127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8100)
