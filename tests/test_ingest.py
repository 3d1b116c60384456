"""The ingest engine: formats, rejections, ids, duplicates and conflicts, voiding, batches."""

from __future__ import annotations

import copy
import gzip
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest

from lat.config import Settings
from lat.errors import LatError
from lat.ingest import readers
from lat.ingest.engine import IngestSummary, Record, ingest_paths, ingest_records, prepare
from lat.store.database import connect
from lat.xapi.ids import derived_id

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "moodle-logstore-xapi"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def statement(n: int, **extra: Any) -> dict[str, Any]:
    """A statement that is valid beyond doubt (meeting n attended by a pseudonymous mentor)."""
    return {
        "actor": {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "mentor-1"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-US": "attended"}},
        "object": {
            "objectType": "Activity",
            "id": f"https://hub.example.org/meetings/{n}",
            "definition": {"type": "http://adlnet.gov/expapi/activities/meeting"},
        },
        "timestamp": f"2025-03-{n % 28 + 1:02d}T10:00:00Z",
        **extra,
    }


def voiding(target: str, n: int = 0) -> dict[str, Any]:
    return {
        "id": str(uuid.UUID(int=0xABC0 + n, version=4)),
        "actor": {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "admin"}},
        "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": target},
    }


def uid(n: int) -> str:
    return str(uuid.UUID(int=n, version=4))


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LAT_HOME", str(tmp_path / "home"))
    return Settings(home=tmp_path / "home", ingest_workers=1)


@pytest.fixture
def con(settings: Settings) -> duckdb.DuckDBPyConnection:
    connection = connect(settings)
    yield connection
    connection.close()


def records(*stmts: dict[str, Any], source: str = "test") -> list[Record]:
    return [Record(source, None, s) for s in stmts]


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    return con.execute(sql, params or []).fetchall()


# --- real input -------------------------------------------------------------------------------


def test_the_moodle_corpus_is_stored_or_rejected_and_repeats_count_as_duplicates(settings: Settings) -> None:
    skipped: list[str] = []
    summary = ingest_paths([CORPUS], settings, on_skip=lambda p, why: skipped.append(p.name))
    assert skipped == ["README.md"]
    assert (summary.read, summary.duplicates) == (190, 21)
    assert summary.stored + summary.rejected == 169
    with connect(settings, read_only=True) as con:
        assert rows(con, "SELECT count(*), count(DISTINCT id) FROM statements") == [(summary.stored, summary.stored)]
        for reason, line in rows(con, "SELECT reason, line FROM rejected"):
            assert line is not None and reason.startswith("element ")  # every rejection says where and why
    again = ingest_paths([CORPUS], settings)
    assert again.as_dict() == {"read": 190, "stored": 0, "duplicates": 190 - summary.rejected, "conflicts": 0, "rejected": summary.rejected, "voided": 0}


# --- formats and rejections -------------------------------------------------------------------


def test_bad_records_are_rejected_with_file_line_and_reason_and_good_ones_stored(settings: Settings) -> None:
    summary = ingest_paths([FIXTURES], settings)
    assert summary.as_dict() == {"read": 9, "stored": 6, "duplicates": 0, "conflicts": 0, "rejected": 3, "voided": 0}
    with connect(settings, read_only=True) as con:
        rejected = rows(con, "SELECT source, line, element, reason, raw FROM rejected ORDER BY source, line")
        stored = rows(con, "SELECT object_id FROM statements ORDER BY object_id")
    meetings, observations = str(FIXTURES / "meetings.ndjson"), str(FIXTURES / "observations.json")
    assert [(r[0], r[1], r[2]) for r in rejected] == [(meetings, 3, None), (meetings, 4, None), (observations, 10, 1)]
    assert rejected[0][3].startswith("line 3: not JSON: ") and "column 47" in rejected[0][3]
    assert rejected[0][4] == '{"actor": {"objectType": "Agent", "account": {oops'
    assert rejected[1][3].startswith("line 4: timestamp: 'yesterday'")
    assert rejected[2][3].startswith("element 1 (line 10): verb")
    assert [s[0] for s in stored] == [
        "https://hub.example.org/goals/42",
        "https://hub.example.org/lessons/17",
        "https://hub.example.org/lessons/19",
        "https://hub.example.org/meetings/1",
        "https://hub.example.org/meetings/2",
        "https://hub.example.org/meetings/4",
    ]


