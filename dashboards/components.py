"""Small building blocks of the pages: tables, download links, notices, filter dropdowns, cards."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

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
GRAPH_CONFIG: dcc.Graph.Config = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}, "responsive": True}


def graph(figure: Figure, graph_id: str) -> dcc.Graph:
    """A chart with the modebar's PNG export (and no plotly logo)."""
    # an explicit height: a responsive graph otherwise takes its container's, and overflows it
    height = figure.layout.get("height") or 450
    return dcc.Graph(id=graph_id, figure=figure.to_plotly_json(), config=GRAPH_CONFIG, className="chart", style={"height": f"{height}px"})


def notice(text: str, kind: str = "info") -> html.Div:
    """A plain-words message (empty state, refusal, error) in place of data."""
    return html.Div(text, className=f"notice notice-{kind}", role="status")


def card(title: str, *children: Component | str | None, note: str | None = None) -> html.Section:
    """A titled section of a page."""
    parts: list[Component | str | None] = [html.H3(title)]
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
    return html.Div(
        [
            dash_table.DataTable(  # type: ignore[attr-defined]  # generated at import time; dash's stub misses it
                id=f"table-{view}",
                data=data,
                columns=specs,
                sort_action="native",
                page_size=page_size,
                filter_action="native" if filterable else "none",
                markdown_options={"link_target": "_self"},
                style_table={"overflowX": "auto"},
                style_as_list_view=True,
                style_cell_conditional=[{"if": {"column_id": c}, "minWidth": w} for c, w in WIDE.items() if c in columns],
                style_cell={"fontFamily": FONT, "padding": "6px 8px", "textAlign": "left", "whiteSpace": "normal", "height": "auto", "maxWidth": "28rem"},
                style_header={"fontWeight": "600", "backgroundColor": "#f4f6f8"},
                style_data_conditional=_conditional(columns, lang),
            ),
            download_links(view, params, lang),
        ],
        className="table-wrap",
    )


def chosen(value: str | None, options: Sequence[str]) -> str:
    """The requested value when it is on offer (e.g. from a drill-down link), else the first option ("" when none)."""
    if value is not None and value in options:
        return value
    return options[0] if options else ""


def dropdown(component_id: str, options: Sequence[tuple[str, str]], value: str, label: str, *, clearable: bool = False) -> html.Div:
    """A labelled single-choice dropdown of (value, label) pairs."""
    return html.Div(
        [
            html.Label(label, htmlFor=component_id),
            dcc.Dropdown(id=component_id, options=[{"value": v, "label": text} for v, text in options], value=value, clearable=clearable, searchable=True),
        ],
        className="filter",
    )


def period(component_id: str, start: str, end: str, lang: str) -> html.Div:
    """A labelled date range (either end may stay open: all dates)."""
    return html.Div(
        [
            html.Label(t(lang, "filter.period"), htmlFor=component_id),
            dcc.DatePickerRange(
                id=component_id,
                start_date=start or None,
                end_date=end or None,
                display_format="YYYY-MM-DD",
                clearable=True,
                start_date_placeholder_text=t(lang, "filter.from"),
                end_date_placeholder_text=t(lang, "filter.to"),
                first_day_of_week=1,
            ),
        ],
        className="filter",
    )


def grain(component_id: str, value: str, lang: str) -> html.Div:
    """Week or month, for the activity trends."""
    return dropdown(
        component_id,
        [("week", t(lang, "grain.week")), ("month", t(lang, "grain.month"))],
        value if value in ("week", "month") else "week",
        t(lang, "filter.grain"),
    )


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
