"""Colours and the plotly template: Okabe-Ito, a palette that colour-blind readers can tell apart."""

from __future__ import annotations

from typing import Any, TypedDict

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
# Fixed colours per respondent group, so a group keeps its colour on every chart.
GROUP_COLOURS = {"leader": "#0072B2", "teacher": "#E69F00", "student": "#009E73"}
STATUS_COLOURS = {"stalled": "#D55E00", "on_track": "#009E73", "ended": "#999999", "not_started": "#56B4E9"}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


class Layout(TypedDict):
    """The plotly layout properties :func:`base_layout` sets (a chart changes or adds to them)."""

    title: dict[str, object]
    colorway: list[str]
    font: dict[str, object]
    height: int
    margin: dict[str, int]
    plot_bgcolor: str
    paper_bgcolor: str
    yaxis: dict[str, object]
    xaxis: dict[str, object]
    legend: dict[str, object]
    hoverlabel: dict[str, object]
    modebar: dict[str, object]


def base_layout(title: str, *, y_title: str | None = None, x_title: str | None = None, height: int = 380) -> Layout:
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
        "modebar": {"color": "#5b6670", "activecolor": "#0072B2", "bgcolor": "white"},  # the PNG button at 3:1 contrast or more (plotly's grey is fainter)
    }


class Figure:
    """A plotly figure as plain data (what ``dcc.Graph`` sends to plotly.js).

    Building ``plotly.graph_objects`` validates every property in Python, which cost most of
    a callback's time at national scale; plotly.js checks the same figure in the browser.
    """

    def __init__(self) -> None:
        self.data: list[dict[str, Any]] = []
        self.layout: dict[str, Any] = {}

    def add_trace(self, **trace: Any) -> None:
        """Append a trace given as plotly properties."""
        self.data.append(trace)

    def add_bar(self, **trace: Any) -> None:
        """Append a bar trace."""
        self.add_trace(type="bar", **trace)

    def add_scatter(self, **trace: Any) -> None:
        """Append a scatter trace."""
        self.add_trace(type="scatter", **trace)

    def update_layout(self, **layout: Any) -> None:
        """Merge ``layout`` into the figure's layout (top-level keys replaced)."""
        self.layout.update(layout)

    def add_hline(self, y: float, *, line_color: str, line_width: float) -> None:
        """Draw a horizontal line across the plot at ``y``."""
        line = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": y, "y1": y, "line": {"color": line_color, "width": line_width}}
        self.layout.setdefault("shapes", []).append(line)

    def to_plotly_json(self) -> dict[str, Any]:
        """What Dash serialises (the same hook plotly's own figures have)."""
        return {"data": self.data, "layout": self.layout}


def empty_figure(message: str) -> Figure:
    """A blank chart that says in words why there is nothing to show."""
    figure = Figure()
    figure.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False},
        height=200,
        plot_bgcolor="white",
        annotations=[{"text": message, "showarrow": False, "font": {"size": 14}, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}],
    )
    return figure
