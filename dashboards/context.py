"""What a callback knows about its request: the user's data access, settings and language.

Kept out of ``app.py`` on purpose (Dash's trap): pages import these helpers, and the app
module imports the pages, never the other way round.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app

from dashboards import components as ui
from dashboards.i18n import language_or_default, languages, t
from lat.access import web_session
from lat.access.policy import AccessDenied, DataAccess
from lat.access.roles import User
from lat.config import Settings
from lat.errors import LatError

T = TypeVar("T")


def access() -> DataAccess:
    """The signed-in user's DataAccess for this request (one marts version per request)."""
    from lat.access.webauth import current_access

    return current_access()


def user() -> User:
    """The signed-in user of this request."""
    from lat.access.webauth import current_user

    return current_user()


def settings() -> Settings:
    """The settings the dashboard app was created with."""
    configured: Settings = current_app.config["LAT_SETTINGS"]
    return configured


def chosen_language() -> str:
    """The language of this request: the browser's choice (cookie), its Accept-Language, else ``LAT_LANGUAGE``."""
    return web_session.chosen_language([code for code, _ in languages()], language_or_default(settings().language))


def min_cell() -> int:
    """Cells with fewer respondents than this are suppressed (``LAT_MIN_CELL_SIZE``)."""
    return settings().min_cell_size


def run_safely(lang: str | None, build: Callable[[str], T]) -> T | list[object]:
    """``build(language)``, or a plain-words notice when access is refused or data is missing."""
    language = language_or_default(lang)
    try:
        return build(language)
    except AccessDenied:
        return [ui.notice(t(language, "error.denied"), "warning")]
    except LatError as exc:
        return [ui.notice(t(language, "error.data", reason=str(exc)), "error")]
