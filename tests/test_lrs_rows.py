"""The LRS writer (lat.lrs.committer through lat.store.writer, lat.store.known) on a real DuckDB store, in-process."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from lat.config import get_settings
from lat.ingest.engine import Record, ingest_records
from lat.lrs.committer import Writer, _Job
from lat.lrs.errors import ApiError
from lat.store import attribution
from lat.store import database as store
from lat.store import known as known_module
from lat.store.known import IdFilter, prefix
from lat.xapi import vocab
from tests.lrs_support import statement

AUTHORITY = {"objectType": "Agent", "name": "moodle", "account": {"homePage": "http://127.0.0.1:1", "name": "k"}}


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = store.connect(get_settings(home=tmp_path))
    yield connection
    connection.close()


@pytest.fixture
def writer(con: duckdb.DuckDBPyConnection) -> Iterator[Writer]:
    running = Writer(con.cursor())
    yield running
    running.stop()


def lrs_form(stmt: dict[str, Any]) -> dict[str, Any]:
    """A statement as lat.lrs.statements hands it to the writer: id, authority and version set."""
    return {"id": str(uuid.uuid4()), **stmt, "authority": AUTHORITY, "version": stmt.get("version", "1.0.0")}


def column(con: duckdb.DuckDBPyConnection, name: str, sid: str) -> Any:
    return con.execute(f"SELECT {name} FROM statements WHERE id = CAST(? AS UUID)", [sid]).fetchall()[0][0]


def test_id_prefix_is_the_one_duckdb_computes_for_high_and_low_uuids() -> None:
    check = duckdb.connect()
    for sid in (
        "f0f9a026-a909-429a-8324-98a6ad54cd30",
        "0000a026-a909-429a-8324-98a6ad54cd30",
        "8000000000000000-0000-0000-0000-000000000000"[:8] + "-0000-4000-8000-000000000000",
    ):
        expected = check.execute("SELECT (CAST(? AS UUID)::UHUGEINT >> 64)::UBIGINT", [sid]).fetchall()[0][0]
        assert prefix(sid) == expected
        assert prefix(sid.upper()) == expected


def test_id_filter_names_stored_ids_and_clears_unknown_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    stored = [str(uuid.uuid4()) for _ in range(5)]
    unknown = [str(uuid.uuid4()) for _ in range(5)]
    ids = IdFilter(np.array([prefix(s) for s in stored], dtype=np.uint64))
    assert ids.maybe(stored + unknown) == stored
    assert IdFilter(np.array([], dtype=np.uint64)).maybe(unknown) == []
    monkeypatch.setattr(known_module, "MERGE_AT", 3)  # the third addition merges into the sorted array
    ids.add_keys(np.array([prefix(s) for s in unknown[:2]], dtype=np.uint64))
    assert ids.maybe(unknown) == unknown[:2]
    ids.add_keys(np.array([prefix(unknown[2])], dtype=np.uint64))
    assert ids.maybe(unknown) == unknown[:3]
    assert ids.maybe(stored) == stored


def test_id_filter_buckets_only_narrow_the_search() -> None:
    """A key in the bucket of a stored key (same top bits) is still told apart exactly."""
    stored = np.array([0x0123456789ABCDEF, 0xFEDCBA9876543210], dtype=np.uint64)
    ids = IdFilter(stored)
    neighbours = stored + np.uint64(1)  # same bucket, not stored
    far = stored ^ np.uint64(1 << 63)  # another bucket
    assert ids.maybe_keys(np.concatenate([stored, neighbours, far])).tolist() == [True, True] + [False] * 4
    ids.add_keys(neighbours[:1])
    assert ids.maybe_keys(neighbours).tolist() == [True, False]


def test_the_lrs_stores_the_same_row_as_file_ingest(tmp_path: Path, con: duckdb.DuckDBPyConnection, writer: Writer) -> None:
    rich = lrs_form(
        {
            **statement(1),
            "timestamp": "2025-03-04T05:06:07.250Z",
            "result": {
                "score": {"raw": 3, "min": 0, "max": 5},
                "success": True,
                "duration": "PT1H30M",
                "response": "yes",
                "extensions": {"http://example.org/x": [1, 2]},
            },
            "context": {
                "registration": str(uuid.uuid4()),
                "contextActivities": {"parent": [{"id": "http://hub.example.org/surveys/1"}]},
                "extensions": {vocab.EXT_SCHOOL: "ee-s01001", vocab.EXT_ROUND: 2, vocab.EXT_AREA: "A"},
            },
        }
    )
    writer.submit([rich], [], "lrs:moodle")
    other = store.connect(get_settings(home=tmp_path / "ingest"))
    ingest_records(other, [Record("lrs:moodle", None, rich)])
    names = [r[0] for r in con.execute("DESCRIBE statements").fetchall() if r[0] not in ("stored", "raw")]
    ours = con.execute(f"SELECT {', '.join(names)}, raw->>'$.stored' = strftime(stored, '%Y-%m-%dT%H:%M:%S.%fZ'), json_keys(raw) FROM statements").fetchall()
    theirs = other.execute(f"SELECT {', '.join(names)}, true, json_keys(raw) FROM statements").fetchall()
    other.close()
    assert ours == theirs
    assert ours[0][names.index("school")] == "ee-s01001" and ours[0][names.index("round")] == "2"
    assert ours[0][names.index("duration_s")] == 5400.0


def test_registry_attribution_matches_lat_attribution(con: duckdb.DuckDBPyConnection, writer: Writer) -> None:
    con.execute(
        "INSERT INTO schools (school_id, name, country, hub, level, teachers, students) VALUES "
        "('ee-s1', 'One', 'EE', 'ee-hub', 'secondary', 10, 100), ('ee-s2', 'Two', 'EE', 'ee-hub2', 'primary', 5, 50)"
    )
    con.execute("INSERT INTO people VALUES ('p1', 'ee-s1', 'teacher', 'mailto:teacher1@school.example.org')")
    writer.call(lambda _: None)  # a job between groups: the writer reads the registry again
    mapped = lrs_form(statement(1))  # teacher1: the registry's school and its hub
    unmapped = lrs_form(statement(2))  # teacher2: nowhere
    extension = lrs_form({**statement(8), "context": {"extensions": {vocab.EXT_SCHOOL: "ee-s2", vocab.EXT_HUB: "x"}}})
    hub_only = lrs_form({**statement(9), "context": {"extensions": {vocab.EXT_HUB: "lt-hub"}}})  # teacher2
    writer.submit([mapped, unmapped, extension, hub_only], [], "lrs")
    got = {sid: (column(con, "school", sid), column(con, "hub", sid)) for sid in (mapped["id"], unmapped["id"], extension["id"], hub_only["id"])}
    assert got == {mapped["id"]: ("ee-s1", "ee-hub"), unmapped["id"]: (None, None), extension["id"]: ("ee-s2", "ee-hub2"), hub_only["id"]: (None, "lt-hub")}
    assert attribution.apply(con) == 0  # the SQL rule finds nothing to change


def test_voiding_works_in_either_order(con: duckdb.DuckDBPyConnection, writer: Writer) -> None:
    first, later = lrs_form(statement(1)), lrs_form(statement(2))
    writer.submit([first], [], "lrs")

    def voiding(target: str) -> dict[str, Any]:
        return lrs_form({"actor": statement(0)["actor"], "verb": {"id": vocab.VOIDED}, "object": {"objectType": "StatementRef", "id": target}})

    writer.submit([voiding(first["id"]), voiding(later["id"])], [], "lrs")
    writer.submit([later], [], "lrs")  # voided by a statement stored before it
    assert column(con, "voided", first["id"]) is True
    assert column(con, "voided", later["id"]) is True
    assert con.execute("SELECT count(*) FROM statements WHERE voided").fetchall()[0][0] == 2


def test_a_retry_is_stored_once_and_other_content_under_the_same_id_gets_409(con: duckdb.DuckDBPyConnection, writer: Writer) -> None:
    stmt = lrs_form(statement(1))
    writer.submit([stmt], [], "lrs")
    writer.submit([stmt], [], "lrs")
    with pytest.raises(ApiError) as refused:
        writer.submit([{**stmt, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}}], [], "lrs")
    assert refused.value.status == 409
    assert con.execute("SELECT count(*) FROM statements").fetchall()[0][0] == 1


def test_ids_stored_by_a_delegated_job_are_known_to_the_writer(con: duckdb.DuckDBPyConnection, writer: Writer) -> None:
    stmt = lrs_form(statement(1))
    writer.submit([lrs_form(statement(2))], [], "lrs")  # the writer has loaded what it knows
    writer.call(lambda c: ingest_records(c, [Record("file", 1, stmt)]))  # stored by file ingest's path
    with pytest.raises(ApiError) as refused:
        writer.submit([{**stmt, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}}], [], "lrs")
    assert refused.value.status == 409


def test_a_timestamp_duckdb_cannot_read_fails_only_its_own_request(con: duckdb.DuckDBPyConnection) -> None:
    writer = Writer(con.cursor())
    try:
        leap = lrs_form({**statement(1), "timestamp": "2016-12-31T23:59:60Z"})  # valid ISO 8601, not a DuckDB time
        good = lrs_form(statement(2))
        bad_job, good_job = _Job(statements=[leap], source="lrs"), _Job(statements=[good], source="lrs")
        writer.call(lambda _: None)  # the writer thread is idle from here on: this thread may use its cursor
        writer._write_group([bad_job, good_job])  # as one group, the way concurrent requests arrive
        assert isinstance(bad_job.error, ApiError) and bad_job.error.status == 400
        assert "2016-12-31T23:59:60Z" in bad_job.error.message
        assert good_job.error is None
        assert con.execute("SELECT id::VARCHAR FROM statements").fetchall() == [(good["id"],)]
    finally:
        writer.stop()
