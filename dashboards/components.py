"""Small building blocks of the pages: tables, download links, notices, filter dropdowns, cards."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import polars as pl
from dash import dash_table, dcc, html
from dash.dash_table.Format import Format, Scheme
from dash.development.base_component import Component

from dashboards.i18n import t
from dashboards.reading import Params
from dashboards.theme import Figure

# Columns shown with two decimals; their nulls are suppressed cells (or missing answers).
DECIMALS = frozenset(
    {
        "mean",
        "gap",
        "change",
        "ci_low",
        "ci_high",
        "mean_previous",
        "score",
        "median",
        "q1",
        "q3",
        "risk",
        "mentor_score",
        "mentee_score",
        "overall_score",
        "mean_change",
        "difference",
    }
)
SHARES = frozenset({"share_agree", "steps_share", "teacher_share", "student_share", "risk"})
# Columns whose nulls are small-cell suppressions (too few students active), said in words.
WITHHELD = frozenset({"student_share", "active_students"})
# Code columns shown in words (downloads keep the codes); value -> catalogue key prefix.
CODED = {
    "group": "group", "kind": "kind", "status": "status", "phase_reached": "phase", "level": "level", "area": "area",
    "suppressed_reason": "reason",
}  # fmt: skip
WIDE = {"reason": "22rem", "explanation": "22rem", "stall_reason": "18rem", "school_name": "12rem", "mentee_name": "12rem", "mentor_name": "12rem"}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
# DataTable's filter row: case-insensitive, without its case toggles. The toggles are drawn at 10%
# opacity (contrast below 4.5:1) and Tab does not leave them once one has focus (a keyboard trap).
FILTER_OPTIONS = {"case": "insensitive"}
TABLE_CSS = [{"selector": ".dash-filter--case", "rule": "display: none;"}]
# DataTable's page controls, which it leaves without accessible names (assets/lat.js names them).
PAGE_CONTROLS = ("first-page", "previous-page", "next-page", "last-page", "current-page")
# The toolbar keeps only the PNG export (each of plotly's ten buttons is a Tab stop per chart),
# always shown: plotly otherwise shows it on mouse hover only, so a keyboard focused it unseen.
GRAPH_CONFIG: dcc.Graph.Config = {
    "displaylogo": False,
    "displayModeBar": True,
    "modeBarButtons": [["toImage"]],
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "responsive": True,
}


def graph(figure: Figure, graph_id: str, lang: str, *, table_beside: bool = True) -> html.Figure:
    """A chart with the modebar's PNG export (and no plotly logo), and its text alternative: a
    caption pointing to the table of the same figures, or (``table_beside=False``) the figures
    in words under a "chart as text" disclosure."""
    # an explicit height: a responsive graph otherwise takes its container's, and overflows it
    height = figure.layout.get("height") or 450
    chart = dcc.Graph(id=graph_id, figure=figure.to_plotly_json(), config=GRAPH_CONFIG, className="chart", style={"height": f"{height}px"})
    if table_beside:
        return html.Figure([chart, html.Figcaption(t(lang, "chart.alt_table"), className="note")], className="chart-figure")
    text = html.Details([html.Summary(t(lang, "chart.as_text")), html.Ul([html.Li(line) for line in describe(figure, lang)])], className="chart-text")
    return html.Figure([chart, html.Figcaption(text)], className="chart-figure")


def notice(text: str, kind: str = "info") -> html.Div:
    """A plain-words message (empty state, refusal, error) in place of data."""
    return html.Div(text, className=f"notice notice-{kind}", role="status")


def card(title: str, *children: Component | str | None, note: str | None = None, level: int = 2) -> html.Section:
    """A titled section of a page; its heading is an h2 (``level=3`` inside a section of its own)."""
    parts: list[Component | str | None] = [html.H3(title) if level == 3 else html.H2(title)]
    if note:
        parts.append(html.P(note, className="note"))
    parts.extend(children)
    return html.Section(parts, className="card")


def download_links(view: str, params: Params, lang: str) -> html.Div:
    """CSV and Excel links for the table ``view`` with the page's filters."""
    query = urlencode(params.query())
    suffix = f"?{query}" if query else ""
    return html.Div(
        [
            html.A(t(lang, "action.csv"), href=f"/download/{view}.csv{suffix}", className="download", id=f"download-{view}-csv"),
            html.A(t(lang, "action.xlsx"), href=f"/download/{view}.xlsx{suffix}", className="download", id=f"download-{view}-xlsx"),
        ],
        className="downloads",
    )


