"""The frame around every page: header, navigation for the user's role, language switch, router."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl

from dash import Dash, Input, Output, dcc, html

from dashboards import components as ui
from dashboards.context import access, run_safely, settings, user
from dashboards.i18n import language_or_default, languages, t
from dashboards.pages import find, for_user
from dashboards.reading import Params


def layout() -> html.Div:
    """The static layout (served per request, behind the login)."""
    default = language_or_default(settings().language)
    return html.Div(
        [
            dcc.Location(id="url"),
            html.Header(
                [
                    html.A("LAT", href="/", className="brand", title="Learning Analytics Toolbox"),
                    html.Nav(id="nav", className="nav"),
                    html.Div(
                        [
                            dcc.Dropdown(
                                id="lang",
                                options=[{"value": c, "label": n} for c, n in languages()],
                                value=default,
                                clearable=False,
                                searchable=False,
                                persistence=True,
                                persistence_type="local",
                                className="lang",
                            ),
                            html.Span(id="user-box", className="user"),
                        ],
                        className="tools",
                    ),
                ],
                className="header",
            ),
            dcc.Loading(html.Main(id="page", className="page"), type="dot", delay_show=300),
        ],
        className="shell",
    )


def route(pathname: str | None, search: str | None, lang: str | None) -> tuple[Sequence[object], object, Sequence[object]]:
    """(navigation links, page layout, user box) for the address and language."""
    language = language_or_default(lang)
    me = user()
    page = find(pathname or "/", access())
    current = page.path if page else ""
    nav = [dcc.Link(t(language, p.title_key), href=p.path, className="active" if p.path == current else "") for p in for_user(access())]
    box = [html.Span(f"{me.name} · {t(language, f'role.{me.role}')}"), html.A(t(language, "action.logout"), href="/logout", className="logout")]
    if page is None:
        return nav, ui.notice(t(language, "error.no_page"), "warning"), box
    params = Params.from_mapping(dict(parse_qsl((search or "").lstrip("?"))))
    return nav, run_safely(language, lambda lg: page.module.layout(params, lg)), box


def register(app: Dash) -> None:
    """Render the navigation, the page and the user box whenever the URL or the language changes."""

    @app.callback(
        Output("nav", "children"),
        Output("page", "children"),
        Output("user-box", "children"),
        Input("url", "pathname"),
        Input("url", "search"),
        Input("lang", "value"),
    )
    def render_page(pathname: str | None, search: str | None, lang: str | None) -> tuple[Sequence[object], object, Sequence[object]]:
        return route(pathname, search, lang)
