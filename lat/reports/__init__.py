"""Printable reports (PDF): the school report a leadership team reads in ten minutes.

content (figures from the published marts, through the reader's role policy) -> charts (SVG)
-> render (HTML template -> PDF with WeasyPrint). Words in English and Polish (``words``);
suggestions for the weakest areas from ``suggestions.toml``, which a hub may replace
(``LAT_REPORT_SUGGESTIONS``). See docs/reports.md.
"""
