"""lat.store.database: the whole schema in one place, documented, and the only way to open the store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lat.config import Settings
from lat.errors import LatError
from lat.store import database as store

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = {
    "countries",
    "hubs",
    "schools",
    "people",
    "mentoring",
    "statements",
    "rejected",
    "conflicts",
    "pull_cursors",
    "credentials_issued",
    "credentials_revoked",
    "credentials_imported",
    "lrs_attachments",
    "lrs_documents",
}


def tables(settings: Settings) -> set[str]:
    with store.session(settings, read_only=True) as con:
        return {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def test_a_new_store_has_every_table_of_both_schema_files(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    store.connect(settings).close()
    assert tables(settings) == EXPECTED
    store.connect(settings).close()  # applied again on every connect: idempotent
    assert tables(settings) == EXPECTED


def test_docs_store_md_names_every_table(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    store.connect(settings).close()
    documented = set(re.findall(r"`(\w+)`", (ROOT / "docs" / "store.md").read_text(encoding="utf-8")))
    assert tables(settings) - documented == set()
    assert "mart_<name>" in (ROOT / "docs" / "store.md").read_text(encoding="utf-8")  # lat compute's tables


def test_credentials_tables_exist_before_any_credential_is_issued(tmp_path: Path) -> None:
    with store.session(Settings(home=tmp_path)) as con:
        issued = con.execute("SELECT count(*) FROM credentials_issued").fetchall()
        con.execute("INSERT INTO credentials_revoked VALUES ('urn:uuid:1', 'wrong person', now())")
        revoked = con.execute("SELECT credential_id, reason FROM credentials_revoked").fetchall()
    assert issued == [(0,)]
    assert revoked == [("urn:uuid:1", "wrong person")]


def test_reading_a_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LatError, match=r"No store at .*lat\.duckdb: run 'lat ingest' or 'lat demo' first"):
        store.connect(Settings(home=tmp_path), read_only=True)
    assert not (tmp_path / "lat.duckdb").exists()


def test_only_lat_store_opens_duckdb_files() -> None:
    # One place opens the store, so busy-store messages and the schema stay consistent;
    # in-memory databases (duckdb.connect() with no file) are anyone's.
    opens_a_file = re.compile(r"duckdb\.connect\((?!\))")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("lat", "dashboards")
        for path in (ROOT / folder).rglob("*.py")
        if opens_a_file.search(path.read_text(encoding="utf-8")) and path != ROOT / "lat" / "store" / "database.py"
    ]
    assert offenders == []
