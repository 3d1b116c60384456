"""The browser side of a session: its cookies, opening one after a sign-in, and the request's
client address. Shared by the login form (:mod:`lat.access.webauth`) and OpenID Connect
(:mod:`lat.access.oidc`)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from flask import redirect, request
from werkzeug.wrappers import Response as BaseResponse  # what redirect() returns; flask's Response is one

from lat.access import auth
from lat.access.roles import User
from lat.config import Settings

SESSION_COOKIE = "lat_session"
LOGIN_NONCE_COOKIE = "lat_login_nonce"
LANGUAGE_COOKIE = "lat_lang"  # the language a browser chose (not a secret): the server writes <html lang> and the texts in it


def start_session(settings: Settings, user: User, target: str) -> BaseResponse:
    """Open a server-side session for ``user`` and redirect to ``target`` with the cookie set."""
    session = auth.create_session(settings, user.name, client_ip())
    response = redirect(safe_next(target), code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session.id,
        max_age=int(settings.session_hours * 3600),
        path="/",
        httponly=True,
        samesite="Lax",
        secure=settings.cookie_secure or request.is_secure,
    )
    response.delete_cookie(LOGIN_NONCE_COOKIE, path="/login")
    return response


def client_ip() -> str:
    """The address of this request's client."""
    # Behind a reverse proxy, wrap the app in werkzeug's ProxyFix so this is the client's address.
    return request.remote_addr or "unknown"


def safe_next(target: str | None) -> str:
    """Only local paths: refuse ``//host``, ``https://host`` and backslash tricks (open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


def chosen_language(offered: Sequence[str], default: str) -> str:
    """The language for this request, one of ``offered``: the browser's choice (its language
    cookie), else the best match of its ``Accept-Language``, else ``default`` (``LAT_LANGUAGE``)."""
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie is not None and cookie in offered:
        return cookie
    for tag, _quality in request.accept_languages:  # most wanted first; "pl-PL" is Polish
        primary = tag.lower().split("-")[0]
        if primary in offered:
            return primary
    return default if default in offered else offered[0]
