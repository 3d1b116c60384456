"""Run every ``bench/bench_*.py`` script in turn: ``python -m bench [NAME-FILTER]``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    wanted = sys.argv[1] if len(sys.argv) > 1 else ""
    failures = 0
    for script in sorted(Path(__file__).parent.glob("bench_*.py")):
        if wanted not in script.stem:
            continue
        print(f"== {script.stem}", flush=True)
        failures += subprocess.run([sys.executable, str(script)], check=False).returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
