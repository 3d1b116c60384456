"""A school report as HTML (a Jinja2 template) and as PDF (WeasyPrint)."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from lat.config import Settings
from lat.errors import LatError
from lat.questionnaire.catalogue import load as questionnaire
from lat.reports.charts import area_chart, distribution_chart
from lat.reports.content import SchoolReport
from lat.reports.hub import HubReport
from lat.reports.words import LANGUAGES, TEXTS, number, t

HERE = Path(__file__).resolve().parent
_ENV = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def suggestions(settings: Settings) -> dict[str, dict[str, str]]:
    """area -> language -> suggestion: the hub's file (LAT_REPORT_SUGGESTIONS) or LAT's own."""
    path = settings.report_suggestions or HERE / "suggestions.toml"
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise LatError(f"Suggestions file {path}: {error}") from None


def _check(lang: str) -> None:
    if lang not in LANGUAGES:
        raise LatError(f"Language {lang!r}: choose one of {', '.join(LANGUAGES)}.")


def _common(lang: str) -> dict[str, object]:
    """What every template uses: the words, numbers and area names in ``lang``, and today."""
    words = questionnaire()
    return {
        "lang": lang,
        "t": lambda key, **values: t(lang, key, **values),
        "num": lambda value: number(value, lang),
        "area_name": lambda code: words.area(code, lang),
        "today": date.today().isoformat(),
    }


def hub_html(report: HubReport, lang: str) -> str:
    """The hub report's HTML page."""
    _check(lang)
    chart = lambda area: Markup(distribution_chart(area.scores, lang))  # noqa: E731, S704 - our own SVG, from figures only
    known_status = {key for key in TEXTS[lang] if key.startswith("status.")}
    return _ENV.get_template("hub.html").render(r=report, chart=chart, known_status=known_status, **_common(lang))


def html(report: SchoolReport, lang: str, settings: Settings) -> str:
    """The school report's HTML page."""
    _check(lang)
    words = questionnaire()
    strongest, weakest = report.ranked_areas()
    significant = [c for c in report.changes if c.significant]
    catalogue = suggestions(settings)
    return _ENV.get_template("school.html").render(
        r=report,
        item_text=lambda code: words.item(code, lang),
        chart=lambda area: Markup(area_chart(area, lang)),  # noqa: S704 - our own SVG, from figures only
        strongest=strongest,
        weakest=weakest,
        significant=significant,
        others=len(report.changes) - len(significant),
        suggestions=[(a.code, catalogue.get(a.code, {}).get(lang, "")) for a in weakest if catalogue.get(a.code, {}).get(lang)],
        **_common(lang),
    )


def pdf(page: str, out: Path) -> Path:
    """Write the HTML ``page`` as a PDF to ``out``."""
    # imported here: WeasyPrint loads Pango at import, which only report commands need
    from weasyprint import HTML

    out.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=page, base_url=str(HERE / "templates")).write_pdf(out)
    return out
