"""Login for the dashboard: a Flask blueprint (/login, /logout) and the guard for every other route.

Mount it on the Dash app's Flask server::

    from lat.access.webauth import init_app, current_access
    init_app(dash_app.server, settings)            # every route now needs a login
    ...
    frame = current_access().mart("maturity_school")  # inside a callback: scoped to the user

How it defends itself (details in docs/access-control.md):

- the session cookie holds only a random id (server-side sessions in ``auth.sqlite``),
  ``HttpOnly``, ``SameSite=Lax``, ``Secure`` over https or when ``LAT_COOKIE_SECURE`` is set;
- the login form carries a CSRF token bound to a cookie nonce (HMAC with the session
  secret); the logout form carries the session's own CSRF token; a POST without the right
  token gets 400;
- other state-changing requests (Dash callbacks are JSON POSTs) must come from the same
  origin when the browser says where they come from (``Origin``), besides SameSite;
- failed logins count towards the lockout in :func:`lat.access.auth.login`.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import secrets
from collections.abc import Callable, Sequence
from functools import wraps
from typing import ParamSpec, TypeVar
from urllib.parse import quote, urlsplit

from flask import Blueprint, Flask, Response, abort, current_app, g, redirect, request
from werkzeug.wrappers import Response as BaseResponse  # what redirect() returns; flask's Response is one

from lat.access import audit, auth
from lat.access.http_headers import COMMON, NO_STORE, STATIC_PREFIXES, dashboard_csp
from lat.access.oidc import register_routes
from lat.access.policy import DataAccess
from lat.access.roles import User
from lat.access.web_session import LOGIN_NONCE_COOKIE, SESSION_COOKIE, chosen_language, client_ip, safe_next, start_session
from lat.config import Settings

CSRF_FIELD = "csrf_token"
CSP_CONFIG = "LAT_CSP"  # app.config key: the Content-Security-Policy of this app (set_script_hashes)
CSRF_HEADER = "X-CSRF-Token"
TEXTS_CONFIG = "LAT_TEXTS"  # app.config key: (languages, text(language, key)) for the login and logout pages (set_texts)
# The login and logout pages' texts when the app hands none (set_texts).
ENGLISH = {
    "login.title": "Sign in",
    "login.username": "User name",
    "login.password": "Password",
    "login.submit": "Sign in",
    "login.oidc": "Sign in with your identity provider",
    "logout.title": "Sign out",
    "logout.submit": "Sign out {name}",
}
# Endpoints reachable without a session.
PUBLIC_ENDPOINTS = frozenset({"lat_auth.login_form", "lat_auth.login_submit", "lat_auth.oidc_start", "lat_auth.oidc_callback"})

P = ParamSpec("P")
R = TypeVar("R")


def init_app(app: Flask, settings: Settings, *, protect_all: bool = True) -> None:
    """Register /login and /logout on ``app``; with ``protect_all`` every other route needs a login.
    Every response of ``app`` gets the security headers (:mod:`lat.access.http_headers`)."""
    app.config["LAT_SETTINGS"] = settings
    app.secret_key = auth.session_secret(settings)
    app.register_blueprint(create_blueprint(settings))
    if protect_all:
        app.before_request(_guard)
    app.after_request(_security_headers)


def set_script_hashes(app: Flask, hashes: Sequence[str]) -> None:
    """Allow the app's own inline scripts (CSP hashes, e.g. Dash's ``app.csp_hashes()``)."""
    app.config[CSP_CONFIG] = dashboard_csp(tuple(hashes))


def set_texts(app: Flask, languages: Sequence[str], text: Callable[[str, str], str]) -> None:
    """Show the login and logout pages in ``languages``: ``text(language, key)`` for the keys of ``ENGLISH``."""
    app.config[TEXTS_CONFIG] = (tuple(languages), text)


def _texts(settings: Settings) -> tuple[str, Callable[[str], str]]:
    """(language of this request, key -> its text) for the login and logout pages."""
    languages, text = current_app.config.get(TEXTS_CONFIG) or (("en",), lambda _language, key: ENGLISH[key])
    language = chosen_language(languages, settings.language)
    return language, lambda key: text(language, key)


def _security_headers(response: Response) -> Response:
    """After every response: pages, JSON, downloads, static files, redirects and errors alike
    (Flask runs after_request for the answers of before_request guards and error handlers too)."""
    response.headers.update(COMMON)
    response.headers["Content-Security-Policy"] = current_app.config.get(CSP_CONFIG) or dashboard_csp()
    if not (request.path.startswith(STATIC_PREFIXES) and response.status_code in (200, 304)):
        response.headers["Cache-Control"] = NO_STORE  # data, or an answer that depends on who is signed in
    return response


def login_required(view: Callable[P, R]) -> Callable[P, R | BaseResponse]:
    """Decorator for single views when the whole app is not guarded by :func:`init_app`."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | BaseResponse:
        refused = _guard()
        return refused if refused is not None else view(*args, **kwargs)

    return wrapper


def current_user() -> User:
    """The signed-in user of this request (only inside guarded routes)."""
    user = g.get("lat_user")
    if user is None:
        abort(401)
    return user


def current_access() -> DataAccess:
    """The data-access layer for this request's user; one marts version per request."""
    if g.get("lat_access") is None:
        g.lat_access = DataAccess(current_user(), _settings())
    return g.lat_access


