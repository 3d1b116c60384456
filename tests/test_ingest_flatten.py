"""The ingest flattens in SQL (lat.flatten.sql_columns): every column equals lat.flatten.flatten's."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest

from lat import vocab
from lat.batches import _prepared_json
from lat.config import Settings
from lat.flatten import flatten, profile_override
from lat.ids import identity
from lat.ingest import Record, ingest_paths, ingest_records, prepare
from lat.store import connect

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "moodle-logstore-xapi"
ACCOUNT = {"homePage": "https://lms.example.org", "name": "t-1"}
ATTENDED = {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-US": "attended"}}

# Columns compared as they are (school and hub are left to lat.attribution, tested there).
PLAIN = ("actor_key", "verb", "object_id", "object_type", "activity_type", "parent_id", "score_raw", "score_scaled",
         "score_min", "score_max", "success", "completion", "response", "duration_s", "round", "area", "item",
         "respondent_group", "phase", "version")


def base(n: int, **extra: Any) -> dict[str, Any]:
    return {"actor": {"account": ACCOUNT}, "verb": ATTENDED,
            "object": {"id": f"https://hub.example.org/meetings/{n}"}, "timestamp": "2025-03-01T10:00:00Z", **extra}


EDGE_CASES = [
    base(1),  # no context, no result, objectType left out
    base(2, context={"contextActivities": {"parent": {"id": "https://hub.example.org/courses/1"}}}),  # single parent
    base(3, context={"contextActivities": {"parent": [], "grouping": [{"id": "https://hub.example.org/g"}]}}),
    base(4, context={"contextActivities": {"parent": [{"id": "https://hub.example.org/a"}, {"id": "https://hub.example.org/b"}]},
                     "registration": "6f1b0d6e-2c3a-4b5c-8d7e-9f0a1b2c3d4e", "extensions": {}}),
    base(5, object={"objectType": "Agent", "mbox": "mailto:Mentee@Example.org"}),
    base(6, object={"objectType": "StatementRef", "id": "6f1b0d6e-2c3a-4b5c-8d7e-9f0a1b2c3d4f"}),
    base(7, object={"objectType": "SubStatement", "actor": {"mbox": "mailto:a@example.org"}, "verb": ATTENDED,
                    "object": {"id": "https://hub.example.org/x", "definition": {"type": "http://adlnet.gov/expapi/activities/meeting"}}}),
    base(8, actor={"objectType": "Group", "member": [{"mbox": "mailto:B@example.org"}, {"account": ACCOUNT}]}),
    base(9, actor={"mbox": "mailto:Mixed.Case@Example.org", "name": "Zoë"}),
    base(10, actor={"mbox_sha1sum": "ABCDEF0123456789ABCDEF0123456789ABCDEF01"}),
    base(11, actor={"openid": "https://openid.example.org/u/1"}),
    base(12, result={"score": {"raw": 7, "min": 0, "max": 10, "scaled": 0.7}, "success": False, "completion": True,
                     "response": 'quote " backslash \\ newline \n ünïcödé', "duration": "PT1H30M",
                     "extensions": {"https://lat.example.org/x": [1, 2.5, None, True]}}),
    base(13, result={"score": {"raw": -1.25, "min": -2, "max": 3.5}, "duration": "P1DT0.5S", "extensions": {}}),
    base(14, result={"duration": "P2W"}, version="1.0.3"),
    base(15, context={"language": "pl", "extensions": {
        vocab.EXT_SCHOOL: "S001", vocab.EXT_HUB: "H1", vocab.EXT_ROUND: "2025-autumn", vocab.EXT_AREA: "A",
        vocab.EXT_ITEM: "A1", vocab.EXT_GROUP: "teacher", vocab.EXT_PHASE: "goal-setting"}}),
    # profile values that are not strings: the Python rule (str()) wins over JSON text
    base(16, context={"extensions": {vocab.EXT_ROUND: 2025, vocab.EXT_AREA: True, vocab.EXT_ITEM: 1.5,
                                     vocab.EXT_GROUP: {"a": [1, "b"]}, vocab.EXT_PHASE: None}}),
    base(17, id="6f1b0d6e-2c3a-4b5c-8d7e-9f0a1b2c3d40", version="2.0.0", timestamp="2025-03-01T10:00:00.123+02:00"),
    base(18, object={"id": "https://hub.example.org/lessons/1", "objectType": "Activity",
                     "definition": {"type": "http://adlnet.gov/expapi/activities/lesson", "name": {"en": "Lesson"}}}),
]


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LAT_HOME", str(tmp_path / "home"))
    return Settings(home=tmp_path / "home", ingest_workers=1)


def assert_rows_match_python_flatten(con: duckdb.DuckDBPyConnection, expected_rows: int) -> None:
    names = ", ".join(PLAIN)
    rows = con.execute(f"SELECT raw, id::VARCHAR, registration::VARCHAR, context_extensions, result_extensions, "
                       f"{names} FROM statements").fetchall()
    assert len(rows) == expected_rows
    for raw, sid, registration, cext, rext, *values in rows:
        stmt = orjson.loads(raw)
        want = flatten(stmt)
        assert sid == want["id"].lower()
        assert registration == (want["registration"].lower() if want["registration"] else None)
        assert (orjson.loads(cext) if cext else None) == want["context_extensions"]
        assert (orjson.loads(rext) if rext else None) == want["result_extensions"]
        for name, got in zip(PLAIN, values, strict=True):
            wanted = want[name]
            if name in ("score_raw", "score_scaled", "score_min", "score_max", "duration_s") and wanted is not None:
                assert math.isclose(got, float(wanted)), (name, stmt)
            else:
                assert got == wanted, (name, got, wanted, stmt)


def test_sql_flatten_equals_python_flatten_on_edge_cases(settings: Settings) -> None:
    with connect(settings) as con:
        summary = ingest_records(con, [Record("edge", None, s) for s in EDGE_CASES])
        assert summary.as_dict() == {"read": 18, "stored": 18, "duplicates": 0, "conflicts": 0, "rejected": 0, "voided": 0}
        assert_rows_match_python_flatten(con, 18)
        # and the values this test rests on, by hand
        got = dict(con.execute("SELECT object_id, parent_id FROM statements WHERE parent_id IS NOT NULL").fetchall())
        assert got == {"https://hub.example.org/meetings/2": "https://hub.example.org/courses/1",
                       "https://hub.example.org/meetings/4": "https://hub.example.org/a"}
        assert con.execute("SELECT round, area, item, respondent_group, phase FROM statements "
                           "WHERE object_id = 'https://hub.example.org/meetings/16'").fetchall() == [
            ("2025", "True", "1.5", "{'a': [1, 'b']}", None)]
        assert con.execute("SELECT count(*) FROM statements WHERE context_extensions IS NULL").fetchall() == [(16,)]  # all but 15 and 16


def test_sql_flatten_equals_python_flatten_on_the_moodle_corpus(settings: Settings) -> None:
    summary = ingest_paths([CORPUS], settings)
    assert summary.stored > 100
    with connect(settings, read_only=True) as con:
        assert_rows_match_python_flatten(con, summary.stored)


def test_profile_override_only_for_profile_values_that_are_not_strings() -> None:
    assert profile_override(base(1)) is None
    assert profile_override(base(1, context={"extensions": {vocab.EXT_SCHOOL: "S1", "https://x.example/n": 5}})) is None
    assert profile_override(base(1, context={"extensions": {vocab.EXT_SCHOOL: None}})) is None
    assert profile_override(base(1, context={"extensions": {vocab.EXT_HUB: 7, vocab.EXT_SCHOOL: "S1"}})) == [
        "S1", "7", None, None, None, None, None]


def test_a_timestamp_duckdb_cannot_read_is_rejected_with_its_line(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "basic.ndjson"
    # ISO 8601 basic format: valid xAPI 1.0.3, but not a date-time DuckDB reads
    path.write_bytes(orjson.dumps(base(1)) + b"\n\n" + orjson.dumps(base(2, timestamp="20250301T100000Z")) + b"\n")
    summary = ingest_paths([path], settings)
    assert (summary.read, summary.stored, summary.rejected) == (2, 1, 1)
    with connect(settings, read_only=True) as con:
        assert con.execute("SELECT line, element, reason FROM rejected").fetchall() == [
            (3, None, "line 3: timestamp '20250301T100000Z' is not an ISO 8601 date-time")]


def test_raw_of_an_id_less_statement_is_the_prepared_statement(settings: Settings) -> None:
    stored = "2025-06-01T12:30:00.000000Z"
    cases = [base(1), {k: v for k, v in base(2).items() if k != "timestamp"},
             base(3, version="1.0.3", stored="2020-01-01T00:00:00Z",
                  authority={"objectType": "Agent", "account": {"homePage": "https://lrs.example.org", "name": "a"}})]
    for stmt in cases:
        sid, canonical = identity(stmt)
        assert orjson.loads(_prepared_json(stmt, canonical, sid, stored)) == prepare(
            stmt, stored=datetime(2025, 6, 1, 12, 30, tzinfo=UTC))
