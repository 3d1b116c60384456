"""Mentoring: the user's mentee schools with progress indicators, stalled schools first.

Each stalled school says why in words (from the stall codes, translated); the school name
links to the school page (drill-down).
"""

from __future__ import annotations

from typing import Any

import polars as pl
from dash import Dash, Input, Output, html

from dashboards import components as ui
from dashboards import figures
from dashboards.context import access, run_safely, settings
from dashboards.i18n import t
from dashboards.reading import Params
from dashboards.views import hub_choices, mentee_progress
from lat.xapi import vocab

PATH = "/mentor"
COLUMNS = [
    "school_name",
    "status",
    "reason",
    "days_since_contact",
    "meetings",
    "goals_set",
    "steps_completed",
    "steps_planned",
    "observations",
    "phase_reached",
    "risk",
]


def layout(params: Params, lang: str) -> html.Div:
    """Filters (hubs in scope, school level) and the body the callback fills."""
    hubs = hub_choices(access())
    options = [("", t(lang, "filter.all_hubs"))] + list(zip(hubs["hub"].to_list(), hubs["hub_name"].to_list(), strict=True))
    hub = params.hub if params.hub in hubs["hub"].to_list() else ""
    return html.Div(
        [
            html.H1(t(lang, "page.mentor")),
            html.P(t(lang, "intro.mentor", days=settings().stalled_days), className="intro"),
            html.Div(
                [
                    ui.dropdown("mentor-hub", options, hub, t(lang, "filter.hub")),
                    ui.dropdown(
                        "mentor-level",
                        [("", t(lang, "filter.all_levels"))] + [(lv, t(lang, f"level.{lv}")) for lv in vocab.SCHOOL_LEVELS],
                        params.level if params.level in vocab.SCHOOL_LEVELS else "",
                        t(lang, "filter.level"),
                    ),
                ],
                className="filters",
            ),
            html.Div(id="mentor-body"),
        ]
    )


def reason_text(row: dict[str, Any], lang: str, limit: int) -> str:
    """The stall reasons of one progress row, in ``lang`` (the codes are joined by commas)."""
    codes = [c for c in (row.get("stall_code") or "").split(",") if c]
    return " ".join(t(lang, f"stall.{code}", limit=limit, **_values(row)) for code in codes)


def _values(row: dict[str, Any]) -> dict[str, Any]:
    share = row.get("steps_share")
    return {
        "days": row.get("days_since_contact"),
        "last": row.get("last_contact"),
        "since": row.get("days_in_mentoring"),
        "start": row.get("mentoring_start"),
        "done": row.get("steps_completed"),
        "planned": row.get("steps_planned"),
        "share": round((share or 0) * 100),
    }


def body(hub: str, level: str, lang: str) -> list[object]:
    """The mentee schools' progress, with the reason for each status, and the status counts."""
    params = Params(hub=hub, level=level)
    frame = mentee_progress(access(), params)
    if frame.is_empty():
        return [ui.notice(t(lang, "empty.no_mentees"))]
    limit = settings().stalled_days
    reasons = [reason_text(row, lang, limit) for row in frame.iter_rows(named=True)]
    shown = frame.with_columns(
        pl.Series("reason", reasons, dtype=pl.String),
    )
    stalled = frame.filter(pl.col("status") == "stalled").height
    summary = t(lang, "summary.mentees", total=frame.height, stalled=stalled)
    return [
        html.P(summary, className="summary", id="mentor-summary"),
        ui.card(t(lang, "section.mentees"), ui.table(shown, "mentee-progress", params, lang, columns=COLUMNS, links={"school_name": "school"}, page_size=25)),
        ui.card(t(lang, "section.status"), ui.graph(figures.status_counts(frame, lang), "mentor-status-chart", lang, table_beside=False)),
    ]


def register(app: Dash) -> None:
    """Connect the filters to the page body."""

    @app.callback(Output("mentor-body", "children"), Input("mentor-hub", "value"), Input("mentor-level", "value"), Input("lang", "value"))
    def update_mentor(hub: str | None, level: str | None, lang: str | None) -> list[object]:
        return run_safely(lang, lambda language: body(hub or "", level or "", language))