def test_gzip_and_jsonl_files_and_a_note_for_other_files(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "deeper").mkdir(parents=True)
    (folder / "a.json.gz").write_bytes(gzip.compress(orjson.dumps([statement(1), statement(2)])))
    (folder / "deeper" / "b.jsonl.gz").write_bytes(gzip.compress(orjson.dumps(statement(3)) + b"\n"))
    (folder / "deeper" / "c.jsonl").write_bytes(orjson.dumps(statement(4)) + b"\n")
    (folder / "notes.csv").write_text("x\n")
    notes: list[tuple[str, str]] = []
    summary = ingest_paths([folder], settings, on_skip=lambda p, why: notes.append((p.name, why)))
    assert (summary.read, summary.stored) == (4, 4)
    assert notes == [("notes.csv", "not a .json, .ndjson, .jsonl or .gz file")]


def test_a_missing_path_or_an_unsupported_file_is_an_error(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(LatError, match="no such file or directory"):
        ingest_paths([tmp_path / "missing.ndjson"], settings)
    (tmp_path / "data.csv").write_text("a,b\n")
    with pytest.raises(LatError, match="unsupported file type"):
        ingest_paths([tmp_path / "data.csv"], settings)


def test_a_json_array_streams_across_chunk_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tricky = [statement(1, result={"response": 'quote " bracket ] brace } comma , backslash \\'}), [1, {"a": "]"}], "x"]
    path = tmp_path / "tricky.json"
    path.write_bytes(orjson.dumps(tricky, option=orjson.OPT_INDENT_2))
    monkeypatch.setattr(readers, "CHUNK", 5)  # every token straddles a chunk boundary somewhere
    items = list(readers.read_items(path))
    assert [orjson.loads(i.raw) for i in items] == tricky
    starts = [n for n, text in enumerate(path.read_text().splitlines(), start=1) if text in ("  {", "  [", '  "x"')]
    assert [(i.index, i.line) for i in items] == [(0, starts[0]), (1, starts[1]), (2, starts[2])]
    assert starts[0] == 2 and len(starts) == 3


def test_a_truncated_array_keeps_its_complete_elements(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_bytes(b"[" + orjson.dumps(statement(1)) + b",\n" + orjson.dumps(statement(2))[:40])
    summary = ingest_paths([path], settings)
    assert (summary.stored, summary.rejected) == (1, 1)
    with connect(settings, read_only=True) as con:
        assert rows(con, "SELECT line, element, reason FROM rejected") == [(2, 1, "element 1 (line 2): not JSON: the file ends inside the array")]


def test_records_that_are_not_statement_objects_are_rejected(con: duckdb.DuckDBPyConnection) -> None:
    summary = ingest_records(con, [Record("lrs", 1, b"[1, 2]"), Record("lrs", 2, '"text"'), Record("lrs", 3, b"\xff")])
    assert summary.rejected == 3
    reasons = [r[0] for r in rows(con, "SELECT reason FROM rejected ORDER BY line")]
    assert reasons[0] == "line 1: not a statement: expected a JSON object, got an array"
    assert reasons[1] == "line 2: not a statement: expected a JSON object, got a string"
    assert reasons[2].startswith("line 3: not JSON: ")


# --- ids, stored, timestamp, version -------------------------------------------------------------


def test_prepare_sets_id_stored_timestamp_and_version() -> None:
    moment = datetime(2025, 6, 1, 12, 30, tzinfo=UTC)
    bare = statement(1)
    del bare["timestamp"]
    out = prepare(bare, stored=moment)
    assert out["id"] == derived_id(bare) == str(uuid.UUID(out["id"]))
    assert out["stored"] == out["timestamp"] == "2025-06-01T12:30:00.000000Z"
    assert out["version"] == "1.0.0"
    assert "id" not in bare  # the input is left alone
    kept = prepare(statement(1, id=uid(5), version="2.0.0"), stored=moment)
    assert (kept["id"], kept["version"], kept["timestamp"]) == (uid(5), "2.0.0", "2025-03-02T10:00:00Z")


def test_the_store_keeps_the_raw_statement_with_what_the_ingest_set(con: duckdb.DuckDBPyConnection) -> None:
    bare = statement(1)
    del bare["timestamp"]
    ingest_records(con, records(bare))
    ((raw, stored, timestamp, version, sid),) = rows(con, 'SELECT raw, stored, "timestamp", version, id::VARCHAR FROM statements')
    kept = orjson.loads(raw)
    assert kept == {**bare, "id": sid, "stored": kept["stored"], "timestamp": kept["stored"], "version": "1.0.0"}
    assert sid == derived_id(bare)
    assert stored == timestamp and stored.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - stored).total_seconds()) < 60
    assert version == "1.0.0"


