"""`lat forget`: erasure over a real DuckDB store filled through the real ingest.

Anna (person T1, mailto:anna@school.ee) is erased; Bob (T2) stays.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lat.access import audit
from lat.access.users import add_user
from lat.cli import cli
from lat.config import Settings
from lat.errors import LatError
from lat.ingest.engine import ingest_paths
from lat.privacy.forget import ERASED_AGENT, forget, resolve
from lat.store import database as store
from lat.xapi import vocab
from lat.xapi.fields import actor_key

ANNA = {"objectType": "Agent", "mbox": "mailto:Anna@School.ee"}  # mixed case: keys are lower-cased
ANNA_SHA1 = {"objectType": "Agent", "mbox_sha1sum": hashlib.sha1(b"mailto:anna@school.ee").hexdigest()}
BOB = {"objectType": "Agent", "mbox": "mailto:bob@school.ee"}
MEETING = {"id": "https://hub.example/meetings/1", "definition": {"type": vocab.MEETING}}


def _stmt(n: int, actor: dict[str, Any], verb: str = vocab.ATTENDED, obj: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "actor": actor,
        "verb": {"id": verb},
        "object": obj or MEETING,
        "timestamp": f"2025-03-{n:02d}T10:00:00Z",
        **extra,
    }


STATEMENTS = [
    _stmt(1, ANNA),  # by Anna: deleted
    _stmt(2, ANNA_SHA1),  # by Anna, as mbox_sha1sum: deleted
    _stmt(3, BOB, context={"instructor": ANNA}),  # Anna beside Bob: redacted
    _stmt(4, BOB, vocab.OBSERVED, {"objectType": "Agent", "mbox": "mailto:anna@school.ee"}),  # about Anna: deleted
    _stmt(
        5, {"objectType": "Group", "member": [ANNA, BOB]}, vocab.COMPLETED, {"id": "https://hub.example/steps/1", "definition": {"type": vocab.OBJECTIVE}}
    ),  # team: redacted
    _stmt(6, BOB, result={"response": "Ask ANNA@school.ee about it"}),  # text mention: blanked
    _stmt(7, BOB),  # untouched
    _stmt(8, BOB, context={"team": {"objectType": "Group", "member": [ANNA_SHA1, BOB]}}),  # team member: redacted
]
REJECTED = [
    {"actor": ANNA, "verb": {"id": vocab.ATTENDED}},  # no object: rejected, holds Anna
    {"actor": BOB, "verb": {"id": vocab.ATTENDED}},
]


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LAT_HOME", str(tmp_path / "home"))
    settings = Settings(home=tmp_path / "home")
    source = tmp_path / "statements.ndjson"
    source.write_text("\n".join(json.dumps(s) for s in STATEMENTS + REJECTED) + "\n")
    conflict = tmp_path / "conflict.ndjson"
    conflict.write_text(json.dumps(_stmt(7, BOB, result={"response": "with anna@school.ee"})) + "\n")  # same id, other content
    ingest_paths([source, conflict], settings)
    with store.session(settings) as con:
        con.execute(
            "INSERT INTO people VALUES ('T1', 'S1', 'teacher', 'mailto:anna@school.ee'), "
            "('T2', 'S1', 'teacher', 'mailto:bob@school.ee'), ('X1', 'S1', 'teacher', NULL)"
        )
        con.execute("INSERT INTO mentoring VALUES ('T1', 'S2', NULL, NULL), ('T2', 'S3', NULL, NULL)")
    return settings


def _rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with store.session(settings, read_only=True) as con:
        return con.execute(sql).fetchall()


def _raw(settings: Settings, n: int) -> dict[str, Any]:
    rows = _rows(settings, f"SELECT CAST(raw AS VARCHAR) FROM statements WHERE id = '00000000-0000-4000-8000-{n:012d}'")
    return json.loads(rows[0][0])


def test_the_fixture_holds_what_the_test_expects(settings: Settings) -> None:
    assert _rows(settings, "SELECT count(*) FROM statements") == [(8,)]
    assert _rows(settings, "SELECT count(*) FROM rejected") == [(2,)]
    assert _rows(settings, "SELECT count(*) FROM conflicts") == [(1,)]


def test_forget_deletes_what_is_about_the_person_and_redacts_where_they_appear(settings: Settings) -> None:
    erasure = forget(settings, "mailto:anna@school.ee", actor_name="ada")
    assert (erasure.statements_deleted, erasure.statements_redacted) == (3, 4)
    assert (erasure.rejected_deleted, erasure.conflicts_deleted) == (1, 1)
    assert (erasure.people_deleted, erasure.mentoring_deleted) == (1, 1)
    remaining = [r[0] for r in _rows(settings, "SELECT right(CAST(id AS VARCHAR), 1) FROM statements ORDER BY id")]
    assert remaining == ["3", "5", "6", "7", "8"]
    assert _raw(settings, 3)["context"]["instructor"] == ERASED_AGENT
    assert _raw(settings, 3)["actor"] == BOB
    team = _raw(settings, 5)["actor"]
    assert team["member"] == [ERASED_AGENT, BOB]
    assert _rows(settings, "SELECT actor_key FROM statements WHERE id = '00000000-0000-4000-8000-000000000005'") == [(actor_key(team),)]
    assert _raw(settings, 6)["result"]["response"] == "Ask [erased] about it"
    assert _rows(settings, "SELECT response FROM statements WHERE id = '00000000-0000-4000-8000-000000000006'") == [("Ask [erased] about it",)]
    assert _raw(settings, 8)["context"]["team"]["member"] == [ERASED_AGENT, BOB]
    assert _raw(settings, 7) == {**_stmt(7, BOB), **{k: v for k, v in _raw(settings, 7).items() if k not in _stmt(7, BOB)}}
    assert _rows(settings, "SELECT person_id FROM people ORDER BY 1") == [("T2",), ("X1",)]
    assert _rows(settings, "SELECT mentor FROM mentoring") == [("T2",)]


def test_nothing_of_the_person_is_left_in_any_table(settings: Settings) -> None:
    forget(settings, "anna@school.ee")  # a bare address is taken as mailto:
    sha1 = hashlib.sha1(b"mailto:anna@school.ee").hexdigest()
    for table in ["statements", "rejected", "conflicts", "people", "mentoring"]:
        text = " ".join(str(r) for r in _rows(settings, f"SELECT * FROM {table}")).lower()
        assert "anna" not in text and sha1 not in text, table
    assert _rows(settings, "SELECT count(*) FROM statements WHERE actor_key LIKE '%bob%'") == [(4,)]  # 3, 6, 7, 8


def test_the_erasure_is_audited_with_a_hash_and_counts_only(settings: Settings) -> None:
    forget(settings, "T1", actor_name="ada")  # by registry person id
    [entry] = audit.read(settings, action="erasure")
    assert entry.actor == "ada"
    assert entry.target == "sha256:" + hashlib.sha256(b"mailto:anna@school.ee").hexdigest()
    assert entry.detail["statements_deleted"] == 3 and entry.detail["people_deleted"] == 1
    assert "anna" not in json.dumps(entry.detail)


def test_accounts_scoped_to_the_person_are_reported(settings: Settings) -> None:
    add_user(settings, "anna-mentor", "mentor", password="a long password", persons=["T1"])
    assert forget(settings, "T1").linked_users == 1


def test_resolving_the_actor(settings: Settings) -> None:
    with store.session(settings) as con:
        assert resolve(con, "T1").keys == {"mailto:anna@school.ee", "sha1:" + hashlib.sha1(b"mailto:anna@school.ee").hexdigest()}
        assert resolve(con, "mailto:ANNA@school.ee").person_ids == {"T1"}
        assert resolve(con, "https://lms.example|u-42").keys == {"https://lms.example|u-42"}
        with pytest.raises(LatError, match="Person 'X1' has no actor in the registry"):
            resolve(con, "X1")
        with pytest.raises(LatError, match="is not an xAPI actor"):
            resolve(con, "nobody")


def test_the_forget_command(settings: Settings) -> None:
    refused = CliRunner().invoke(cli, ["forget", "mailto:anna@school.ee"], input="n\n")
    assert refused.exit_code == 1  # aborted at the confirmation
    assert _rows(settings, "SELECT count(*) FROM statements") == [(8,)]
    result = CliRunner().invoke(cli, ["forget", "mailto:anna@school.ee", "--yes"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Erased: 3 statements deleted, 4 redacted, 1 rejected and 1 conflict rows, 1 registry people, 1 mentoring pairs.\n")
    assert "Marts not recomputed" in result.output  # nothing was published yet


def test_the_deleted_bytes_leave_the_database_file(settings: Settings) -> None:
    assert b"anna@school.ee" in settings.db_path.read_bytes().lower()
    forget(settings, "mailto:anna@school.ee")
    assert b"anna@school.ee" not in settings.db_path.read_bytes().lower()
    assert not settings.db_path.with_name("lat.duckdb.wal").exists()
    assert _rows(settings, "SELECT count(*) FROM statements") == [(5,)]  # the rewritten store is whole


def test_marts_are_recomputed_and_older_versions_removed(settings: Settings) -> None:
    from pipelines.core.compute import run

    run(settings)
    run(settings, full=True)
    assert len(list(settings.marts_dir.glob("v*"))) == 2
    before = (settings.marts_dir / "current").resolve()
    erasure = forget(settings, "mailto:anna@school.ee", recompute=run)
    assert (erasure.marts_recomputed, erasure.mart_versions_removed) == (True, 2)
    versions = list(settings.marts_dir.glob("v*"))
    assert len(versions) == 1 and versions[0] != before
    assert (settings.marts_dir / "current").resolve() == versions[0]
