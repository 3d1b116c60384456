"""Every mart and every column has a definition, and docs/indicators.md lists them all."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from lat.store import marts
from pipeline_fixtures import FIXTURES, load, open_store, read_ndjson, registry, settings_for
from pipelines.core import compute, families
from pipelines.core.catalogue import MARTS
from pipelines.core.definitions import DIMENSIONS, INDICATORS, Indicator, describe
from pipelines.core.docs import render

DOCS = Path(__file__).resolve().parents[1] / "docs" / "indicators.md"
# A definition says the rule in words; these are signs that it points at code instead.
CODE_POINTER = re.compile(r"\.py\b|pipelines/|pipelines\.|\blat\.|:(?:func|mod|meth|class):")


def test_every_declared_column_has_a_definition() -> None:
    families.load_catalogue()
    undefined = [f"{m.name}.{c} -> {k}" for m in MARTS.values() for c, k in m.columns.items() if describe(k) is None]
    assert undefined == []


def test_every_published_mart_and_column_is_declared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(tmp_path, monkeypatch)
    con = open_store(settings)
    registry(con, {"S1": ("H1", "EE")})
    load(con, read_ndjson(FIXTURES / "maturity" / "basic" / "input.ndjson"))
    con.close()
    compute.run(settings)
    for name in marts.available(settings):
        assert name in MARTS, f"published mart {name} is not in the catalogue"
        assert marts.read(name, settings).columns == list(MARTS[name].columns)


def test_indicators_page_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(), "regenerate: python -m pipelines.core.docs > docs/indicators.md"


def _definition_texts() -> list[tuple[str, str]]:
    """(where, text) of every dimension definition and every text field of every indicator."""
    families.load_catalogue()
    fields = [f.name for f in dataclasses.fields(Indicator) if f.name not in ("name", "family")]
    texts = [(f"dimension {key}", meaning) for key, meaning in DIMENSIONS.items()]
    texts += [(f"{name} {field}", getattr(ind, field)) for name, ind in INDICATORS.items() for field in fields]
    return texts


def test_every_definition_is_in_words_not_empty_nor_a_pointer_at_code() -> None:
    texts = _definition_texts()
    assert len(texts) > 100
    empty = [where for where, text in texts if not re.search(r"[A-Za-z0-9]", text or "")]
    assert empty == [], "empty definitions (or a placeholder such as '-'): write what the value is"
    pointers = [f"{where}: {m.group()!r}" for where, text in texts if (m := CODE_POINTER.search(text))]
    assert pointers == [], "definitions pointing at code: say the rule in words"
