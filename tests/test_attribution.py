"""School and hub attribution: the profile's extension wins, else the registry maps the actor."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import duckdb
import pytest

from lat.config import get_settings
from lat.registry import organisation as registry
from lat.store import attribution
from lat.store import database as store
from lat.store.rows import flatten
from lat.xapi import vocab

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "registry"

# actors of tests/fixtures/registry/good/people.csv, as statements carry them
MARI = {"mbox": "mailto:mari.tamm@kool.ee"}  # p-lead-1, ee-s1 (the registry wrote it in mixed case)
MTAMM = {"account": {"homePage": "https://moodle.example.org", "name": "mtamm"}}  # p-teach-1, ee-s1
HASHED = {"mbox_sha1sum": "ABCDEF0123456789ABCDEF0123456789ABCDEF01"}  # p-teach-2, ee-s2
KALLE = {"openid": "https://id.example.org/people/kalle"}  # p-mentor-1, no school
STRANGER = {"mbox": "mailto:someone@else.org"}  # not in the registry


@pytest.fixture
def con(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> duckdb.DuckDBPyConnection:
    monkeypatch.setenv("LAT_HOME", str(tmp_path))
    connection = store.connect(get_settings())
    yield connection
    connection.close()


def add(con: duckdb.DuckDBPyConnection, actor: dict[str, Any], source: str = "test", **extensions: str) -> str:
    """Store one statement the way ingest does (flatten, then insert); returns its id."""
    stmt = {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": vocab.ATTENDED},
        "object": {"id": "https://example.org/meetings/1"},
        "timestamp": "2025-10-01T10:00:00Z",
        "stored": "2025-10-01T10:00:01Z",
        "context": {"extensions": {getattr(vocab, name): value for name, value in extensions.items()}},
    }
    row = flatten(stmt) | {"raw": json.dumps(stmt), "source": source}  # extensions as JSON text already
    columns = ", ".join(f'"{c}"' for c in row)
    con.execute(f"INSERT INTO statements ({columns}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
    return stmt["id"]


def where(con: duckdb.DuckDBPyConnection, statement_id: str) -> tuple[str | None, str | None]:
    return con.execute("SELECT school, hub FROM statements WHERE id = ?", [statement_id]).fetchall()[0]


def test_extension_wins_else_registry_actor(con: duckdb.DuckDBPyConnection) -> None:
    registry.import_dir(con, FIXTURES / "good")
    by_registry = add(con, MARI)
    by_account = add(con, MTAMM)
    by_hash = add(con, HASHED)
    extension_wins = add(con, MARI, EXT_SCHOOL="fi-s1")  # the registry says ee-s1
    mentor_no_school = add(con, KALLE)
    stranger = add(con, STRANGER)
    stranger_ext = add(con, STRANGER, EXT_SCHOOL="no-s1")

    assert attribution.apply(con) == 5  # all but the mentor and the stranger without extension

    assert where(con, by_registry) == ("ee-s1", "ee-tallinn")
    assert where(con, by_account) == ("ee-s1", "ee-tallinn")
    assert where(con, by_hash) == ("ee-s2", "ee-tallinn")
    assert where(con, extension_wins) == ("fi-s1", "fi-oulu")
    assert where(con, mentor_no_school) == (None, None)
    assert where(con, stranger) == (None, None)
    assert where(con, stranger_ext) == ("no-s1", "no-oslo")
    assert attribution.apply(con) == 0  # nothing left to change


def test_hub_comes_from_the_registry_school_else_the_hub_extension(con: duckdb.DuckDBPyConnection) -> None:
    registry.import_dir(con, FIXTURES / "good")
    registry_hub_wins = add(con, STRANGER, EXT_SCHOOL="ee-s2", EXT_HUB="fi-oulu")
    unknown_school = add(con, STRANGER, EXT_SCHOOL="xx-unregistered", EXT_HUB="fi-oulu")
    hub_only = add(con, KALLE, EXT_HUB="no-oslo")

    attribution.apply(con)

    assert where(con, registry_hub_wins) == ("ee-s2", "ee-tallinn")
    assert where(con, unknown_school) == ("xx-unregistered", "fi-oulu")
    assert where(con, hub_only) == (None, "no-oslo")


def test_registry_reimport_reattributes_in_the_same_import(con: duckdb.DuckDBPyConnection) -> None:
    registry.import_dir(con, FIXTURES / "good")
    moved = add(con, MTAMM)  # p-teach-1: ee-s1 in good/, ee-s2 in updated/
    removed = add(con, HASHED)  # p-teach-2: absent from updated/
    kept_ext = add(con, HASHED, EXT_SCHOOL="ee-s1")
    gone_school = add(con, STRANGER, EXT_SCHOOL="no-s1")  # no-s1 and its hub leave the registry
    attribution.apply(con)
    assert where(con, moved) == ("ee-s1", "ee-tallinn")

    result = registry.import_dir(con, FIXTURES / "updated")

    assert result.reattributed == 3
    assert where(con, moved) == ("ee-s2", "ee-tallinn")
    assert where(con, removed) == (None, None)
    assert where(con, kept_ext) == ("ee-s1", "ee-tallinn")
    assert where(con, gone_school) == ("no-s1", None)


def test_failed_import_leaves_attribution_alone(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    registry.import_dir(con, FIXTURES / "good")
    statement = add(con, MTAMM)
    attribution.apply(con)
    broken = tmp_path / "broken"
    broken.mkdir()
    for path in (FIXTURES / "updated").iterdir():
        (broken / path.name).write_bytes(path.read_bytes())
    (broken / "hubs.csv").write_text("hub_id,name\n")  # missing column

    with pytest.raises(registry.RegistryInvalid):
        registry.import_dir(con, broken)

    assert where(con, statement) == ("ee-s1", "ee-tallinn")


def test_apply_on_a_batch_touches_only_that_batch(con: duckdb.DuckDBPyConnection) -> None:
    registry.import_dir(con, FIXTURES / "good")
    earlier = add(con, MARI, source="a.jsonl")
    con.execute("UPDATE statements SET school = NULL, hub = NULL")  # as before any attribution
    batch = add(con, MARI, source="b.jsonl")

    assert attribution.apply(con, "source = ?", ["b.jsonl"]) == 1

    assert where(con, batch) == ("ee-s1", "ee-tallinn")
    assert where(con, earlier) == (None, None)


def test_apply_joins_the_callers_transaction(con: duckdb.DuckDBPyConnection) -> None:
    registry.import_dir(con, FIXTURES / "good")
    statement = add(con, MARI)
    con.execute("BEGIN TRANSACTION")
    assert attribution.apply(con) == 1
    con.execute("ROLLBACK")

    assert where(con, statement) == (None, None)
