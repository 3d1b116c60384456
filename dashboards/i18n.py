"""Message catalogues: ``dashboards/locales/<language>.json``, one flat key -> text object each.

Adding a language means adding a catalogue file with every key of ``en.json`` (a test
checks); no code changes. Texts may hold ``{name}`` placeholders filled by :func:`t`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LOCALES = Path(__file__).resolve().parent / "locales"
DEFAULT = "en"


@cache
def catalogue(language: str) -> dict[str, str]:
    """The messages of ``language`` (English for unknown languages)."""
    path = LOCALES / f"{language}.json"
    if not path.exists():
        path = LOCALES / f"{DEFAULT}.json"
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def languages() -> list[tuple[str, str]]:
    """(code, name in that language) of every catalogue, English first."""
    codes = sorted(p.stem for p in LOCALES.glob("*.json"))
    codes.sort(key=lambda code: code != DEFAULT)
    return [(code, catalogue(code).get("language.name", code)) for code in codes]


def language_or_default(language: str | None) -> str:
    """``language`` when a catalogue exists for it, else English."""
    return language if language and (LOCALES / f"{language}.json").exists() else DEFAULT


def t(language: str, key: str, **values: object) -> str:
    """The message ``key`` in ``language`` (English, then the key itself, as fall-backs)."""
    text = catalogue(language).get(key) or catalogue(DEFAULT).get(key) or key
    return text.format(**values) if values else text
