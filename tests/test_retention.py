"""Retention: statements older than LAT_RETENTION_MONTHS go, counted, audited, compacted."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from lat.access import audit
from lat.cli import cli
from lat.config import Settings
from lat.errors import LatError
from lat.ingest.engine import ingest_paths
from lat.privacy.retention import apply, cutoff
from lat.store import database as store
from lat.xapi import vocab

NOW = datetime(2025, 7, 15, 12, 0, tzinfo=UTC)


def _stmt(n: int, timestamp: str) -> dict[str, object]:
    return {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "actor": {"mbox": f"mailto:t{n}@school.ee"},
        "verb": {"id": vocab.ATTENDED},
        "timestamp": timestamp,
        "object": {"id": "https://hub.example/meetings/1", "definition": {"type": vocab.MEETING}},
    }


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LAT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LAT_RETENTION_MONTHS", "6")
    settings = Settings()
    source = tmp_path / "s.ndjson"
    rows = [
        _stmt(1, "2024-01-10T00:00:00Z"),
        _stmt(2, "2025-01-15T11:59:59Z"),
        _stmt(3, "2025-01-15T12:00:00Z"),
        _stmt(4, "2025-06-01T00:00:00Z"),
        {"actor": {"mbox": "mailto:x@y.ee"}},
    ]  # the last one is rejected
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    ingest_paths([source], settings)
    with store.session(settings) as con:  # the rejected row was recorded long ago
        con.execute("UPDATE rejected SET rejected_at = TIMESTAMPTZ '2024-12-01 00:00:00+00'")
    return settings


@pytest.mark.parametrize(
    ("now", "months", "expected"),
    [
        (NOW, 6, datetime(2025, 1, 15, 12, 0, tzinfo=UTC)),
        (datetime(2025, 3, 31, tzinfo=UTC), 1, datetime(2025, 2, 28, tzinfo=UTC)),
        (datetime(2024, 3, 31, tzinfo=UTC), 1, datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2025, 1, 5, tzinfo=UTC), 1, datetime(2024, 12, 5, tzinfo=UTC)),
        (datetime(2025, 1, 5, tzinfo=UTC), 25, datetime(2022, 12, 5, tzinfo=UTC)),
    ],
)
def test_the_cutoff_is_calendar_months_back(now: datetime, months: int, expected: datetime) -> None:
    assert cutoff(months, now) == expected


def _ids(settings: Settings) -> list[int]:
    with store.session(settings, read_only=True) as con:
        return [int(str(r[0])[-1]) for r in con.execute("SELECT id FROM statements ORDER BY id").fetchall()]


def test_statements_before_the_cutoff_are_deleted(settings: Settings) -> None:
    run = apply(settings, now=NOW)
    assert (run.statements_deleted, run.rejected_deleted, run.conflicts_deleted) == (2, 1, 0)
    assert _ids(settings) == [3, 4]  # 3 is exactly at the cut-off: kept
    assert b"t1@school.ee" not in settings.db_path.read_bytes()
    [entry] = audit.read(settings, action="retention")
    assert entry.target == "2025-01-15T12:00:00+00:00"
    assert entry.detail == {"statements": 2, "rejected": 1, "conflicts": 0, "marts_recomputed": False}


def test_a_dry_run_only_counts(settings: Settings) -> None:
    run = apply(settings, now=NOW, dry_run=True)
    assert (run.statements_deleted, run.rejected_deleted) == (2, 1)
    assert _ids(settings) == [1, 2, 3, 4]
    assert audit.read(settings, action="retention") == []


def test_retention_needs_the_setting(settings: Settings) -> None:
    with pytest.raises(LatError, match="LAT_RETENTION_MONTHS is not set"):
        apply(Settings(home=settings.home, retention_months=None))


def test_the_retention_command(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    today = datetime.now(UTC)  # the command uses the real clock: keep from March 2025 on
    monkeypatch.setenv("LAT_RETENTION_MONTHS", str((today.year - 2025) * 12 + today.month - 3))
    dry = CliRunner().invoke(cli, ["retention", "apply", "--dry-run"])
    assert dry.exit_code == 0
    assert dry.output.startswith("Would delete 3 statements, 1 rejected and 0 conflict rows from before 2025-03-")
    done = CliRunner().invoke(cli, ["retention", "apply"])
    assert done.exit_code == 0 and done.output.startswith("Deleted 3 statements")
    assert _ids(settings) == [4]
