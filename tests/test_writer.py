"""lat.store.writer, the one store writer: screening, attribution in the insert, what it remembers, both policies."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import orjson
import pyarrow as pa
import pytest

from lat.config import get_settings
from lat.ingest.batches import build
from lat.ingest.readers import LineBlock
from lat.registry import organisation as registry
from lat.store import attribution, writer
from lat.store import database as store
from lat.store.batch import Batch, combine
from lat.store.known import Known
from lat.xapi import vocab

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "registry"
STORED = "2025-06-01T12:30:00.000000Z"
MARI = {"mbox": "mailto:mari.tamm@kool.ee"}  # tests/fixtures/registry/good: p-lead-1 of ee-s1
STRANGER = {"mbox": "mailto:someone@else.org"}  # not in the registry


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = store.connect(get_settings(home=tmp_path))
    yield connection
    connection.close()


def stmt(n: int, actor: dict[str, Any] = STRANGER, sid: str | None = None, **extensions: str) -> dict[str, Any]:
    out: dict[str, Any] = {"actor": actor, "verb": {"id": vocab.ATTENDED}, "object": {"id": f"https://example.org/m/{n}"}, "timestamp": "2025-10-01T10:00:00Z"}
    if sid:
        out["id"] = sid
    if extensions:
        out["context"] = {"extensions": {getattr(vocab, name): value for name, value in extensions.items()}}
    return out


def batch(*statements: dict[str, Any], stored: str = STORED) -> Batch:
    return build([("test", n + 1, None, s, None) for n, s in enumerate(statements)], stored)


def count(con: duckdb.DuckDBPyConnection, sql: str = "SELECT count(*) FROM statements") -> Any:
    return con.execute(sql).fetchall()[0][0]


def test_attribution_happens_in_the_insert_and_lat_attribution_finds_nothing_to_change(con: duckdb.DuckDBPyConnection) -> None:
    registry.import_dir(con, FIXTURES / "good")
    mapped, stranger, extension, hub_only = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    done = writer.write(
        con,
        batch(
            stmt(1, MARI, mapped),
            stmt(2, STRANGER, stranger),
            stmt(3, MARI, extension, EXT_SCHOOL="ee-s2", EXT_HUB="x"),
            stmt(4, STRANGER, hub_only, EXT_HUB="lt-hub"),
        ),
        Known(),
    )
    assert done.stored == 4
    got = dict(con.execute("SELECT id::VARCHAR, [school, hub] FROM statements").fetchall())
    hub_of = dict(con.execute("SELECT school_id, hub FROM schools").fetchall())
    assert got == {mapped: ["ee-s1", hub_of["ee-s1"]], stranger: [None, None], extension: ["ee-s2", hub_of["ee-s2"]], hub_only: [None, "lt-hub"]}
    assert attribution.apply(con) == 0


def test_the_first_seq_of_an_id_wins_whatever_the_order_of_the_rows(con: duckdb.DuckDBPyConnection) -> None:
    sid = str(uuid.uuid4())
    built = batch(stmt(1, sid=sid), stmt(2, sid=sid), stmt(1, sid=sid.upper()))
    reversed_rows = Batch(built.statements.take(pa.array([2, 1, 0])), built.rejects, built.read, built.stored)
    done = writer.write(con, reversed_rows, Known())
    assert (done.stored, done.conflicts, done.duplicates) == (1, 1, 1)
    assert count(con, "SELECT object_id FROM statements") == "https://example.org/m/1"
    assert count(con, "SELECT line FROM conflicts") == 2


def test_known_learns_what_was_committed_and_forgets_on_rollback(con: duckdb.DuckDBPyConnection) -> None:
    known = Known()
    first = str(uuid.uuid4())
    writer.write(con, batch(stmt(1, sid=first)), known)
    assert known.ids(con).maybe([first, str(uuid.uuid4())]) == [first]

    def fail(_: duckdb.DuckDBPyConnection, __: set[int]) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        writer.write(con, batch(stmt(2)), known, requests=np.array([0]), also=fail)
    assert count(con) == 1  # nothing of the failed batch
    assert known._ids is None  # forgotten: it reloads from the store


def test_lrs_policy_refuses_a_request_whole_and_a_later_one_with_the_same_id_is_judged_without_it(con: duckdb.DuckDBPyConnection) -> None:
    held, shared = str(uuid.uuid4()), str(uuid.uuid4())
    writer.write(con, batch(stmt(1, sid=held)), Known())
    # request 0: a new statement, then other content under a held id (409); request 1: the
    # first one's id with other content: once request 0 is refused, it is simply new
    group = batch(stmt(2, sid=shared), stmt(3, sid=held), stmt(4, sid=shared), stored="2025-06-01T12:31:00.000000Z")
    done = writer.write(con, group, Known(), requests=np.array([0, 0, 1]))
    assert set(done.refused) == {0} and done.refused[0].conflict
    assert done.refused[0].message == f"statement {held} already exists with other content"
    assert done.committed and done.stored == 1
    assert count(con, f"SELECT object_id FROM statements WHERE id = '{shared}'") == "https://example.org/m/4"
    assert count(con, "SELECT count(*) FROM conflicts") == 0  # the LRS answered 409: nothing recorded


def test_file_policy_records_each_problem_and_stores_the_rest(con: duckdb.DuckDBPyConnection) -> None:
    held = str(uuid.uuid4())
    writer.write(con, batch(stmt(1, sid=held)), Known())
    voids = {"actor": STRANGER, "verb": {"id": vocab.VOIDED}, "object": {"objectType": "StatementRef", "id": held}}
    chained = {**voids, "object": {"objectType": "StatementRef", "id": "00000000-0000-4000-8000-000000000001"}, "id": str(uuid.uuid4())}
    voiding_one = {**voids, "id": "00000000-0000-4000-8000-000000000001"}
    done = writer.write(
        con, batch(stmt(2, sid=held), stmt(3, sid="not-a-uuid-but-a-string-of-36-chars"), voiding_one, chained, stored="2025-06-01T12:31:00.000000Z"), Known()
    )
    assert (done.stored, done.conflicts, done.voided) == (1, 1, 1)
    reasons = [r for (r,) in con.execute("SELECT reason FROM rejected ORDER BY line").fetchall()]
    assert len(reasons) == 2 and reasons[1].startswith("line 4: voiding statement targets 00000000-0000-4000-8000-000000000001")
    assert count(con, f"SELECT voided FROM statements WHERE id = '{held}'") is True


def test_rows_the_fast_path_proved_skip_duckdbs_read_pass_and_the_others_take_it(con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []  # rows of each _READ pass
    real_with = writer._with

    def spy(con_: duckdb.DuckDBPyConnection, table: pa.Table, sql: str, *args: Any, **kwargs: Any) -> Any:
        if sql == writer._READ:
            asked.append(table.num_rows)
        return real_with(con_, table, sql, *args, **kwargs)

    monkeypatch.setattr(writer, "_with", spy)
    lines = [orjson.dumps(stmt(n)) for n in range(3)]
    proven = build([LineBlock("f.ndjson", 1, b"\n".join(lines), 3, 3)], STORED)
    assert proven.proven_rows().tolist() == [True, True, True]  # the C fast path built them
    # a Python-built row with a timestamp xAPI allows and DuckDB cannot read (ISO 8601 basic format)
    odd = build([("test", 9, None, {**stmt(9), "timestamp": "20250301T100000Z"}, None)], STORED, seq=3)
    assert odd.proven_rows().tolist() == [False]
    mixed = combine([proven, odd], STORED)
    assert mixed.proven_rows().tolist() == [True, True, True, False]
    done = writer.write(con, mixed, Known())
    assert (done.stored, done.rejected, asked) == (3, 1, [1])  # only the unproven row was asked about
    assert count(con, "SELECT reason FROM rejected") == "line 9: timestamp '20250301T100000Z' is not an ISO 8601 date-time"
    asked.clear()
    more = build([LineBlock("g.ndjson", 1, orjson.dumps(stmt(20)), 1, 1)], STORED)
    assert writer.write(con, more, Known()).stored == 1 and asked == []


def test_warm_up_writes_nothing_and_leaves_the_connection_ready(con: duckdb.DuckDBPyConnection) -> None:
    writer.warm_up(con)
    assert count(con) == 0 and count(con, "SELECT count(*) FROM rejected") == 0
    assert writer.write(con, batch(stmt(1)), Known()).stored == 1
