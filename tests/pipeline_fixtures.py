"""Helpers shared by the pipeline tests: build survey statements, load them into a real
DuckDB store in tmp_path, and compare marts with hand-computed CSV tables.

Statements go through the real ingest (``lat.ingest.engine.ingest_records``), voiding included.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from lat.config import Settings
from lat.ingest.engine import Record, ingest_records
from lat.registry import organisation as lat_registry
from lat.store import attribution
from lat.store import database as store
from lat.xapi import vocab
from pipelines.core.source import Sources

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pipelines"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def settings_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **overrides: Any) -> Settings:
    """Settings with LAT_HOME in tmp_path (env set too, for code that reads get_settings())."""
    monkeypatch.setenv("LAT_HOME", str(tmp_path / "home"))
    for key, value in overrides.items():
        monkeypatch.setenv(f"LAT_{key.upper()}", str(value))
    return Settings()


def answer(
    respondent: str,
    item: str,
    response: str,
    *,
    school: str = "S1",
    round: str = "2025-spring",
    group: str = "teacher",
    minutes: int = 0,
    hub: str | None = None,
) -> dict[str, Any]:
    """One SELFIE-style survey answer statement as the profile shapes it."""
    ext = {
        vocab.EXT_SCHOOL: school,
        vocab.EXT_ROUND: round,
        vocab.EXT_AREA: item[0],
        vocab.EXT_ITEM: item,
        vocab.EXT_GROUP: group,
    }
    if hub:
        ext[vocab.EXT_HUB] = hub
    result: dict[str, Any] = {"response": response}
    if response in vocab.LIKERT:
        result["score"] = {"raw": int(response), "min": 1, "max": 5}
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{respondent}/{school}/{round}/{item}/{minutes}/{response}")),
        "actor": {"objectType": "Agent", "account": {"homePage": vocab.RESPONDENT_HOMEPAGE, "name": respondent}},
        "verb": {"id": vocab.ANSWERED, "display": {"en": "answered"}},
        "object": {
            "objectType": "Activity",
            "id": vocab.SELFIE_ITEM_BASE + item,
            "definition": {"type": vocab.CMI_INTERACTION, "interactionType": "likert"},
        },
        "result": result,
        "context": {
            "contextActivities": {"parent": [{"id": vocab.SELFIE_ROUND_BASE + round, "definition": {"type": vocab.SURVEY}}]},
            "extensions": ext,
        },
        "timestamp": (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
        "version": "1.0.3",
    }


def assessment(teacher: str, code: str, level: str, *, round: str = "2025-spring", school: str = "S1", minutes: int = 0) -> dict[str, Any]:
    """One DigCompEdu self-assessment statement: ``teacher`` rates competence ``code`` (e.g. 2.1) at ``level`` (A1..C2)."""
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"dc/{teacher}/{round}/{code}/{minutes}")),
        "actor": {"objectType": "Agent", "account": {"homePage": vocab.RESPONDENT_HOMEPAGE, "name": teacher}},
        "verb": {"id": vocab.ANSWERED},
        "object": {"objectType": "Activity", "id": vocab.COMPETENCE_BASE + code, "definition": {"type": vocab.COMPETENCE}},
        "result": {
            "response": level,
            "score": {"raw": vocab.DIGCOMP_LEVELS.index(level) + 1, "min": 1, "max": 6},
            "extensions": {vocab.EXT_DIGCOMP_LEVEL: level},
        },
        "context": {"extensions": {vocab.EXT_SCHOOL: school, vocab.EXT_ROUND: round, vocab.EXT_DIGCOMP_AREA: code[0]}},
        "timestamp": (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
    }


def voiding(target_id: str, *, minutes: int = 500) -> dict[str, Any]:
    """A statement voiding ``target_id``."""
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"void/{target_id}")),
        "actor": {"objectType": "Agent", "account": {"homePage": "https://lat.example/admin", "name": "admin"}},
        "verb": {"id": vocab.VOIDED, "display": {"en": "voided"}},
        "object": {"objectType": "StatementRef", "id": target_id},
        "timestamp": (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
        "version": "1.0.3",
    }


def read_ndjson(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_ndjson(path: Path, statements: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(s, sort_keys=True) + "\n" for s in statements), encoding="utf-8")


def load(con: duckdb.DuckDBPyConnection, statements: list[dict[str, Any]], *, source: str = "fixture") -> None:
    """Store ``statements`` through the ingest path (voiding applied)."""
    ingest_records(con, [Record(source, i + 1, json.dumps(s)) for i, s in enumerate(statements)])


def load_case(con: duckdb.DuckDBPyConnection, case: Path) -> None:
    """Store a fixture case: its ``registry/`` directory, then ``input.ndjson``, then the
    attribution rule over everything (statements without a school, e.g. Moodle's, get the
    registry's), as a registry import after the ingest leaves the store."""
    lat_registry.write(con, lat_registry.load(case / "registry"))
    load(con, read_ndjson(case / "input.ndjson"))
    attribution.apply(con)


def case_marts(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    case: Path,
    compute: Callable[[Sources, Settings], Mapping[str, pl.LazyFrame | pl.DataFrame]],
    **overrides: Any,
) -> dict[str, pl.DataFrame]:
    """A family's marts (``compute``) from a fixture case in a fresh store (settings ``overrides``)."""
    settings = settings_for(tmp_path, monkeypatch, **overrides)
    con = open_store(settings)
    load_case(con, case)
    sources = Sources(con, settings, now=datetime(2026, 1, 1, tzinfo=UTC))
    return {name: frame.lazy().collect() for name, frame in compute(sources, settings).items()}


def registry(con: duckdb.DuckDBPyConnection, schools: dict[str, tuple[str, str]]) -> None:
    """Minimal registry: school -> (hub, country); countries and hubs follow."""
    for country in sorted({c for _, c in schools.values()}):
        con.execute("INSERT INTO countries VALUES (?, ?)", [country, f"Country {country}"])
    for hub, country in sorted(set(schools.values())):
        con.execute("INSERT INTO hubs VALUES (?, ?, ?)", [hub, f"Hub {hub}", country])
    for school, (hub, country) in sorted(schools.items()):
        con.execute("INSERT INTO schools VALUES (?, ?, ?, ?, 'secondary', 30, 300, NULL)", [school, f"School {school}", country, hub])


def open_store(settings: Settings) -> duckdb.DuckDBPyConnection:
    return store.connect(settings)


def expected(path: Path) -> pl.DataFrame:
    """A hand-computed expected table (CSV; empty cells are nulls)."""
    return pl.read_csv(path, infer_schema_length=None)


def assert_frame_matches(actual: pl.DataFrame, want: pl.DataFrame, *, keys: list[str], tol: float = 1e-9) -> None:
    """``actual`` restricted to ``want``'s columns equals ``want`` (rows matched by ``keys``)."""
    missing = set(want.columns) - set(actual.columns)
    assert not missing, f"mart lacks columns {missing}"
    got = actual.select(want.columns).sort(keys)
    want = want.sort(keys)
    assert got.height == want.height, f"rows: got {got.height}, want {want.height}\n{got}\n{want}"
    for column in want.columns:
        g, w = got[column].to_list(), want[column].to_list()
        for i, (a, b) in enumerate(zip(g, w, strict=True)):
            if isinstance(b, float) or isinstance(a, float):
                ok = (a is None and b is None) or (a is not None and b is not None and abs(float(a) - float(b)) <= tol)
            else:
                ok = (a == b) or (str(a) == str(b))
            assert ok, f"{column} row {i} ({got.row(i, named=True)}): got {a!r}, want {b!r}"
