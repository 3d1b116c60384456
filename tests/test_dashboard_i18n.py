"""Message catalogues: every language has every English key, with the same placeholders,
and every key the code asks for exists."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from dashboards.i18n import LOCALES, catalogue, languages, t

ROOT = Path(__file__).resolve().parents[1] / "dashboards"
EN = json.loads((LOCALES / "en.json").read_text(encoding="utf-8"))
OTHERS = sorted(p.stem for p in LOCALES.glob("*.json") if p.stem != "en")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_polish_exists_and_languages_are_listed_english_first() -> None:
    assert OTHERS == ["pl"]
    assert languages() == [("en", "English"), ("pl", "Polski")]


@pytest.mark.parametrize("language", OTHERS)
def test_every_english_key_is_translated_with_the_same_placeholders(language: str) -> None:
    other = json.loads((LOCALES / f"{language}.json").read_text(encoding="utf-8"))
    missing = sorted(set(EN) - set(other))
    assert not missing, f"{language}.json lacks {missing}"
    for key, text in EN.items():
        assert _fields(other[key]) == _fields(text), f"{language}.json {key}: placeholders differ"
        assert other[key].strip(), f"{language}.json {key} is empty"


def test_every_literal_key_used_in_the_code_is_in_english() -> None:
    used: set[str] = set()
    for path in ROOT.rglob("*.py"):
        used |= set(re.findall(r"""\bt\(\w+, ["']([a-z_]+\.[a-z_0-9]+)["']""", path.read_text(encoding="utf-8")))
    assert len(used) > 50
    assert not sorted(used - set(EN))


def test_lookup_fills_placeholders_and_falls_back_to_english() -> None:
    assert t("pl", "summary.mentees", total=4, stalled=1) == "Szkoły mentorowane: 4, w tym z zastojem: 1."
    assert t("en", "summary.mentees", total=4, stalled=1) == "4 mentee schools, 1 stalled."
    assert t("xx", "page.hub") == "Hub"  # unknown language: English
    assert t("en", "no.such.key") == "no.such.key"
    assert catalogue("pl")["area.A"] == "Przywództwo"