def table(
    frame: pl.DataFrame,
    view: str,
    params: Params,
    lang: str,
    *,
    columns: Sequence[str] | None = None,
    links: dict[str, str] | None = None,
    page_size: int = 15,
    filterable: bool = False,
) -> html.Div:
    """A sortable table of ``frame`` with translated headers, plus its download links.

    ``links`` maps a column to the query key of the school page (``{"school_name": "school"}``
    renders the name as a link to ``/school?school=<id>``), for drill-down.
    """
    columns = list(columns or frame.columns)
    if frame.is_empty():
        return html.Div([notice(t(lang, "empty.table")), download_links(view, params, lang)])
    data = _records(frame, columns, links or {}, lang)
    specs = [_column_spec(frame, column, lang, column in (links or {})) for column in columns]
    for spec in specs:  # each filter field named by its column (the placeholder is its only name)
        spec["filter_options"] = {**FILTER_OPTIONS, "placeholder_text": t(lang, "table.filter", column=spec["name"])}
    return html.Div(
        [
            dash_table.DataTable(  # type: ignore[attr-defined]  # generated at import time; dash's stub misses it
                id=f"table-{view}",
                data=data,
                columns=specs,
                sort_action="native",
                page_size=page_size,
                filter_action="native" if filterable else "none",
                filter_options=FILTER_OPTIONS,
                cell_selectable=False,  # a clicked cell would become the active cell, whose key handler keeps Tab inside the table
                markdown_options={"link_target": "_self"},
                style_table={"overflowX": "auto"},
                style_as_list_view=True,
                style_cell_conditional=[{"if": {"column_id": c}, "minWidth": w} for c, w in WIDE.items() if c in columns],
                style_cell={"fontFamily": FONT, "padding": "6px 8px", "textAlign": "left", "whiteSpace": "normal", "height": "auto", "maxWidth": "28rem"},
                style_header={"fontWeight": "600", "backgroundColor": "#f4f6f8"},
                style_data_conditional=_conditional(columns, lang),
                css=TABLE_CSS,
            ),
            download_links(view, params, lang),
        ],
        className="table-wrap",
        **page_control_names(lang),
    )


def page_control_names(lang: str) -> dict[str, Any]:
    """``data-<control>`` attributes naming the table's page controls, which assets/lat.js copies onto them."""
    return {f"data-{control}": t(lang, f"table.{control}") for control in PAGE_CONTROLS}


def chosen(value: str | None, options: Sequence[str]) -> str:
    """The requested value when it is on offer (e.g. from a drill-down link), else the first option ("" when none)."""
    if value is not None and value in options:
        return value
    return options[0] if options else ""


def select(component_id: str, options: Sequence[tuple[str, str]], value: str, *, class_name: str = "select") -> dbc.Select:
    """A native ``<select>`` of (value, label) pairs. Not ``dcc.Dropdown``: Dash 4's dropdown puts an
    ``aria-hidden`` yet focusable stand-in into the Tab order (axe: aria-hidden-focus), and a
    native select is operated by keyboard and screen readers the way each platform expects."""
    # dbc.Select always puts a hidden placeholder <option value=""> first, which the browser shows for
    # the value "": it carries the label of our own "" choice ("All areas"), so that choice reads right.
    everything = next((text for v, text in options if v == ""), "")
    choices = [{"value": v, "label": text} for v, text in options]
    return dbc.Select(id=component_id, options=choices, value=value, placeholder=everything, class_name=class_name)


def dropdown(component_id: str, options: Sequence[tuple[str, str]], value: str, label: str) -> html.Div:
    """A labelled single choice of (value, label) pairs."""
    return html.Div([html.Label(label, htmlFor=component_id), select(component_id, options, value)], className="filter")


def period(component_id: str, start: str, end: str, lang: str) -> html.Fieldset:
    """A date range as two labelled fields, ``<id>-start`` and ``<id>-end`` (YYYY-MM-DD; an empty
    field leaves that end open). Plain fields, not ``dcc.DatePickerRange``: its wrapper carries
    ARIA attributes its role does not allow and its clear link is no control (docs/accessibility.md).
    ``dbc.Input``, not ``dcc.Input``: with ``debounce`` the latter moves the caret back while one
    types fast, scrambling the date."""
    fields = [
        html.Div(
            [
                html.Label(t(lang, key), htmlFor=f"{component_id}-{end_name}"),
                dbc.Input(
                    id=f"{component_id}-{end_name}", type="text", value=value, placeholder=t(lang, "filter.date_placeholder"), debounce=True, class_name="date"
                ),
            ],
            className="date-field",
        )
        for end_name, key, value in (("start", "filter.from", start), ("end", "filter.to", end))
    ]
    return html.Fieldset(
        [html.Legend(t(lang, "filter.period")), html.Div(fields, className="dates"), html.P(t(lang, "filter.date_hint"), className="hint")],
        className="filter period",
    )