def csrf_token() -> str:
    """The CSRF token of the signed-in session, for forms and ``X-CSRF-Token`` headers."""
    return g.lat_session.csrf


def create_blueprint(settings: Settings) -> Blueprint:
    """The login and logout routes (and the OpenID Connect ones when an issuer is configured)."""
    bp = Blueprint("lat_auth", __name__)

    @bp.get("/login")
    def login_form() -> Response:
        return _login_page(settings, request.args.get("next", "/"))

    @bp.post("/login")
    def login_submit() -> BaseResponse:
        _check_login_csrf(settings)
        target = safe_next(request.form.get("next", "/"))
        name, password = request.form.get("username", ""), request.form.get("password", "")
        try:
            user = auth.login(settings, name, password, client_ip())
        except auth.LockedOut as exc:
            return _login_page(settings, target, error=str(exc), status=429)
        except auth.LoginRefused as exc:
            return _login_page(settings, target, error=str(exc), status=401)
        return start_session(settings, user, target)

    @bp.get("/logout")
    def logout_form() -> BaseResponse:
        refused = _guard()
        if refused is not None:
            return refused
        language, text = _texts(settings)
        body = (
            f'<form method="post" action="/logout"><input type="hidden" name="{CSRF_FIELD}" value="{html.escape(csrf_token())}">'
            f'<button type="submit">{html.escape(text("logout.submit").format(name=current_user().name))}</button></form>'
        )
        return _page(language, text("logout.title"), body)

    @bp.post("/logout")
    def logout_submit() -> BaseResponse:
        refused = _guard()
        if refused is not None:
            return refused
        given = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
        if not auth.csrf_matches(csrf_token(), given):
            abort(400, "Missing or wrong CSRF token.")
        auth.end_session(settings, g.lat_session.id)
        audit.record(settings, current_user().name, audit.LOGOUT, ip=client_ip())
        response = redirect("/login", code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    if settings.oidc_issuer:
        register_routes(bp, settings)
    return bp


# --- the guard -------------------------------------------------------------------------------


def _guard() -> BaseResponse | None:
    """Before every request: let public endpoints pass, otherwise require a live session."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    settings = _settings()
    found = auth.lookup_session(settings, request.cookies.get(SESSION_COOKIE))
    if found is None:
        return _refuse()
    g.lat_user, g.lat_session = found
    if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin():
        abort(403, "Cross-origin request refused.")
    return None


def _refuse() -> BaseResponse:
    """Browsers asking for a page go to the login form; everything else gets 401."""
    wants_page = request.method == "GET" and request.accept_mimetypes.accept_html and not request.path.startswith("/_dash")
    if wants_page:
        return redirect(f"/login?next={_quote(request.full_path.rstrip('?'))}", code=302)
    return Response('{"error": "login required"}', status=401, mimetype="application/json")


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    if origin is None:  # not sent by every client; SameSite=Lax still keeps the cookie off cross-site POSTs
        return True
    return urlsplit(origin).netloc == request.host


# --- the login form's CSRF token: HMAC(secret, nonce in a cookie) -----------------------------


def _login_token(settings: Settings, nonce: str) -> str:
    return hmac.new(auth.session_secret(settings), f"login:{nonce}".encode(), hashlib.sha256).hexdigest()


def _check_login_csrf(settings: Settings) -> None:
    nonce = request.cookies.get(LOGIN_NONCE_COOKIE)
    if not nonce or not auth.csrf_matches(_login_token(settings, nonce), request.form.get(CSRF_FIELD)):
        abort(400, "Missing or wrong CSRF token: reload the login page and try again.")


def _login_page(settings: Settings, target: str, *, error: str | None = None, status: int = 200) -> Response:
    nonce = request.cookies.get(LOGIN_NONCE_COOKIE) or secrets.token_urlsafe(24)
    language, text = _texts(settings)
    message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    oidc = f'<p><a href="/oidc/login">{html.escape(text("login.oidc"))}</a></p>' if settings.oidc_issuer else ""
    body = f"""{message}<form method="post" action="/login">
<input type="hidden" name="{CSRF_FIELD}" value="{_login_token(settings, nonce)}">
<input type="hidden" name="next" value="{html.escape(safe_next(target))}">
<label>{html.escape(text("login.username"))} <input name="username" autocomplete="username" required autofocus></label>
<label>{html.escape(text("login.password"))} <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">{html.escape(text("login.submit"))}</button></form>{oidc}"""
    response = _page(language, text("login.title"), body, status)
    response.set_cookie(
        LOGIN_NONCE_COOKIE, nonce, max_age=3600, path="/login", httponly=True, samesite="Lax", secure=settings.cookie_secure or request.is_secure
    )
    return response


def _page(language: str, title: str, body: str, status: int = 200) -> Response:
    title = html.escape(title)
    text = (
        f'<!doctype html><html lang="{html.escape(language)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} - LAT</title></head><body><main><h1>{title}</h1>{body}</main></body></html>"
    )
    return Response(text, status=status, mimetype="text/html")  # no-store and DENY framing: _security_headers


# --- helpers -----------------------------------------------------------------------------------


def _settings() -> Settings:
    settings: Settings = current_app.config["LAT_SETTINGS"]
    return settings


def _quote(path: str) -> str:
    return quote(path, safe="/")
