"""Every mart and every column has a definition, and docs/indicators.md lists them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from lat import marts
from pipelines.core import compute, families
from pipelines.core.catalogue import MARTS
from pipelines.core.definitions import describe
from pipelines.core.docs import render
from pipeline_fixtures import FIXTURES, load, open_store, read_ndjson, registry, settings_for

DOCS = Path(__file__).resolve().parents[1] / "docs" / "indicators.md"


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