def grain(component_id: str, value: str, lang: str) -> html.Div:
    """Week or month, for the activity trends."""
    return dropdown(
        component_id,
        [("week", t(lang, "grain.week")), ("month", t(lang, "grain.month"))],
        value if value in ("week", "month") else "week",
        t(lang, "filter.grain"),
    )


def describe(figure: Figure, lang: str) -> list[str]:
    """A chart's figures in words: one line per trace, its name then x: y for each point (a box
    plot: per box its median, range and count), numbers to two decimals; an empty chart's message."""
    lines = [str(a["text"]) for a in figure.layout.get("annotations", []) if a.get("text")]
    for trace in figure.data:
        name = str(trace.get("name") or "")
        xs, ys = list(trace.get("x") or []), list(trace.get("y") or [])
        if trace.get("type") == "box":
            boxes: dict[object, list[float]] = {}
            for x, y in zip(xs, ys, strict=False):
                if y is not None:
                    boxes.setdefault(x, []).append(y)
            for x, values in boxes.items():
                values.sort()
                low, median, high = _number(values[0]), _number(values[len(values) // 2]), _number(values[-1])
                lines.append(t(lang, "chart.box_text", name=x, median=median, low=low, high=high, n=len(values)))
            continue
        points = ", ".join(f"{x}: {_number(y)}" for x, y in zip(xs, ys, strict=False) if y is not None)
        if points:
            lines.append(f"{name}: {points}" if name else points)
    return lines


def _number(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def words(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Codes (groups, kinds, statuses, phases, levels, group pairs) and yes/no in ``lang``."""
    out = frame.with_columns(pl.col(pl.Date, pl.Datetime).cast(pl.String))
    for column, prefix in CODED.items():
        if column in out.columns and out.schema[column] == pl.String:
            values = [v for v in out[column].unique().to_list() if v is not None]
            named = {v: (f"{v} {t(lang, f'area.{v}')}" if prefix == "area" else t(lang, f"{prefix}.{v}")) for v in values}
            out = out.with_columns(pl.col(column).replace(named))
    if "pair" in out.columns:
        pairs = {v: " – ".join(t(lang, f"group.{g}") for g in v.split("-")) for v in out["pair"].drop_nulls().unique().to_list()}
        out = out.with_columns(pl.col("pair").replace(pairs))
    yes, no = t(lang, "label.yes"), t(lang, "label.no")
    return out.with_columns(
        pl.when(pl.col(c)).then(pl.lit(yes)).otherwise(pl.when(pl.col(c).is_null()).then(None).otherwise(pl.lit(no))).alias(c)
        for c in out.columns
        if out.schema[c] == pl.Boolean
    )


def _records(frame: pl.DataFrame, columns: list[str], links: dict[str, str], lang: str) -> list[dict[str, object]]:
    out = words(frame.select(columns), lang)
    if links:
        ids = frame.select(list({key for key in links.values()} & set(frame.columns)))
        rows = out.to_dicts()
        for row, id_row in zip(rows, ids.to_dicts(), strict=True):
            for column, key in links.items():
                target = id_row.get(key)
                if target is not None:
                    row[column] = f"[{row[column]}](/school?school={target})"
        return rows
    return out.to_dicts()


def _column_spec(frame: pl.DataFrame, column: str, lang: str, link: bool) -> dict[str, object]:
    spec: dict[str, object] = {"id": column, "name": t(lang, f"col.{column}")}
    if link:
        spec["presentation"] = "markdown"
    elif column in DECIMALS:
        spec.update(type="numeric", format=Format(precision=2, scheme=Scheme.fixed).nully(t(lang, "label.suppressed_or_missing")))
    elif column in SHARES:
        empty = t(lang, "label.suppressed") if column in WITHHELD else "—"
        spec.update(type="numeric", format=Format(precision=1 if column == "student_share" else 0, scheme=Scheme.percentage).nully(empty))
    elif column in WITHHELD:
        spec.update(type="numeric", format=Format().nully(t(lang, "label.suppressed")))
    elif frame.schema[column].is_numeric():
        spec["type"] = "numeric"
    return spec


def _conditional(columns: list[str], lang: str) -> list[dict[str, object]]:
    styles: list[dict[str, object]] = [{"if": {"row_index": "odd"}, "backgroundColor": "#fafbfc"}]
    if "status" in columns:
        styles.append({"if": {"filter_query": f'{{status}} = "{t(lang, "status.stalled")}"'}, "backgroundColor": "#fbeae5"})
    if "suppressed" in columns:
        styles.append({"if": {"filter_query": f'{{suppressed}} = "{t(lang, "label.yes")}"'}, "color": "#666666", "fontStyle": "italic"})
    return styles
