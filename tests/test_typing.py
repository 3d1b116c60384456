"""`mypy lat dashboards` passes, with the settings in pyproject.toml ([tool.mypy]), so the types cannot rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_passes_on_lat_and_dashboards() -> None:
    run = subprocess.run([sys.executable, "-m", "mypy", "lat", "dashboards"], cwd=ROOT, capture_output=True, text=True,
                         timeout=540)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("Success: no issues found")
