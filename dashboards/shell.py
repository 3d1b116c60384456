"""The frame around every page: header, navigation for the user's role, language switch, router.

The router also names the document: the tab's title and ``<html lang>`` (set in the browser by
``dash_clientside.lat.document`` in ``assets/lat.js``, since Dash renders only inside ``<body>``;
the first HTML of a request gets them from :mod:`dashboards.document`), and it keeps the chosen
language in a cookie so that the server knows it on the next request.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from dash import ClientsideFunction, Dash, Input, Output, callback_context, dcc, html
from flask import request

from dashboards import components as ui
from dashboards.context import access, chosen_language, run_safely, settings, user
from dashboards.i18n import language_or_default, languages, t
from dashboards.pages import find, for_user
from dashboards.reading import Params
from lat.access.web_session import LANGUAGE_COOKIE

LANGUAGE_COOKIE_DAYS = 365
ROUTER_OUTPUTS = (
    ("nav", "children"),
    ("page", "children"),
    ("user-box", "children"),
    ("document", "data"),
    ("lang-label", "children"),
    ("skip-link", "children"),
)


def layout() -> html.Div:
    """The static layout (served per request, behind the login)."""
    language = chosen_language()
    return html.Div(
        [
            dcc.Location(id="url"),
            dcc.Store(id="document"),
            html.A(t(language, "action.skip_to_content"), href="#page", className="skip-link", id="skip-link"),
            html.Header(
                [
                    html.A("LAT", href="/", className="brand", title="Learning Analytics Toolbox"),
                    html.Nav(id="nav", className="nav"),
                    html.Div(
                        [
                            html.Label(t(language, "label.language"), htmlFor="lang", id="lang-label", className="visually-hidden"),
                            ui.select("lang", languages(), language, class_name="select lang"),
                            html.Span(id="user-box", className="user"),
                        ],
                        className="tools",
                    ),
                ],
                className="header",
            ),
            dcc.Loading(html.Main(id="page", className="page", tabIndex="-1"), type="dot", delay_show=300),
        ],
        className="shell",
    )


def document(pathname: str, language: str) -> dict[str, str]:
    """The document's title (the page's name, then LAT) and language for the address."""
    page = find(pathname or "/", access())
    return {"title": f"{t(language, page.title_key)} – LAT" if page else "LAT", "lang": language}


def route(pathname: str | None, search: str | None, lang: str | None) -> tuple[object, ...]:
    """(navigation links, page layout, user box, document, language label, skip link) for the address and language."""
    language = language_or_default(lang)
    me = user()
    page = find(pathname or "/", access())
    current = page.path if page else ""
    nav = [dcc.Link(t(language, p.title_key), href=p.path, className="active" if p.path == current else "") for p in for_user(access())]
    box = [html.Span(f"{me.name} · {t(language, f'role.{me.role}')}"), html.A(t(language, "action.logout"), href="/logout", className="logout")]
    frame = (document(pathname or "/", language), t(language, "label.language"), t(language, "action.skip_to_content"))
    if page is None:
        return nav, ui.notice(t(language, "error.no_page"), "warning"), box, *frame
    params = Params.from_mapping(dict(parse_qsl((search or "").lstrip("?"))))
    return nav, run_safely(language, lambda lg: page.module.layout(params, lg)), box, *frame


def remember_language(language: str) -> None:
    """Keep the chosen language in the browser's cookie (for the next page load and the login page)."""
    if request.cookies.get(LANGUAGE_COOKIE) != language:
        secure = settings().cookie_secure or request.is_secure
        max_age = LANGUAGE_COOKIE_DAYS * 86400
        callback_context.response.set_cookie(LANGUAGE_COOKIE, language, max_age=max_age, path="/", httponly=True, samesite="Lax", secure=secure)


def register(app: Dash) -> None:
    """Render the frame whenever the URL or the language changes; name the document in the browser."""

    @app.callback([Output(i, prop) for i, prop in ROUTER_OUTPUTS], Input("url", "pathname"), Input("url", "search"), Input("lang", "value"))
    def render_page(pathname: str | None, search: str | None, lang: str | None) -> tuple[object, ...]:
        remember_language(language_or_default(lang))
        return route(pathname, search, lang)

    app.clientside_callback(ClientsideFunction("lat", "document"), Input("document", "data"))
