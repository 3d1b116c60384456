"""Shared by the credentials tests: a small real store with hand-made mentoring statements.

Teacher A (mailto:a@school.example) attends 6 meetings and completes 3 steps inside the round
2025-26; teacher B attends 5 meetings (one too few) and completes 3 steps; one more meeting of
B lies outside the round. School S1 thus has 6 distinct completed steps.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from lat.config import Settings
from lat.ingest.engine import Record, ingest_records
from lat.store import database as store
from lat.xapi import vocab

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "credentials"
ACHIEVEMENTS = FIXTURES / "achievements.toml"
A, B = "mailto:a@school.example", "mailto:b@school.example"


def stmt(actor: str, verb: str, activity_type: str, object_id: str, when: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{actor}{verb}{object_id}{when}")),
        "actor": {"objectType": "Agent", "mbox": actor},
        "verb": {"id": verb},
        "object": {"objectType": "Activity", "id": object_id, "definition": {"type": activity_type}},
        "context": {"extensions": {vocab.EXT_SCHOOL: "S1"}},
        "timestamp": when,
    }


def statements() -> list[dict[str, Any]]:
    meeting = "https://m.example/S1/meetings/"
    step = "https://m.example/S1/steps/"
    out = [stmt(A, vocab.ATTENDED, vocab.MEETING, f"{meeting}{i}", f"2025-10-{i + 1:02d}T10:00:00Z") for i in range(6)]
    out += [stmt(B, vocab.ATTENDED, vocab.MEETING, f"{meeting}{i}", f"2025-10-{i + 1:02d}T10:00:00Z") for i in range(5)]
    out.append(stmt(B, vocab.ATTENDED, vocab.MEETING, f"{meeting}99", "2025-06-01T10:00:00Z"))  # before the round
    out += [stmt(A, vocab.COMPLETED, vocab.OBJECTIVE, f"{step}{i}", f"2025-11-{i + 1:02d}T10:00:00Z") for i in range(3)]
    out += [stmt(B, vocab.COMPLETED, vocab.OBJECTIVE, f"{step}{i + 3}", f"2025-11-{i + 1:02d}T10:00:00Z") for i in range(3)]
    return out


def make_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """LAT_HOME in tmp_path with the registry rows and the statements above."""
    monkeypatch.setenv("LAT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LAT_CREDENTIALS_BASE_URL", "https://hub.test/credentials")
    settings = Settings()
    with store.session(settings) as con:
        con.execute("INSERT INTO countries VALUES ('EE', 'Estonia')")
        con.execute("INSERT INTO hubs VALUES ('H1', 'Hub one', 'EE')")
        con.execute("INSERT INTO schools VALUES ('S1', 'School one', 'EE', 'H1', 'primary', 20, 200, 'et')")
        con.execute("INSERT INTO people VALUES ('t-a', 'S1', 'teacher', ?), ('t-b', 'S1', 'teacher', ?)", [A, B])
        summary = ingest_records(con, [Record("test", i, s) for i, s in enumerate(statements())])
        assert summary.stored == 18 and summary.rejected == 0
    return settings
