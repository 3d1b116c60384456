"""Reading a questionnaire file: areas and items with their wording per language."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lat.errors import LatError

HERE = Path(__file__).resolve().parent
DEFAULT = "selfie-v1"


@dataclass(frozen=True)
class Questionnaire:
    """A questionnaire version: area and item wording per language."""

    version: str
    areas: dict[str, dict[str, str]]  # area -> language -> name
    items: dict[str, dict[str, str]]  # item -> language -> wording
    groups: dict[str, tuple[str, ...]]  # item -> respondent groups asked

    def area(self, code: str, lang: str) -> str:
        """The area's name in ``lang`` (English when the language lacks it; the code when unknown)."""
        names = self.areas.get(code, {})
        return names.get(lang) or names.get("en") or code

    def item(self, code: str, lang: str) -> str:
        """The item's wording in ``lang`` (English when the language lacks it; the code when unknown)."""
        texts = self.items.get(code, {})
        return texts.get(lang) or texts.get("en") or code


@lru_cache(maxsize=4)
def load(version: str = DEFAULT) -> Questionnaire:
    """The questionnaire ``version`` (a file ``<version>.toml`` beside this module)."""
    path = HERE / f"{version}.toml"
    if not path.exists():
        raise LatError(f"No questionnaire {version!r}: known are {', '.join(sorted(p.stem for p in HERE.glob('*.toml')))}.")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    items = {code: {k: v for k, v in spec.items() if k != "groups"} for code, spec in data["items"].items()}
    groups = {code: tuple(spec.get("groups", ())) for code, spec in data["items"].items()}
    return Questionnaire(data["version"], data["areas"], items, groups)
