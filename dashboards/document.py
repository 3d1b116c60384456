"""The first HTML of every dashboard address names its page and language, before any script runs:
``<title>`` is the page's name and ``<html lang>`` the browser's chosen language (the cookie
:mod:`dashboards.shell` keeps), so screen readers and the tab bar are right from the start."""

from __future__ import annotations

from html import escape

from dash import Dash
from flask import request

from dashboards import shell
from dashboards.context import chosen_language


class LatDash(Dash):
    """Dash, with the index page named per request (Dash's own hook for a custom index)."""

    def interpolate_index(
        self,
        metas: str = "",
        title: str = "",
        css: str = "",
        config: str = "",
        scripts: str = "",
        app_entry: str = "",
        favicon: str = "",
        renderer: str = "",
    ) -> str:
        """Dash's index with this request's title and ``<html lang>``."""
        meta = shell.document(request.path, chosen_language())
        index: str = super().interpolate_index(metas, escape(meta["title"]), css, config, scripts, app_entry, favicon, renderer)
        return index.replace("<html>", f'<html lang="{escape(meta["lang"])}">', 1)
