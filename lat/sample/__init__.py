"""The realistic sample-data generator behind ``lat sample`` (see ``docs/sample-data.md``).

It builds a small world (countries, hubs, schools with a hidden digital maturity, people,
mentoring pairs), writes it as registry CSVs, and writes the xAPI statements that world would
produce: SELFIE-style survey rounds, DigCompEdu self-assessments, a school year of mentoring,
micro-credentials and Moodle-shaped LMS activity. Output is byte-identical for a given seed.
"""

from __future__ import annotations

from lat.sample.generate import generate
from lat.sample.scales import SCALES, Scale

__all__ = ["SCALES", "Scale", "generate"]
