"""lat.store.rows, the one row rule: statements in, rows out, against rows written by hand (tests/fixtures/rows)."""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest

from lat.config import Settings
from lat.ingest.engine import Record, ingest_paths, ingest_records
from lat.store.database import connect
from lat.store.rows import NAMES, STATEMENT_COLUMNS, Columns, flatten, statement_values
from lat.xapi.ids import NAMESPACE, content_digest

CASES = json.loads((Path(__file__).parent / "fixtures" / "rows" / "cases.json").read_text(encoding="utf-8"))
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "moodle-logstore-xapi"
STORED = "2025-06-01T12:30:00.000000Z"
# columns the store keeps as they are in the row (id, registration, timestamp, extensions are typed there)
PLAIN = (
    "actor_key",
    "verb",
    "object_id",
    "object_type",
    "activity_type",
    "parent_id",
    "score_raw",
    "score_scaled",
    "score_min",
    "score_max",
    "success",
    "completion",
    "response",
    "duration_s",
    "round",
    "area",
    "item",
    "respondent_group",
    "phase",
    "version",
)


def expected_row(case: dict[str, Any]) -> dict[str, Any]:
    """The case's hand-written row over the usual values of the fixture's statements."""
    stmt = case["statement"]
    row: dict[str, Any] = dict.fromkeys(STATEMENT_COLUMNS)
    row |= {
        "timestamp": stmt.get("timestamp"),
        "actor_key": "mailto:a@example.org",
        "verb": "http://adlnet.gov/expapi/verbs/attended",
        "object_id": stmt["object"].get("id"),
        "object_type": "Activity",
        "version": "1.0.0",
    }
    row |= case["row"]
    members = "https://lms.example.org|t-1\nmailto:b@example.org"
    return {k: v.replace("STORED", STORED).replace("GROUPKEY", hashlib.sha1(members.encode()).hexdigest()) if isinstance(v, str) else v for k, v in row.items()}


def derived(stmt: dict[str, Any]) -> str:
    """uuid5 of the statement's canonical JSON, by the standard library (not lat.xapi.ids)."""
    content = {k: v for k, v in stmt.items() if k not in ("id", "stored", "authority", "version")}
    return str(uuid.uuid5(NAMESPACE, json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_a_statement_gives_the_row_written_by_hand(case: dict[str, Any]) -> None:
    stmt = case["statement"]
    before = json.dumps(stmt, sort_keys=True)
    got = dict(zip(STATEMENT_COLUMNS, statement_values(stmt, STORED), strict=True))
    assert json.dumps(stmt, sort_keys=True) == before  # the statement is not changed
    sid = stmt.get("id") or derived(stmt)
    want = expected_row(case) | {"id": sid, "digest": content_digest(stmt) if "id" in stmt else None}
    raw = got.pop("raw")
    want.pop("raw")
    assert got == want
    if "raw" in case:
        assert raw.decode() == case["raw"].replace("ID", sid).replace("STORED", STORED)
    stored_form = {**stmt, "id": sid, "stored": STORED, "timestamp": stmt.get("timestamp", STORED), "version": stmt.get("version", "1.0.0")}
    assert orjson.loads(raw) == stored_form


def test_flatten_is_the_row_of_a_stored_statement() -> None:
    stmt = {**CASES[6]["statement"], "id": "6f1b0d6e-2c3a-4b5c-8d7e-9f0a1b2c3d41", "stored": STORED, "version": "1.0.0"}
    flat = flatten(stmt)
    assert flat["stored"] == STORED and "void_target" not in flat
    assert flat["duration_s"] == 5400.0 and flat["result_extensions"] == CASES[6]["row"]["result_extensions"]
    assert orjson.loads(flat["raw"]) == stmt


def test_columns_make_a_table_of_the_row_schema() -> None:
    columns = Columns()
    for seq, case in enumerate(CASES):
        columns.append(seq, "fixture", seq + 1, None, statement_values(case["statement"], STORED))
    table = columns.table()
    assert table.column_names == list(NAMES) and table.num_rows == len(CASES)
    assert table.column("line").to_pylist() == list(range(1, len(CASES) + 1))
    assert str(table.column("raw").type) == "extension<arrow.json>"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LAT_HOME", str(tmp_path / "home"))
    return Settings(home=tmp_path / "home", ingest_workers=1)


def assert_store_holds_the_rows(settings: Settings, expected_rows: int) -> None:
    """Every stored row equals lat.store.rows' row of its raw statement, in the store's types."""
    names = ", ".join(PLAIN)
    with connect(settings, read_only=True) as con:
        rows = con.execute(
            f"SELECT raw, id::VARCHAR, registration::VARCHAR, context_extensions, result_extensions, school, hub, {names} FROM statements"
        ).fetchall()
    assert len(rows) == expected_rows
    for raw, sid, registration, cext, rext, school, hub, *values in rows:
        stmt = orjson.loads(raw)
        want = dict(zip(STATEMENT_COLUMNS, statement_values(stmt, stmt["stored"]), strict=True))
        assert sid == want["id"].lower()
        assert registration == (want["registration"].lower() if want["registration"] else None)
        assert (orjson.loads(cext) if cext else None) == (orjson.loads(want["context_extensions"]) if want["context_extensions"] else None)
        assert (orjson.loads(rext) if rext else None) == (orjson.loads(want["result_extensions"]) if want["result_extensions"] else None)
        assert (school, hub) == (want["school"], want["hub"])  # no registry: the extensions only
        for name, value in zip(PLAIN, values, strict=True):
            if isinstance(value, float):
                assert math.isclose(value, want[name]), (name, stmt)
            else:
                assert value == want[name], (name, value, want[name], stmt)


def test_the_store_keeps_the_rows_of_the_fixture(settings: Settings) -> None:
    with connect(settings) as con:
        summary = ingest_records(con, [Record("fixture", None, case["statement"]) for case in CASES])
    assert summary.as_dict() == {"read": 12, "stored": 12, "duplicates": 0, "conflicts": 0, "rejected": 0, "voided": 0}
    assert_store_holds_the_rows(settings, 12)


def test_the_store_keeps_the_rows_of_the_moodle_corpus(settings: Settings) -> None:
    summary = ingest_paths([CORPUS], settings)
    assert summary.stored > 100
    assert_store_holds_the_rows(settings, summary.stored)


def test_a_timestamp_duckdb_cannot_read_is_rejected_with_its_line(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "basic.ndjson"
    good = CASES[0]["statement"]
    # ISO 8601 basic format: valid xAPI 1.0.3, but not a date-time DuckDB reads
    path.write_bytes(orjson.dumps(good) + b"\n\n" + orjson.dumps({**good, "timestamp": "20250301T100000Z"}) + b"\n")
    summary = ingest_paths([path], settings)
    assert (summary.read, summary.stored, summary.rejected) == (2, 1, 1)
    with connect(settings, read_only=True) as con:
        assert con.execute("SELECT line, element, reason FROM rejected").fetchall() == [
            (3, None, "line 3: timestamp '20250301T100000Z' is not an ISO 8601 date-time")
        ]
