"""School readiness: the eight areas per respondent group, gaps, strengths, change, micro-credentials;
and over a chosen period: digital activity (week or month) and the mentoring log.

For school heads (their own school) and mentors (their mentee schools); coordinators and
admins reach it by drilling down from the hub page.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from dash import Dash, Input, Output, html
from dash.development.base_component import Component

from dashboards import components as ui
from dashboards import figures
from dashboards.activity_views import grain, school_activity, school_badges, school_credentials
from dashboards.context import access, min_cell, run_safely
from dashboards.i18n import t
from dashboards.reading import Params
from dashboards.views import round_choices, school_areas, school_choices, school_gaps, school_progress, school_strengths, school_timeline
from lat.access.policy import DataAccess
from lat.access.roles import BADGE_LIST
from lat.xapi import vocab

PATH = "/school"
FILTERS = ("school-select", "school-round", "school-area")
# The over-time section has its own callback: changing the period redraws only that part.
TIME_INPUTS = (("school-select", "value"), ("school-period-start", "value"), ("school-period-end", "value"), ("school-grain", "value"))


def layout(params: Params, lang: str) -> html.Div:
    """Filters (schools in scope, rounds, area) and the body the callback fills."""
    data = access()
    schools = school_choices(data)
    if schools.is_empty():
        return html.Div([html.H1(t(lang, "page.school")), ui.notice(t(lang, "empty.no_schools"))])
    ids = schools["school"].to_list()
    school = ui.chosen(params.school, ids)
    rounds = round_choices(data, school)
    chosen_round = ui.chosen(params.round, rounds)
    names = list(zip(ids, schools["school_name"].to_list(), strict=True))
    return html.Div(
        [
            html.H1(t(lang, "page.school")),
            html.P(t(lang, "intro.school"), className="intro"),
            html.Div(
                [
                    ui.dropdown("school-select", names, school, t(lang, "filter.school")),
                    ui.dropdown("school-round", [(r, r) for r in rounds], chosen_round, t(lang, "filter.round")),
                    ui.dropdown("school-area", figures.area_options(lang), params.area, t(lang, "filter.area")),
                ],
                className="filters",
            ),
            html.Div(id="school-body"),
            html.Section(
                [
                    html.H2(t(lang, "section.over_time")),
                    html.Div([ui.period("school-period", params.start, params.end, lang), ui.grain("school-grain", params.grain, lang)], className="filters"),
                    html.Div(id="school-time"),
                ],
                className="over-time",
            ),
        ]
    )


def body(school: str, round_: str, area: str, lang: str) -> list[object]:
    """Everything the page shows for one school and round (empty when out of scope)."""
    data = access()
    names = school_choices(data).filter(pl.col("school") == school)
    if names.is_empty():  # out of scope or unknown: say so without echoing anything about it
        return [ui.notice(t(lang, "empty.school_not_in_scope"), "warning")]
    params = Params(school=school, round=round_, area=area)
    row = names.row(0, named=True)
    rounds = round_choices(data, school)
    if round_ not in rounds:  # another school was chosen: show its latest round
        params = Params(school=school, round=rounds[0] if rounds else "", area=area)
    level = t(lang, f"level.{row['level']}")
    areas = school_areas(data, params)
    return [
        html.P(f"{row['school_name']} · {row['hub_name']} · {level} · {params.round}", className="subject"),
        ui.card(
            t(lang, "section.areas"),
            _area_matrix(areas, lang),
            ui.graph(figures.areas_by_group(areas, lang, min_cell()), "school-areas-chart", lang),
            ui.download_links("school-areas", params, lang),
            note=t(lang, "note.suppressed", min=min_cell()),
        ),
        ui.card(t(lang, "section.gaps"), ui.table(school_gaps(data, params), "school-gaps", params, lang), note=t(lang, "note.gaps")),
        ui.card(t(lang, "section.strengths"), ui.table(school_strengths(data, params), "school-strengths", params, lang, page_size=18)),
        ui.card(
            t(lang, "section.progress"),
            ui.graph(figures.progress_by_area(progress := school_progress(data, params), lang), "school-progress-chart", lang),
            ui.table(
                progress,
                "school-progress",
                params,
                lang,
                columns=["area", "group", "previous_round", "mean_previous", "n_previous", "mean", "n", "change", "ci_low", "ci_high", "significant"],
            ),
            note=t(lang, "note.progress"),
        ),
        _credentials_card(data, params, lang),
    ]


def _credentials_card(data: DataAccess, params: Params, lang: str) -> html.Section:
    """Badges earned at the school; which teacher earned which only for its head and admins."""
    counts = school_credentials(data, params)
    parts: list[Component] = [
        ui.graph(figures.credentials(counts, lang, t(lang, "chart.credentials_school")), "school-credentials-chart", lang),
        ui.table(counts, "school-credentials", params, lang),
    ]
    if data.may(BADGE_LIST):
        badges = school_badges(data, Params(school=params.school))
        shown = badges.with_columns(pl.col("issued_by").replace({"this hub": t(lang, "issuer.hub"), "xAPI source": t(lang, "issuer.xapi")}))
        parts += [html.H3(t(lang, "section.badges")), ui.table(shown, "school-badges", Params(school=params.school), lang, page_size=12, filterable=True)]
    return ui.card(t(lang, "section.credentials"), *parts, note=t(lang, "note.credentials"))


def over_time(school: str, start: str, end: str, chosen: str, lang: str) -> list[object]:
    """Digital activity and the mentoring log of one school in the chosen period."""
    data = access()
    if school_choices(data).filter(pl.col("school") == school).is_empty():
        return [ui.notice(t(lang, "empty.school_not_in_scope"), "warning")]
    params = Params(school=school, start=start, end=end, grain=chosen)
    activity = school_activity(data, params)
    timeline = school_timeline(data, params)
    return [
        ui.card(
            t(lang, "section.activity"),
            ui.graph(figures.activity(activity, lang, grain(params), min_cell()), "school-activity-chart", lang),
            ui.table(
                activity,
                "school-activity",
                params,
                lang,
                columns=["period", "weeks", "active_teachers", "teacher_share", "active_students", "student_share", "completions"],
            ),
            note=t(lang, "note.activity_month" if grain(params) == "month" else "note.activity_week", min=min_cell()),
            level=3,
        ),
        ui.card(
            t(lang, "section.timeline"),
            ui.graph(figures.timeline(timeline, lang), "school-timeline-chart", lang),
            ui.table(
                timeline,
                "school-timeline",
                params,
                lang,
                columns=["as_of", "meetings", "goals_set", "goals_achieved", "steps_planned", "steps_completed", "observations", "phase_reached", "status"],
            ),
            level=3,
        ),
    ]


def _area_matrix(areas: pl.DataFrame, lang: str) -> html.Div:
    """Areas down, groups across: 'mean (n)' or 'suppressed (n)', and the widest gap."""
    if areas.is_empty():
        return ui.notice(t(lang, "empty.no_survey"))
    groups = [g for g in vocab.GROUPS if g in set(areas["group"].to_list())]
    header = html.Tr([html.Th(t(lang, "col.area"))] + [html.Th(t(lang, f"group.{g}")) for g in groups] + [html.Th(t(lang, "col.widest_gap"))])
    rows = []
    for area in sorted(areas["area"].unique().to_list()):
        cells, means = [], []
        for group in groups:
            found = areas.filter((pl.col("area") == area) & (pl.col("group") == group))
            if found.is_empty():
                cells.append(html.Td("—", className="missing"))
                continue
            cell = found.row(0, named=True)
            if cell["suppressed"] or cell["mean"] is None:
                cells.append(html.Td(t(lang, "label.suppressed_n", n=cell["n"]), className="suppressed", title=t(lang, "hover.suppressed", min=min_cell())))
            else:
                means.append(cell["mean"])
                cells.append(html.Td([html.Span(f"{cell['mean']:.2f}", className="value"), html.Span(f" (n={cell['n']})", className="n")]))
        gap = f"{max(means) - min(means):.2f}" if len(means) > 1 else "—"
        rows.append(html.Tr([html.Th(figures.area_label(lang, area), scope="row")] + cells + [html.Td(gap)]))
    table = html.Table(
        [html.Caption(t(lang, "section.areas"), className="visually-hidden"), html.Thead(header), html.Tbody(rows)], className="matrix", id="school-area-matrix"
    )
    # focusable, so that a keyboard can scroll it sideways on a narrow screen (WCAG 2.1.1)
    name: dict[str, Any] = {"aria-label": t(lang, "section.areas")}
    return html.Div(table, className="table-wrap", tabIndex="0", role="region", **name)


def register(app: Dash) -> None:
    """Connect the filters to the page body and to the over-time section."""

    @app.callback(Output("school-body", "children"), [Input(f, "value") for f in FILTERS], Input("lang", "value"))
    def update_school(school: str | None, round_: str | None, area: str | None, lang: str | None) -> list[object]:
        return run_safely(lang, lambda language: body(school or "", round_ or "", area or "", language))

    @app.callback(Output("school-time", "children"), [Input(i, prop) for i, prop in TIME_INPUTS], Input("lang", "value"))
    def update_school_time(school: str | None, start: str | None, end: str | None, chosen: str | None, lang: str | None) -> list[object]:
        return run_safely(lang, lambda language: over_time(school or "", start or "", end or "", chosen or "", language))
