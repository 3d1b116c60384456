"""`lat compute` and `lat indicators` as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline_fixtures import FIXTURES, load, open_store, read_ndjson, registry, settings_for

LAT = str(Path(sys.executable).with_name("lat"))


def _lat(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LAT, *args], env={**os.environ, "LAT_HOME": str(home)}, capture_output=True, text=True)


def test_compute_then_indicators_csv_and_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(tmp_path, monkeypatch)
    con = open_store(settings)
    registry(con, {"S1": ("H1", "EE")})
    load(con, read_ndjson(FIXTURES / "maturity" / "basic" / "input.ndjson"))
    con.close()
    done = _lat("compute", home=settings.home)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("full run")
    csv = _lat("indicators", "maturity", "--level", "school", home=settings.home)
    assert csv.returncode == 0, csv.stderr
    lines = csv.stdout.splitlines()
    assert lines[0] == "school,round,area,group,n,mean,share_agree,suppressed"
    assert sorted(lines[1:]) == ["S1,2025-spring,A,leader,2,,,true", "S1,2025-spring,A,teacher,6,3.3,0.5,false"]
    out = tmp_path / "hub.json"
    hub = _lat("indicators", "maturity", "--level", "hub", "--format", "json", "--out", str(out), home=settings.home)
    assert hub.returncode == 0, hub.stderr
    rows = json.loads(out.read_text())
    teacher_school = [r for r in rows if r["group"] == "teacher" and r["weighting"] == "school"]
    # one school is no hub figure (LAT_MIN_SCHOOLS, default 3): withheld, with the reason
    assert teacher_school[0]["hub"] == "H1" and teacher_school[0]["schools"] == 1
    assert (teacher_school[0]["mean"], teacher_school[0]["suppressed_reason"]) == (None, "few_schools")


def test_indicators_without_marts_is_one_readable_error(tmp_path: Path) -> None:
    done = _lat("indicators", "maturity", home=tmp_path)
    assert done.returncode == 1
    assert "run 'lat compute'" in done.stderr and "Traceback" not in done.stderr


def test_unknown_level_for_a_family_is_a_user_error(tmp_path: Path) -> None:
    done = _lat("indicators", "maturity-items", "--level", "hub", home=tmp_path)
    assert done.returncode == 1
    assert "no hub-level table" in done.stderr
