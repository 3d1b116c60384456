"""Colours and the plotly template: Okabe-Ito, a palette that colour-blind readers can tell apart."""

from __future__ import annotations

import plotly.graph_objects as go

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
# Fixed colours per respondent group, so a group keeps its colour on every chart.
GROUP_COLOURS = {"leader": "#0072B2", "teacher": "#E69F00", "student": "#009E73"}
STATUS_COLOURS = {"stalled": "#D55E00", "on_track": "#009E73", "ended": "#999999", "not_started": "#56B4E9"}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def base_layout(title: str, *, y_title: str | None = None, x_title: str | None = None, height: int = 380) -> dict[str, object]:
    """Shared figure layout: title, axis titles (with units), palette, readable margins."""
    return {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        "colorway": list(OKABE_ITO),
        "font": {"family": FONT, "size": 13},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 60},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "yaxis": {"title": {"text": y_title or ""}, "gridcolor": "#e5e5e5", "zerolinecolor": "#bbbbbb"},
        "xaxis": {"title": {"text": x_title or ""}, "gridcolor": "#f0f0f0"},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        "hoverlabel": {"font": {"family": FONT}},
    }


def empty_figure(message: str) -> go.Figure:
    """A blank chart that says in words why there is nothing to show."""
    figure = go.Figure()
    figure.update_layout(
        xaxis={"visible": False}, yaxis={"visible": False}, height=200, plot_bgcolor="white",
        annotations=[{"text": message, "showarrow": False, "font": {"size": 14}, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}],
    )
    return figure