def test_id_less_statements_are_idempotent_and_differ_when_their_content_differs(con: duckdb.DuckDBPyConnection) -> None:
    first = ingest_records(con, records(statement(1), statement(2), statement(1)))
    assert (first.stored, first.duplicates) == (2, 1)  # a repeat within one batch
    second = ingest_records(con, records(statement(1), statement(2)))
    assert (second.stored, second.duplicates) == (0, 2)  # and across runs
    renamed = statement(1)
    renamed["verb"]["display"] = {"en-US": "took part in"}
    third = ingest_records(con, records(renamed))  # not the same record: another id
    assert third.stored == 1
    assert rows(con, "SELECT count(*) FROM statements") == [(3,)]


# --- duplicates and conflicts (xAPI statement comparison) ----------------------------------------


def test_same_id_and_equivalent_content_is_a_duplicate(con: duckdb.DuckDBPyConnection) -> None:
    original = statement(1, id=uid(1))
    # Differences the xAPI comparison rules ignore: display, activity definitions, timestamp,
    # stored, authority, version, id case, group member order.
    same = copy.deepcopy(original)
    same["id"] = uid(1).upper()
    same["verb"]["display"] = {"fr-FR": "a assisté"}
    same["object"]["definition"] = {"name": {"en-US": "Anchoring meeting"}}
    same.update(
        timestamp="2025-03-02T12:00:00+02:00",
        version="1.0.3",
        stored="2020-01-01T00:00:00Z",
        authority={"objectType": "Agent", "mbox": "mailto:lrs@example.org"},
    )
    summary = ingest_records(con, records(original, same), batch_size=1)
    assert (summary.stored, summary.duplicates, summary.conflicts) == (1, 1, 0)
    group = {"objectType": "Group", "member": [{"mbox": "mailto:a@x.org"}, {"mbox": "mailto:B@x.org"}]}
    reordered = {"objectType": "Group", "member": [{"mbox": "mailto:b@x.org"}, {"mbox": "mailto:a@x.org"}]}
    in_one_batch = ingest_records(con, records(statement(2, id=uid(2), actor=group), statement(2, id=uid(2), actor=reordered)))
    assert (in_one_batch.stored, in_one_batch.duplicates) == (1, 1)


def test_same_id_and_other_content_keeps_the_first_and_records_a_conflict(con: duckdb.DuckDBPyConnection) -> None:
    first = statement(1, id=uid(1))
    other = statement(1, id=uid(1), result={"success": True})
    third = statement(1, id=uid(1), result={"success": False})
    summary = ingest_records(con, [Record("a.ndjson", 1, first), Record("b.ndjson", 7, other)], batch_size=1)
    assert (summary.stored, summary.conflicts) == (1, 1)
    in_batch = ingest_records(con, records(statement(2, id=uid(2)), statement(3, id=uid(2))))  # within one batch
    assert (in_batch.stored, in_batch.conflicts) == (1, 1)
    ingest_records(con, records(third))
    assert rows(con, "SELECT raw->>'$.result' FROM statements WHERE id = ?", [uid(1)]) == [(None,)]
    conflicts = rows(con, "SELECT id::VARCHAR, source, line, raw->>'$.result.success' FROM conflicts ORDER BY recorded_at, raw->>'$.result.success' DESC")
    assert conflicts == [(uid(1), "b.ndjson", 7, "true"), (uid(2), "test", None, None), (uid(1), "test", None, "false")]


def test_a_given_id_that_equals_a_derived_id_is_compared_by_content(con: duckdb.DuckDBPyConnection) -> None:
    bare = statement(1)
    ingest_records(con, records(bare))
    same = {**bare, "id": derived_id(bare), "verb": {**bare["verb"], "display": {"de-DE": "besuchte"}}}
    differing = {**bare, "id": derived_id(bare), "result": {"completion": True}}
    summary = ingest_records(con, records(same, differing), batch_size=1)
    assert (summary.duplicates, summary.conflicts, summary.stored) == (1, 1, 0)


