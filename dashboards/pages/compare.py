"""Country and region comparison: countries and hubs with 95% intervals, trends between rounds,
micro-credentials per country, and the drill-down country -> hub -> school (hubs the user may
open are links)."""

from __future__ import annotations

import polars as pl
from dash import Dash, Input, Output, dcc, html

from dashboards import components as ui
from dashboards import figures
from dashboards.activity_views import country_credentials
from dashboards.context import access, run_safely
from dashboards.i18n import t
from dashboards.reading import Params
from dashboards.views import country_maturity, hub_choices, hub_maturity, round_choices
from lat.xapi import vocab

PATH = "/compare"
FILTERS = ("compare-round", "compare-area", "compare-group", "compare-country")


def layout(params: Params, lang: str) -> html.Div:
    """Filters (round, area, group, country) and the body the callback fills."""
    data = access()
    rounds = round_choices(data)
    countries = data.mart("registry_countries").sort("country_name")
    country_options = [("", t(lang, "filter.all_countries"))] + list(zip(countries["country"].to_list(), countries["country_name"].to_list(), strict=True))
    return html.Div(
        [
            html.H1(t(lang, "page.compare")),
            html.P(t(lang, "intro.compare"), className="intro"),
            html.Div(
                [
                    ui.dropdown("compare-round", [(r, r) for r in rounds], ui.chosen(params.round, rounds), t(lang, "filter.round")),
                    ui.dropdown("compare-area", [(a, figures.area_label(lang, a)) for a in vocab.AREAS], params.area or "A", t(lang, "filter.area")),
                    ui.dropdown("compare-group", [(g, t(lang, f"group.{g}")) for g in vocab.GROUPS], params.group or "teacher", t(lang, "filter.group")),
                    ui.dropdown("compare-country", country_options, params.country, t(lang, "filter.country")),
                ],
                className="filters",
            ),
            html.Div(id="compare-body"),
        ]
    )


def body(round_: str, area: str, group: str, country: str, lang: str) -> list[object]:
    """Countries and hubs with their intervals, the trends, credentials per country and the drill-down links."""
    data = access()
    params = Params(round=round_, area=area, group=group, country=country)
    countries = country_maturity(data, Params(round=round_, area=area, group=group))
    hubs = hub_maturity(data, params)
    all_rounds = Params(area=area, group=group, country=country)
    label = f"{figures.area_label(lang, area)} · {t(lang, f'group.{group}')}"
    openable = set(hub_choices(data)["hub"].to_list())
    names = data.mart("registry_hubs").select("hub", "hub_name")
    hub_rows = hubs.join(names, on="hub", how="left").with_columns(pl.col("hub_name").fill_null(pl.col("hub")))
    links = [
        html.Li(dcc.Link(name, href=f"/hub?hub={hub}&round={round_}") if hub in openable else html.Span(name))
        for hub, name in sorted(set(zip(hub_rows["hub"].to_list(), hub_rows["hub_name"].to_list(), strict=True)), key=lambda p: p[1])
    ]
    return [
        html.Div(
            [
                ui.card(
                    t(lang, "section.countries"),
                    ui.graph(figures.comparison(countries, "country", lang, f"{t(lang, 'chart.countries')}: {label}"), "compare-countries-chart", lang),
                    ui.table(
                        countries,
                        "country-maturity",
                        Params(round=round_, area=area, group=group),
                        lang,
                        columns=["country", "schools", "n", "mean", "ci_low", "ci_high", "suppressed"],
                    ),
                ),
                ui.card(
                    t(lang, "section.hubs"),
                    ui.graph(figures.comparison(hub_rows, "hub_name", lang, f"{t(lang, 'chart.hubs')}: {label}"), "compare-hubs-chart", lang),
                    ui.table(hubs, "hub-maturity", params, lang, columns=["hub", "country", "schools", "n", "mean", "ci_low", "ci_high", "suppressed"]),
                ),
            ],
            className="grid-2",
        ),
        ui.card(
            t(lang, "section.trends"),
            ui.graph(
                figures.trend(country_maturity(data, all_rounds), "country", lang, f"{t(lang, 'chart.trend')}: {label}"),
                "compare-trend-chart",
                lang,
                table_beside=False,
            ),
        ),
        ui.card(
            t(lang, "section.credentials_country"),
            ui.graph(
                figures.credentials(credentials := country_credentials(data, Params(country=country)), lang, t(lang, "chart.credentials_country")),
                "compare-credentials-chart",
                lang,
            ),
            ui.table(credentials, "country-credentials", Params(country=country), lang),
            note=t(lang, "note.credentials_country"),
        ),
        ui.card(
            t(lang, "section.drilldown"),
            html.Ul(links, className="links") if links else ui.notice(t(lang, "empty.no_aggregates")),
            note=t(lang, "note.drilldown"),
        ),
    ]


def register(app: Dash) -> None:
    """Connect the filters to the page body."""

    @app.callback(Output("compare-body", "children"), [Input(f, "value") for f in FILTERS], Input("lang", "value"))
    def update_compare(round_: str | None, area: str | None, group: str | None, country: str | None, lang: str | None) -> list[object]:
        return run_safely(lang, lambda language: body(round_ or "", area or "A", group or "teacher", country or "", language))
