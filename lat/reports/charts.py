"""The reports' charts as SVG (text kept as text): an area's bars by respondent group on the
1-5 scale with n beside them, a suppressed group written as suppressed and never drawn as a
bar; and the distribution of a hub's school scores in an area."""

from __future__ import annotations

import io
import statistics

import matplotlib as mpl
from matplotlib.figure import Figure

from lat.reports.content import Area
from lat.reports.words import number, t

COLOURS = {"leader": "#0072B2", "teacher": "#E69F00", "student": "#009E73"}  # Okabe-Ito: safe for colour-blind readers
SCALE = (1.0, 5.0)


def area_chart(area: Area, lang: str) -> str:
    """The SVG of ``area``'s bars."""
    figure = Figure(figsize=(5.6, 0.42 * max(len(area.cells), 1) + 0.45))
    axes = figure.add_subplot()
    labels = [t(lang, f"group.{c.group}") for c in area.cells]
    for row, cell in enumerate(area.cells):
        if cell.mean is None:
            axes.text(SCALE[0] + 0.05, row, f"{t(lang, 'suppressed')} (n={cell.n})", va="center", fontsize=8, color="#555555", style="italic")
            continue
        axes.barh(row, cell.mean - SCALE[0], left=SCALE[0], color=COLOURS.get(cell.group, "#999999"), height=0.6)
        axes.text(cell.mean + 0.05, row, f"{number(cell.mean, lang)} (n={cell.n})", va="center", fontsize=8)
    axes.set_yticks(range(len(area.cells)), labels, fontsize=8)
    axes.set_xlim(SCALE[0], SCALE[1] + 0.9)
    axes.set_xticks([1, 2, 3, 4, 5])
    axes.invert_yaxis()
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout(pad=0.3)
    return _svg(figure)


def _svg(figure: Figure) -> str:
    """The figure as inline SVG, its text kept as text (searchable, extractable)."""
    out = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans"}):
        figure.savefig(out, format="svg")
    svg = out.getvalue()
    return svg[svg.index("<svg") :]


def distribution_chart(scores: tuple[float, ...], lang: str) -> str:
    """The SVG of one area's school scores: a dot per school on the 1-5 scale, the median marked."""
    figure = Figure(figsize=(5.6, 0.75))
    axes = figure.add_subplot()
    axes.scatter(scores, [0] * len(scores), s=14, color="#0072B2", alpha=0.7)
    if scores:
        middle = statistics.median(scores)
        axes.axvline(middle, color="#555555", linewidth=1)
        axes.text(middle, 0.3, t(lang, "median", value=number(middle, lang)), fontsize=7, ha="center")
    axes.set_xlim(*SCALE)
    axes.set_ylim(-0.5, 0.6)
    axes.set_yticks([])
    axes.set_xticks([1, 2, 3, 4, 5])
    axes.spines[["top", "right", "left"]].set_visible(False)
    figure.tight_layout(pad=0.3)
    return _svg(figure)
