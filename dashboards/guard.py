"""The check every Dash callback request passes before it runs.

Dash serves every callback of every page at one URL, ``/_dash-update-component``, whatever page
the browser shows. A page kept out of a role's navigation is therefore not enough: this guard
knows which page each callback output belongs to and refuses a request whose page the user's
role may not open (403), names an output the app does not have, or carries inputs that are not
single values (400). It runs after the login guard, so the user is known.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dash import Dash
from flask import Flask, Response, request

from dashboards.pages import Page
from lat.access.policy import DataAccess

UPDATE_PATH = "/_dash-update-component"


def register_owned(app: Dash, register: Callable[[Dash], None]) -> set[str]:
    """Run ``register(app)`` and return the callback outputs it added."""
    before = set(app.callback_map)
    register(app)
    return set(app.callback_map) - before


def install(server: Flask, owners: Mapping[str, Page | None], current_access: Callable[[], DataAccess]) -> None:
    """Check each callback request: its output must be known (``owners``: output -> page, None
    for the frame every signed-in user gets) and its page open to the user (the role policy says)."""

    def check() -> Response | None:
        if request.method != "POST" or not request.path.endswith(UPDATE_PATH):
            return None
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("output"), str):
            return _refuse(400, "A callback request is a JSON object with an 'output' string.")
        output = body["output"]
        if output not in owners:
            return _refuse(400, f"This dashboard has no callback for {output[:120]!r}.")
        page = owners[output]
        if page is not None and not current_access().may(page.view):
            return _refuse(403, "This page is not available for your role.")
        return _check_inputs(body)

    server.before_request(check)


def _check_inputs(body: dict[str, Any]) -> Response | None:
    """Every input and state is one value (a string, number, boolean or nothing)."""
    for key in ("inputs", "state"):
        entries = body.get(key, [])
        if not isinstance(entries, list):
            return _refuse(400, f"'{key}' must be a list of inputs.")
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                return _refuse(400, f"Each of '{key}' is an object with an 'id' string.")
            if isinstance(entry.get("value"), (list, dict)):
                return _refuse(400, f"{entry['id'][:80]}.{str(entry.get('property'))[:40]} takes one value, not a list or an object.")
    return None


def _refuse(status: int, text: str) -> Response:
    response = Response(text + "\n", status=status, mimetype="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response
