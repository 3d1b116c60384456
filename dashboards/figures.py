"""Plotly figures built from the views' frames: titles, units, hover details, Okabe-Ito colours.

Suppressed cells are drawn as hatched outlines labelled "suppressed", never as a zero bar.
"""

from __future__ import annotations

from typing import cast

import polars as pl

from dashboards.i18n import t
from dashboards.theme import GROUP_COLOURS, OKABE_ITO, STATUS_COLOURS, Figure, base_layout, empty_figure
from lat.xapi import vocab

SCALE_MAX = 5.0  # the SELFIE agreement scale runs 1..5


def area_label(lang: str, area: str) -> str:
    """An area's code and its name in ``lang``, e.g. 'A Leadership'."""
    return f"{area} {t(lang, f'area.{area}')}"


def area_options(lang: str) -> list[tuple[str, str]]:
    """The area filter's choices: all areas (""), then each SELFIE area with its label."""
    return [("", t(lang, "filter.all_areas"))] + [(a, area_label(lang, a)) for a in vocab.AREAS]


def areas_by_group(frame: pl.DataFrame, lang: str, min_cell: int) -> Figure:
    """Each group's area average side by side, respondent counts on the bars."""
    if frame.is_empty():
        return empty_figure(t(lang, "empty.no_survey"))
    figure = Figure()
    areas = sorted(frame["area"].unique().to_list())
    for group in [g for g in vocab.GROUPS if g in set(frame["group"].to_list())]:
        rows = frame.filter(pl.col("group") == group)
        shown, hidden = rows.filter(~pl.col("suppressed")), rows.filter(pl.col("suppressed"))
        name = t(lang, f"group.{group}")
        figure.add_bar(
            x=shown["area"].to_list(),
            y=shown["mean"].to_list(),
            name=name,
            offsetgroup=group,
            marker={"color": GROUP_COLOURS[group]},
            text=[f"n={n}" for n in shown["n"].to_list()],
            textposition="outside",
            customdata=[[area_label(lang, a), n] for a, n in zip(shown["area"].to_list(), shown["n"].to_list(), strict=True)],
            hovertemplate=f"{name}<br>%{{customdata[0]}}<br>{t(lang, 'label.mean')}: %{{y:.2f}}<br>{t(lang, 'label.n')}: %{{customdata[1]}}<extra></extra>",
        )
        if hidden.height:
            figure.add_bar(
                x=hidden["area"].to_list(),
                y=[SCALE_MAX] * hidden.height,
                name=f"{name}: {t(lang, 'label.suppressed')}",
                offsetgroup=group,
                marker={
                    "color": "rgba(255,255,255,0)",
                    "line": {"color": GROUP_COLOURS[group], "width": 1},
                    "pattern": {"shape": "/", "fgcolor": GROUP_COLOURS[group], "fgopacity": 0.35},
                },
                text=[t(lang, "label.suppressed_n", n=n) for n in hidden["n"].to_list()],
                textposition="inside",
                textangle=-90,
                hovertemplate=f"{name}<br>%{{x}}<br>{t(lang, 'hover.suppressed', min=min_cell)}<extra></extra>",
            )
    layout = base_layout(t(lang, "chart.areas_by_group"), y_title=t(lang, "axis.mean_1_5"), x_title=t(lang, "axis.area"), height=420)
    layout["yaxis"] = {**layout["yaxis"], "range": [0, SCALE_MAX + 0.6]}
    layout["xaxis"] = {**layout["xaxis"], "categoryorder": "array", "categoryarray": areas}
    figure.update_layout(barmode="group", **layout)
    return figure


def progress_by_area(frame: pl.DataFrame, lang: str) -> Figure:
    """Change of each group's area mean since the previous round, with 95% intervals."""
    shown = frame.filter(~pl.col("suppressed").cast(pl.Boolean)) if frame.height else frame
    if shown.is_empty():
        return empty_figure(t(lang, "empty.no_progress"))
    figure = Figure()
    for group in [g for g in vocab.GROUPS if g in set(shown["group"].to_list())]:
        rows = shown.filter(pl.col("group") == group)
        change = rows["change"].cast(pl.Float64)
        figure.add_scatter(
            x=rows["area"].to_list(),
            y=change.to_list(),
            mode="markers",
            name=t(lang, f"group.{group}"),
            offsetgroup=group,
            marker={"color": GROUP_COLOURS[group], "size": 10},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (rows["ci_high"].cast(pl.Float64) - change).to_list(),
                "arrayminus": (change - rows["ci_low"].cast(pl.Float64)).to_list(),
            },
            customdata=list(zip(rows["mean_previous"].to_list(), rows["mean"].to_list(), rows["n_previous"].to_list(), rows["n"].to_list(), strict=True)),
            hovertemplate=(
                f"%{{x}}<br>{t(lang, 'label.change')}: %{{y:+.2f}}<br>"
                f"{t(lang, 'label.previous')}: %{{customdata[0]:.2f}} (n=%{{customdata[2]}})<br>"
                f"{t(lang, 'label.now')}: %{{customdata[1]:.2f}} (n=%{{customdata[3]}})<extra></extra>"
            ),
        )
    layout = base_layout(t(lang, "chart.progress"), y_title=t(lang, "axis.change_points"), x_title=t(lang, "axis.area"))
    figure.update_layout(scattermode="group", **layout)
    figure.add_hline(y=0, line_color="#777777", line_width=1)
    return figure


