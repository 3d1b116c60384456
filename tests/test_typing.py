"""`mypy` passes on lat, pipelines and dashboards (the ``files`` of [tool.mypy] in pyproject.toml,
with disallow_untyped_defs), so the types cannot rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_passes_on_every_package() -> None:
    # No paths: mypy checks the config's `files`. Its cache (.mypy_cache) makes a rerun take seconds;
    # a cold run takes about 40 s on a quiet 2-core machine.
    run = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("Success: no issues found")
