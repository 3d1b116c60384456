"""Hub: the hub's schools in a sortable, filterable table and in charts, mentoring status,
maturity profiles, suggested mentor-mentee pairs and micro-credentials; over a chosen
period, the digital activity of its schools. For hub coordinators (and admins)."""

from __future__ import annotations

import polars as pl
from dash import Dash, Input, Output, html

from dashboards import components as ui
from dashboards import figures
from dashboards.activity_views import grain, hub_activity, hub_credentials
from dashboards.context import access, min_cell, run_safely
from dashboards.i18n import t
from dashboards.reading import Params
from dashboards.views import hub_area_scores, hub_choices, hub_pairs, hub_profiles, hub_schools, round_choices
from lat.xapi import vocab

PATH = "/hub"
FILTERS = ("hub-select", "hub-round", "hub-level", "hub-area")
TIME_INPUTS = (("hub-select", "value"), ("hub-level", "value"), ("hub-period-start", "value"), ("hub-period-end", "value"), ("hub-grain", "value"))


def layout(params: Params, lang: str) -> html.Div:
    """Filters (hubs in scope, round, level, area), the body the callback fills and the over-time section."""
    data = access()
    hubs = hub_choices(data)
    if hubs.is_empty():
        return html.Div([html.H1(t(lang, "page.hub")), ui.notice(t(lang, "empty.no_hubs"))])
    ids = hubs["hub"].to_list()
    hub = ui.chosen(params.hub, ids)
    rounds = round_choices(data)
    chosen_round = ui.chosen(params.round, rounds)
    levels = [("", t(lang, "filter.all_levels"))] + [(lv, t(lang, f"level.{lv}")) for lv in vocab.SCHOOL_LEVELS]
    return html.Div(
        [
            html.H1(t(lang, "page.hub")),
            html.P(t(lang, "intro.hub"), className="intro"),
            html.Div(
                [
                    ui.dropdown("hub-select", list(zip(ids, hubs["hub_name"].to_list(), strict=True)), hub, t(lang, "filter.hub")),
                    ui.dropdown("hub-round", [(r, r) for r in rounds], chosen_round, t(lang, "filter.round")),
                    ui.dropdown("hub-level", levels, params.level, t(lang, "filter.level")),
                    ui.dropdown("hub-area", figures.area_options(lang), params.area, t(lang, "filter.area")),
                ],
                className="filters",
            ),
            html.Div(id="hub-body"),
            html.Section(
                [
                    html.H2(t(lang, "section.over_time")),
                    html.Div([ui.period("hub-period", params.start, params.end, lang), ui.grain("hub-grain", params.grain, lang)], className="filters"),
                    html.Div(id="hub-time"),
                ],
                className="over-time",
            ),
        ]
    )


def body(hub: str, round_: str, level: str, area: str, lang: str) -> list[object]:
    """Everything the page shows for one hub and round (a notice when the hub is out of scope)."""
    data = access()
    if hub not in hub_choices(data)["hub"].to_list():
        return [ui.notice(t(lang, "empty.hub_not_in_scope"), "warning")]
    params = Params(hub=hub, round=round_, level=level, area=area)
    schools = hub_schools(data, params)
    shown = schools.with_columns(pl.col("status").fill_null("None"))  # "None": not a mentee school
    pairs, profiles = hub_pairs(data, params), hub_profiles(data, params)
    return [
        html.P(t(lang, "summary.hub", schools=schools.height, scored=schools.filter(pl.col("score").is_not_null()).height), className="summary"),
        ui.card(
            t(lang, "section.hub_schools"),
            ui.table(
                shown,
                "hub-schools",
                params,
                lang,
                filterable=True,
                page_size=20,
                links={"school_name": "school"},
                columns=["school_name", "level", "teachers", "students", "respondents", "score", "cells_scored", "status"],
            ),
            note=t(lang, "note.score"),
        ),
        html.Div(
            [
                ui.card(
                    t(lang, "section.distribution"),
                    ui.graph(figures.score_distribution(hub_area_scores(data, params), lang), "hub-distribution-chart", lang, table_beside=False),
                    ui.download_links("hub-area-scores", params, lang),
                ),
                ui.card(t(lang, "section.status"), ui.graph(figures.status_counts(schools, lang), "hub-status-chart", lang, table_beside=False)),
            ],
            className="grid-2",
        ),
        ui.card(
            t(lang, "section.profiles"),
            ui.table(
                profiles,
                "hub-profiles",
                params,
                lang,
                links={"school_name": "school"},
                columns=[c for c in ("school_name", "label", "overall_score") if c in profiles.columns],
            ),
            note=t(lang, "note.profiles"),
        ),
        ui.card(
            t(lang, "section.pairs"),
            ui.table(pairs, "hub-pairs", params, lang, columns=[c for c in ("mentor_name", "mentee_name", "score", "explanation") if c in pairs.columns]),
            note=t(lang, "note.pairs"),
        ),
        ui.card(
            t(lang, "section.credentials"),
            ui.graph(figures.credentials(credentials := hub_credentials(data, params), lang, t(lang, "chart.credentials_hub")), "hub-credentials-chart", lang),
            ui.table(credentials, "hub-credentials", Params(hub=hub), lang),
            note=t(lang, "note.credentials_hub"),
        ),
    ]


def over_time(hub: str, level: str, start: str, end: str, chosen: str, lang: str) -> list[object]:
    """The hub's schools' digital activity in the chosen period, week by week or month by month."""
    data = access()
    if hub not in hub_choices(data)["hub"].to_list():
        return [ui.notice(t(lang, "empty.hub_not_in_scope"), "warning")]
    params = Params(hub=hub, level=level, start=start, end=end, grain=chosen)
    activity = hub_activity(data, params)
    note = (
        t(lang, "note.hub_activity", min=min_cell())
        + " "
        + t(lang, "note.activity_month" if grain(params) == "month" else "note.activity_week", min=min_cell())
    )
    return [
        ui.card(
            t(lang, "section.activity"),
            ui.graph(figures.activity(activity, lang, grain(params), min_cell()), "hub-activity-chart", lang),
            ui.table(
                activity,
                "hub-activity",
                params,
                lang,
                columns=[
                    "period",
                    "weeks",
                    "schools",
                    "active_teachers",
                    "teacher_share",
                    "active_students",
                    "student_share",
                    "schools_withheld",
                    "completions",
                ],
            ),
            note=note,
            level=3,
        ),
    ]


def register(app: Dash) -> None:
    """Connect the filters to the page body and to the over-time section."""

    @app.callback(Output("hub-body", "children"), [Input(f, "value") for f in FILTERS], Input("lang", "value"))
    def update_hub(hub: str | None, round_: str | None, level: str | None, area: str | None, lang: str | None) -> list[object]:
        return run_safely(lang, lambda language: body(hub or "", round_ or "", level or "", area or "", language))

    @app.callback(Output("hub-time", "children"), [Input(i, prop) for i, prop in TIME_INPUTS], Input("lang", "value"))
    def update_hub_time(hub: str | None, level: str | None, start: str | None, end: str | None, chosen: str | None, lang: str | None) -> list[object]:
        return run_safely(lang, lambda language: over_time(hub or "", level or "", start or "", end or "", chosen or "", language))