TIMELINE_SERIES = ("meetings", "goals_set", "steps_completed", "observations")


def timeline(frame: pl.DataFrame, lang: str) -> Figure:
    """Cumulative meetings, goals, completed steps and lesson observations at each month end."""
    if frame.is_empty():
        return empty_figure(t(lang, "empty.no_mentoring"))
    figure = Figure()
    for colour, series in zip((OKABE_ITO[4], OKABE_ITO[0], OKABE_ITO[2], OKABE_ITO[6]), TIMELINE_SERIES, strict=True):
        figure.add_scatter(
            x=frame["as_of"].to_list(),
            y=frame[series].to_list(),
            mode="lines+markers",
            name=t(lang, f"col.{series}"),
            line={"color": colour, "width": 2},
            hovertemplate=f"{t(lang, f'col.{series}')}: %{{y}}<br>%{{x|%Y-%m-%d}}<extra></extra>",
        )
    figure.update_layout(**base_layout(t(lang, "chart.timeline"), y_title=t(lang, "axis.count_cumulative"), x_title=t(lang, "axis.date")))
    return figure


def status_counts(frame: pl.DataFrame, lang: str) -> Figure:
    """How many mentee schools are stalled, on track or ended."""
    if frame.is_empty() or "status" not in frame.columns or frame["status"].drop_nulls().is_empty():
        return empty_figure(t(lang, "empty.no_mentoring"))
    counts = frame.drop_nulls("status").group_by("status").len().sort("status")
    statuses = counts["status"].to_list()
    figure = Figure()
    figure.add_bar(
        x=[t(lang, f"status.{s}") for s in statuses],
        y=counts["len"].to_list(),
        text=counts["len"].to_list(),
        textposition="outside",
        marker={"color": [STATUS_COLOURS.get(s, OKABE_ITO[7]) for s in statuses]},
        hovertemplate="%{x}: %{y}<extra></extra>",
    )
    figure.update_layout(**base_layout(t(lang, "chart.status"), y_title=t(lang, "axis.schools"), height=320))
    return figure


def score_distribution(frame: pl.DataFrame, lang: str) -> Figure:
    """The spread of schools' area scores: one box per area, every school a point."""
    if frame.is_empty():
        return empty_figure(t(lang, "empty.no_survey"))
    figure = Figure()
    figure.add_trace(
        type="box",
        x=frame["area"].to_list(),
        y=frame["score"].to_list(),
        boxpoints="all",
        jitter=0.4,
        pointpos=0,
        marker={"color": OKABE_ITO[4]},
        name=t(lang, "label.schools"),
        text=frame["school_name"].to_list(),
        hovertemplate="%{text}<br>%{x}: %{y:.2f}<extra></extra>",
    )
    layout = base_layout(t(lang, "chart.distribution"), y_title=t(lang, "axis.mean_1_5"), x_title=t(lang, "axis.area"))
    layout["yaxis"] = {**layout["yaxis"], "range": [1, SCALE_MAX]}
    figure.update_layout(showlegend=False, **layout)
    return figure


def comparison(frame: pl.DataFrame, key: str, lang: str, title: str) -> Figure:
    """Means with 95% intervals for each ``key`` (country or hub); suppressed rows left out."""
    shown = frame.filter(~pl.col("suppressed") & pl.col("mean").is_not_null())
    if shown.is_empty():
        return empty_figure(t(lang, "empty.no_aggregates"))
    shown = shown.sort("mean", descending=True)
    mean, low, high = shown["mean"], shown["ci_low"].fill_null(shown["mean"]), shown["ci_high"].fill_null(shown["mean"])
    figure = Figure()
    figure.add_bar(
        x=shown[key].to_list(),
        y=mean.to_list(),
        marker={"color": OKABE_ITO[4]},
        error_y={"type": "data", "symmetric": False, "array": (high - mean).to_list(), "arrayminus": (mean - low).to_list(), "color": "#333333"},
        customdata=list(zip(shown["schools"].to_list(), shown["n"].to_list(), shown["ci_low"].to_list(), shown["ci_high"].to_list(), strict=True)),
        hovertemplate=(
            f"%{{x}}<br>{t(lang, 'label.mean')}: %{{y:.2f}}<br>95% CI: %{{customdata[2]:.2f}}–%{{customdata[3]:.2f}}<br>"
            f"{t(lang, 'label.schools')}: %{{customdata[0]}}<br>{t(lang, 'label.n')}: %{{customdata[1]}}<extra></extra>"
        ),
    )
    layout = base_layout(title, y_title=t(lang, "axis.mean_1_5"))
    layout["yaxis"] = {**layout["yaxis"], "range": [1, SCALE_MAX]}
    figure.update_layout(**layout)
    return figure