# --- voiding --------------------------------------------------------------------------------------


def test_voiding_marks_its_target_in_either_order(con: duckdb.DuckDBPyConnection) -> None:
    before = ingest_records(con, records(statement(1, id=uid(1)), voiding(uid(1), 1)), batch_size=1)
    assert before.voided == 1
    after = ingest_records(con, records(voiding(uid(2), 2)))  # target not yet there
    assert after.voided == 0
    arrives = ingest_records(con, records(statement(2, id=uid(2))))
    assert (arrives.stored, arrives.voided) == (1, 1)
    same_batch = ingest_records(con, records(voiding(uid(3), 3), statement(3, id=uid(3))))
    assert same_batch.voided == 1
    assert rows(con, "SELECT id::VARCHAR, voided FROM statements WHERE verb <> ? ORDER BY id", [VOIDED]) == [(uid(1), True), (uid(2), True), (uid(3), True)]
    assert rows(con, "SELECT count(*), bool_or(voided) FROM statements WHERE verb = ?", [VOIDED]) == [(3, False)]


def test_a_voiding_statement_cannot_void_a_voiding_statement(con: duckdb.DuckDBPyConnection) -> None:
    first = voiding(uid(1), 1)
    ingest_records(con, records(statement(1, id=uid(1)), first))
    summary = ingest_records(
        con,
        records(voiding(first["id"], 2), voiding(uid(9), 3), voiding(uid(9), 4) | {"object": {"objectType": "StatementRef", "id": voiding(uid(9), 3)["id"]}}),
    )
    assert (summary.stored, summary.rejected) == (1, 2)
    reasons = sorted(r[0] for r in rows(con, "SELECT reason FROM rejected"))
    assert reasons == [
        f"voiding statement targets {first['id']}, which is itself a voiding statement (xAPI forbids voiding a voiding statement)",
        f"voiding statement targets {voiding(uid(9), 3)['id']}, which is itself a voiding statement (xAPI forbids voiding a voiding statement)",
    ]
    assert rows(con, "SELECT voided FROM statements WHERE id = ?", [first["id"]]) == [(False,)]


# --- batches, builders, summary -------------------------------------------------------------------


def test_summaries_add_up(con: duckdb.DuckDBPyConnection) -> None:
    a = IngestSummary(read=3, stored=2, duplicates=1)
    b = IngestSummary(read=1, rejected=1, voided=4)
    assert (a + b).as_dict() == {"read": 4, "stored": 2, "duplicates": 1, "conflicts": 0, "rejected": 1, "voided": 4}


def test_builder_threads_give_the_same_result(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "many.ndjson"
    lines = [orjson.dumps(statement(n)) for n in range(30)] + [b"broken", orjson.dumps(statement(3))]
    path.write_bytes(b"\n".join(lines))
    parallel = settings.model_copy(update={"ingest_workers": 2, "ingest_batch_size": 7})
    summary = ingest_paths([path], parallel)
    assert summary.as_dict() == {"read": 32, "stored": 30, "duplicates": 1, "conflicts": 0, "rejected": 1, "voided": 0}
    with connect(parallel, read_only=True) as con:
        assert rows(con, "SELECT line, reason FROM rejected") == [(31, "line 31: not JSON: unexpected character, expected a JSON value at column 1")]


def test_lat_ingest_prints_a_summary_and_rejections(settings: Settings, tmp_path: Path) -> None:
    lat = Path(sys.executable).with_name("lat")
    env = {"LAT_HOME": str(settings.home), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([str(lat), "ingest", str(FIXTURES)], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "read 9, stored 6, duplicates 0, conflicts 0, rejected 3, voided 0"
    assert f"skipped {FIXTURES / 'README.txt'}" in done.stderr
    assert f"{FIXTURES / 'meetings.ndjson'}: line 4: timestamp" in done.stderr
    missing = subprocess.run([str(lat), "ingest", str(tmp_path / "nope.json")], env=env, capture_output=True, text=True, check=False)
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"Error: {tmp_path / 'nope.json'}: no such file or directory"
    assert "Traceback" not in missing.stderr
