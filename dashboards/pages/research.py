"""Research: the aggregate tables a researcher may see (country and hub level, suppressed below
the minimum cell size), each downloadable as CSV and Excel, filtered by round and area. The
anonymised record-level export has its own page (``research_export``)."""

from __future__ import annotations

from dash import Dash, Input, Output, html

from dashboards import components as ui
from dashboards import figures
from dashboards.context import access, run_safely
from dashboards.i18n import t
from dashboards.reading import Params
from dashboards.views import country_maturity, hub_maturity, outcome_summary, round_choices
from lat.xapi import vocab

PATH = "/research"


def layout(params: Params, lang: str) -> html.Div:
    """Filters (round, area) and the body the callback fills."""
    rounds = round_choices(access())
    options = [("", t(lang, "filter.all_rounds"))] + [(r, r) for r in rounds]
    return html.Div(
        [
            html.H1(t(lang, "page.research")),
            html.P(t(lang, "intro.research"), className="intro"),
            html.Div(
                [
                    ui.dropdown("research-round", options, params.round if params.round in rounds else "", t(lang, "filter.round")),
                    ui.dropdown("research-area", figures.area_options(lang), params.area if params.area in vocab.AREAS else "", t(lang, "filter.area")),
                ],
                className="filters",
            ),
            html.Div(id="research-body"),
        ]
    )


def body(round_: str, area: str, lang: str) -> list[object]:
    """The country and hub aggregate tables and the outcome summary, each downloadable."""
    data = access()
    params = Params(round=round_, area=area)
    return [
        ui.card(t(lang, "section.country_table"), ui.table(country_maturity(data, params), "country-maturity", params, lang, filterable=True)),
        ui.card(t(lang, "section.hub_table"), ui.table(hub_maturity(data, params), "hub-maturity", params, lang, filterable=True)),
        ui.card(t(lang, "section.outcomes"), ui.table(outcome_summary(data, Params()), "outcome-summary", Params(), lang), note=t(lang, "note.outcomes")),
    ]


def register(app: Dash) -> None:
    """Connect the filters to the page body."""

    @app.callback(Output("research-body", "children"), Input("research-round", "value"), Input("research-area", "value"), Input("lang", "value"))
    def update_research(round_: str | None, area: str | None, lang: str | None) -> list[object]:
        return run_safely(lang, lambda language: body(round_ or "", area or "", language))
