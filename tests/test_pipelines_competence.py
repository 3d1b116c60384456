"""DigCompEdu competence marts from hand-made self-assessments."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from lat.store import marts
from lat.xapi import vocab
from pipeline_fixtures import T0, load, open_store, registry, settings_for
from pipelines.core import compute


def assessment(teacher: str, code: str, level: str, *, round: str = "2025-spring", school: str = "S1", minutes: int = 0) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"dc/{teacher}/{round}/{code}/{minutes}")),
        "actor": {"objectType": "Agent", "account": {"homePage": vocab.RESPONDENT_HOMEPAGE, "name": teacher}},
        "verb": {"id": vocab.ANSWERED},
        "object": {"objectType": "Activity", "id": vocab.COMPETENCE_BASE + code, "definition": {"type": vocab.COMPETENCE}},
        "result": {
            "response": level,
            "score": {"raw": vocab.DIGCOMP_LEVELS.index(level) + 1, "min": 1, "max": 6},
            "extensions": {vocab.EXT_DIGCOMP_LEVEL: level},
        },
        "context": {"extensions": {vocab.EXT_SCHOOL: school, vocab.EXT_ROUND: round, vocab.EXT_DIGCOMP_AREA: code[0]}},
        "timestamp": (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
    }


def test_levels_share_b1_plus_and_small_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Area 2 has competences 2.1-2.3. Lower median of (A2, B1, C1) = B1; of (A1, A2) = A1.
    statements = [
        *[assessment(t, "2.1", "B1") for t in ("t1", "t2", "t3")],
        assessment("t4", "2.1", "A2"),
        assessment("t4", "2.2", "B1"),
        assessment("t4", "2.3", "C1"),
        assessment("t5", "2.1", "A1"),
        assessment("t5", "2.2", "A2"),
        assessment("t5", "2.2", "C2", minutes=-30),  # older answer: the later A2 counts
        assessment("t1", "3.1", "C2"),  # area 3: one teacher, suppressed
    ]
    settings = settings_for(tmp_path, monkeypatch)
    con = open_store(settings)
    registry(con, {"S1": ("H1", "EE")})
    load(con, statements)
    con.close()
    compute.run(settings)
    area = marts.read("competence_area", settings).sort("area")
    assert area.select("area", "n", "share_b1_plus", "suppressed").rows() == [("2", 5, 0.8, False), ("3", 1, None, True)]
    assert area["mean_level"][0] == pytest.approx((3 + 3 + 3 + 3 + 1) / 5)
    levels = marts.read("competence_levels", settings).filter(area="2").sort("competence_level")
    assert levels["teachers_at_level"].to_list() == [1, 0, 4, 0, 0, 0]
    hub = marts.read("competence_hub", settings).filter(area="2").sort("weighting")
    # one school is no hub figure (LAT_MIN_SCHOOLS, default 3)
    assert hub.select("weighting", "schools", "n", "share_b1_plus", "suppressed_reason").rows() == [
        ("respondent", 1, 5, None, "few_schools"),
        ("school", 1, 5, None, "few_schools"),
    ]
