"""The Dash app factory: ``create_app(settings)`` -> a Dash app whose every route needs a login.

Pages read published marts only, through :class:`lat.access.policy.DataAccess` for the signed-in
user, so the dashboard keeps serving while ingest, the LRS or ``lat compute`` write.
"""

from __future__ import annotations

from pathlib import Path

from dash import Dash

from dashboards import downloads, guard, shell
from dashboards.document import LatDash
from dashboards.i18n import languages, t
from dashboards.pages import PAGES, Page
from lat.config import Settings, get_settings

ASSETS = Path(__file__).resolve().parent / "assets"


def create_app(settings: Settings | None = None) -> Dash:
    """A new app (its own Flask server), guarded by the login blueprint."""
    from lat.access.webauth import current_access, init_app, set_script_hashes, set_texts

    settings = settings or get_settings()
    app = LatDash(
        __name__,
        title="LAT",
        assets_folder=str(ASSETS),
        suppress_callback_exceptions=True,
        update_title=None,  # type: ignore[arg-type]  # documented: None keeps the tab title; dash annotates str
        serve_locally=True,
        compress=False,
    )
    init_app(app.server, settings)  # /login, /logout; every other route (callbacks included) needs a session
    set_texts(app.server, [code for code, _ in languages()], t)  # the login page in the browser's language
    downloads.register(app.server)
    app.layout = shell.layout
    owners: dict[str, Page | None] = dict.fromkeys(guard.register_owned(app, shell.register))
    for page in PAGES:
        owners.update(dict.fromkeys(guard.register_owned(app, page.module.register), page))
    guard.install(app.server, owners, current_access)  # after the login guard: the user is known
    set_script_hashes(app.server, app.csp_hashes())  # Dash's inline scripts, once every callback is registered
    return app
