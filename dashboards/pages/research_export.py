"""Research export: the anonymised, k-anonymous dataset of ``lat export`` as a zip download.

For researchers and admins. The page picks k, the level and the file format; the download
itself is ``/export/research.zip`` (:mod:`dashboards.downloads`), which calls
:func:`lat.export.build_zip` for the signed-in user: the export checks the role and writes
the ``export`` entry to the audit log. Without an export key the page says how to set one.
"""

from __future__ import annotations

from urllib.parse import urlencode

from dash import Dash, Input, Output, dcc, html

from dashboards import components as ui
from dashboards.context import access, run_safely, settings
from dashboards.i18n import t
from dashboards.reading import Params
from lat.access.roles import RESEARCH_EXPORT
from lat.errors import LatError

PATH = "/export"
DOWNLOAD = "/export/research.zip"
INPUTS = ("export-k", "export-level", "export-format")
DEFAULT_K = 5


def layout(params: Params, lang: str) -> html.Div:
    """The export's choices (k, level, format) and the body the callback fills."""
    from lat.export import FORMATS, LEVELS

    return html.Div(
        [
            html.H1(t(lang, "page.export")),
            html.P(t(lang, "intro.export"), className="intro"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label(t(lang, "filter.k"), htmlFor="export-k"),
                            dcc.Input(id="export-k", type="number", min=2, step=1, value=DEFAULT_K, debounce=True, className="number"),
                        ],
                        className="filter",
                    ),
                    ui.dropdown("export-level", [(lv, t(lang, f"export_level.{lv}")) for lv in LEVELS], "schools", t(lang, "filter.export_level")),
                    ui.dropdown("export-format", [(f, t(lang, f"format.{f}")) for f in FORMATS], "csv", t(lang, "filter.format")),
                ],
                className="filters",
            ),
            html.Div(id="export-body"),
        ]
    )


def body(k: object, level: str, fmt: str, lang: str) -> list[object]:
    """What the export will hold and its download link; or why there is none."""
    from lat.export import check_parameters
    from lat.export.anonymise import HOW_TO_SET, key_source

    if not access().may(RESEARCH_EXPORT):
        return [ui.notice(t(lang, "error.denied"), "warning")]
    try:
        number = int(str(k))
    except ValueError:
        return [ui.notice(t(lang, "export.bad_k"), "error")]
    try:
        check_parameters(number, level, fmt, None)
    except LatError as exc:
        return [ui.notice(str(exc).replace("--", ""), "error")]
    if key_source(settings()) is None:
        return [ui.notice(t(lang, "export.no_key", how=HOW_TO_SET), "warning")]
    href = f"{DOWNLOAD}?{urlencode({'k': number, 'level': level, 'format': fmt})}"
    return [
        ui.card(
            t(lang, "section.export"),
            html.P(t(lang, f"export_about.{level}")),
            html.P(t(lang, "export.k_means", k=number)),
            html.A(t(lang, "action.export_zip"), href=href, id="export-download", className="button"),
            note=t(lang, "note.export"),
        )
    ]


def register(app: Dash) -> None:
    """Connect the export's choices to the page body."""

    @app.callback(Output("export-body", "children"), [Input(i, "value") for i in INPUTS], Input("lang", "value"))
    def update_export(k: object, level: str | None, fmt: str | None, lang: str | None) -> list[object]:
        return run_safely(lang, lambda language: body(k, level or "", fmt or "", language))
