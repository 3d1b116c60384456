"""``lat demo`` end to end: an empty LAT_HOME becomes a served dashboard with working logins."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import time
from pathlib import Path

import pytest
import requests

from dashboard_support import LAT, REPO, free_port, login

pytestmark = pytest.mark.slow


def _start(home: Path, port: int) -> tuple[subprocess.Popen[str], list[str]]:
    env = {k: v for k, v in os.environ.items() if k != "LAT_EXPORT_KEY"} | {"LAT_HOME": str(home)}
    process = subprocess.Popen([LAT, "demo", "--port", str(port)], env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + 300
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if line.startswith("Dashboard on "):
            return process, lines
    process.kill()
    raise AssertionError("lat demo did not start serving:\n" + "\n".join(lines))


def test_demo_prepares_an_empty_home_then_just_serves(tmp_path: Path) -> None:
    home, port = tmp_path / "home", free_port()
    process, lines = _start(home, port)
    try:
        text = "\n".join(lines)
        for step in ("[1/5] sample data", "[2/5] registry import", "[3/5] ingest", "[4/5] compute", "[5/5] demo accounts"):
            assert step in text
        assert f"Dashboard on http://127.0.0.1:{port}/" in text
        logins = {m.group(1): (m.group(2), m.group(3)) for m in re.finditer(r"^(demo-[a-z]+)\s+(\S+)\s+.*?(\S+)$", text, re.M)}
        assert {role for role, _ in logins.values()} == {"admin", "hub_coordinator", "mentor", "school_head", "researcher"}
        saved = home / "demo-logins.txt"
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
        key = home / "keys" / "export.key"  # no LAT_EXPORT_KEY here: the demo makes one for the research export
        assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_text().strip()) == 64
        assert "research export key generated" in text
        assert all(password in saved.read_text() for _, password in logins.values())
        session = login(f"http://127.0.0.1:{port}", "demo-head", logins["demo-head"][1])
        assert session.get(f"http://127.0.0.1:{port}/_dash-layout", timeout=30).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=20)

    process, lines = _start(home, port)  # prepared: serves at once, says where the logins are
    try:
        text = "\n".join(lines)
        assert "[1/5]" not in text
        assert "demo-logins.txt" in text and "lat users demo" in text
        assert requests.get(f"http://127.0.0.1:{port}/login", timeout=30).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_demo_refuses_a_home_with_data_but_no_marts(tmp_path: Path) -> None:
    (tmp_path / "lat.duckdb").write_bytes(b"")
    env = {**os.environ, "LAT_HOME": str(tmp_path)}
    result = subprocess.run([LAT, "demo", "--port", str(free_port())], env=env, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "holds data but no published marts" in result.stderr
    assert "Traceback" not in result.stderr