def trend(frame: pl.DataFrame, key: str, lang: str, title: str) -> Figure:
    """Each ``key``'s mean across rounds, one line each; the rounds in the order of ``frame``
    (the views give them in the product's round order)."""
    shown = frame.filter(~pl.col("suppressed") & pl.col("mean").is_not_null())
    if shown.is_empty() or shown["round"].n_unique() < 2:
        return empty_figure(t(lang, "empty.one_round"))
    figure = Figure()
    for i, value in enumerate(sorted(shown[key].unique().to_list())):
        rows = shown.filter(pl.col(key) == value)
        figure.add_scatter(
            x=rows["round"].to_list(),
            y=rows["mean"].to_list(),
            mode="lines+markers",
            name=value,
            line={"color": OKABE_ITO[i % len(OKABE_ITO)]},
            hovertemplate=f"{value}<br>%{{x}}: %{{y:.2f}}<extra></extra>",
        )
    layout = base_layout(title, y_title=t(lang, "axis.mean_1_5"), x_title=t(lang, "axis.round"))
    rounds = shown["round"].unique(maintain_order=True).to_list()
    layout["xaxis"] = {**layout.get("xaxis", {}), "type": "category", "categoryorder": "array", "categoryarray": rounds}
    figure.update_layout(**layout)
    return figure


def activity(frame: pl.DataFrame, lang: str, chosen_grain: str, min_cell: int) -> Figure:
    """Shares of registered teachers and students active per week or month; withheld student
    figures drawn as grey crosses on the axis, labelled as withheld, never as a zero."""
    if frame.is_empty():
        return empty_figure(t(lang, "empty.no_activity"))
    period = frame["period"].to_list()
    figure = Figure()
    for column, group in (("teacher_share", "teacher"), ("student_share", "student")):
        name = t(lang, f"label.{column}")
        figure.add_scatter(
            x=period,
            y=frame[column].to_list(),
            mode="lines+markers",
            name=name,
            connectgaps=False,
            line={"color": GROUP_COLOURS[group], "width": 2},
            marker={"size": 6},
            hovertemplate=f"{name}: %{{y:.1%}}<br>%{{x|%Y-%m-%d}}<extra></extra>",
        )
    withheld = frame.filter(pl.col("students_suppressed"))
    if withheld.height:
        figure.add_scatter(
            x=withheld["period"].to_list(),
            y=[0] * withheld.height,
            mode="markers",
            name=t(lang, "label.students_withheld", min=min_cell),
            marker={"symbol": "x-thin-open", "size": 9, "color": "#777777", "line": {"width": 2, "color": "#777777"}},
            hovertemplate=f"%{{x|%Y-%m-%d}}<br>{t(lang, 'hover.students_withheld', min=min_cell)}<extra></extra>",
        )
    title = t(lang, "chart.activity_month" if chosen_grain == "month" else "chart.activity_week")
    layout = base_layout(title, y_title=t(lang, "axis.share_active"), x_title=t(lang, f"axis.{chosen_grain}"), height=400)
    highest = max((v for c in ("teacher_share", "student_share") for v in frame[c].to_list() if v is not None), default=0.0)
    # whole percents repeat on the ticks of a low range (1%, 1%, 2%): one decimal below 10%
    layout["yaxis"] = {**layout["yaxis"], "tickformat": ".0%" if highest >= 0.1 else ".1%", "rangemode": "tozero"}
    layout["legend"] = {**layout["legend"], "y": 1.08}
    figure.update_layout(**layout)
    return figure


def credentials(frame: pl.DataFrame, lang: str, title: str) -> Figure:
    """Micro-credentials earned per achievement (horizontal bars, most earned on top)."""
    if frame.is_empty():
        return empty_figure(t(lang, "empty.no_credentials"))
    # plotly draws the first bar at the bottom: ascending here reads top-down like the table beside it
    totals = frame.group_by("achievement_name").agg(pl.col("earned").sum()).sort(["earned", "achievement_name"], descending=[False, True])
    figure = Figure()
    figure.add_bar(
        x=totals["earned"].to_list(),
        y=totals["achievement_name"].to_list(),
        orientation="h",
        marker={"color": OKABE_ITO[2]},
        text=totals["earned"].to_list(),
        textposition="outside",
        hovertemplate=f"%{{y}}: %{{x}} {t(lang, 'label.earned')}<extra></extra>",
    )
    layout = base_layout(title, x_title=t(lang, "axis.credentials"), height=max(260, 60 + 34 * totals.height))
    most = cast(int | None, totals["earned"].max())  # polars types max() as any Python literal; counts are ints
    step = max(1, -(-int(most or 1) // 8))  # whole counts on the axis, never 0.5
    layout["xaxis"] = {**layout["xaxis"], "dtick": step, "tick0": 0, "rangemode": "tozero"}
    layout["margin"] = {"l": 220, "r": 40, "t": 60, "b": 50}
    figure.update_layout(showlegend=False, **layout)
    return figure
