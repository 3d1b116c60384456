"""`lat status`: counts of the store, per source, read-only."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from lat.config import Settings
from lat.errors import LatError
from lat.ingest.engine import Record, ingest_records
from lat.store.database import connect
from lat.store.status import gather, render

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def statement(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.UUID(int=n, version=4)),
        "actor": {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "mentor-1"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-US": "attended"}},
        "object": {"objectType": "Activity", "id": f"https://hub.example.org/meetings/{n}"},
        "timestamp": "2025-03-01T10:00:00Z",
        **extra,
    }


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LAT_HOME", str(tmp_path / "home"))
    settings = Settings(home=tmp_path / "home")
    with connect(settings) as con:
        void = {**statement(90), "verb": {"id": VOIDED, "display": {"en-US": "voided"}}, "object": {"objectType": "StatementRef", "id": statement(2)["id"]}}
        ingest_records(con, [Record("a.ndjson", n, statement(n)) for n in (1, 2, 3)])
        ingest_records(
            con,
            [
                Record("a.ndjson", 4, statement(1)),  # duplicate: not counted anywhere
                Record("a.ndjson", 5, statement(3, result={"success": True})),  # conflict
                Record("b.json", 1, b"{broken"),  # rejected
                Record("b.json", 2, void),
            ],
        )  # stored, voids statement 2
    return settings


def test_gather_counts_statements_voided_rejected_conflicts_and_sources(settings: Settings) -> None:
    with connect(settings, read_only=True) as con:
        status = gather(con)
    assert (status["statements"], status["voided"], status["rejected"], status["conflicts"]) == (3, 1, 1, 1)
    assert [{k: s[k] for k in ("source", "statements", "voided", "rejected", "conflicts")} for s in status["sources"]] == [
        {"source": "a.ndjson", "statements": 2, "voided": 1, "rejected": 0, "conflicts": 1},
        {"source": "b.json", "statements": 1, "voided": 0, "rejected": 1, "conflicts": 0},
    ]
    text = render(status)
    assert "statements           3" in text and "a.ndjson" in text


def test_lat_status_json_reads_without_writing(settings: Settings) -> None:
    db = settings.db_path
    before = (db.stat().st_mtime_ns, db.stat().st_size)
    lat = Path(sys.executable).with_name("lat")
    done = subprocess.run([str(lat), "status", "--json"], env={"LAT_HOME": str(settings.home)}, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["statements"], result["voided"], result["rejected"], result["conflicts"]) == (3, 1, 1, 1)
    assert (db.stat().st_mtime_ns, db.stat().st_size) == before
    assert not db.with_name("lat.duckdb.wal").exists()


def test_status_without_a_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(LatError, match="No store at .*run 'lat ingest'"):
        connect(Settings(home=tmp_path / "empty"), read_only=True)
    lat = Path(sys.executable).with_name("lat")
    done = subprocess.run([str(lat), "status"], env={"LAT_HOME": str(tmp_path / "empty")}, capture_output=True, text=True, check=False)
    assert done.returncode == 1 and done.stderr.startswith("Error: No store at")
