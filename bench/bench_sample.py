"""Speed of the sample generator (``lat sample``) on national-scale hubs.

Usage: .venv/bin/python bench/bench_sample.py [HUBS]   (default 2 of the 50 national hubs)

Generates HUBS national hubs in this process and prints CPU seconds, statements per CPU
second and the projection to the whole national scale. The baseline, measured in the same
run on the same statements, is what the generator avoids: ``json.dumps`` of each statement as
a dict (parsed back from the written lines) plus the same gzip. The ratio says how much the
string templates save.
"""

from __future__ import annotations

import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

from lat.sample.generate import _write_hub
from lat.sample.scales import SCALES
from lat.sample.world import build_world


def main(hubs: int) -> None:
    scale = SCALES["national"]
    world = build_world(scale, seed=1)
    out = Path(tempfile.mkdtemp(prefix="bench-sample-"))
    started = time.process_time()
    total = 0
    for hub in world.hubs[:hubs]:
        total += sum(_write_hub((hub, 1, scale, out)).values())
    ours = time.process_time() - started

    dicts = [json.loads(line) for path in sorted(out.glob("*.gz")) for line in gzip.open(path, "rt", encoding="utf-8")]
    started = time.process_time()
    with gzip.open(out / "baseline.gz", "wt", compresslevel=scale.compresslevel, encoding="utf-8") as handle:
        for stmt in dicts:
            handle.write(json.dumps(stmt, separators=(",", ":"), ensure_ascii=False) + "\n")
    baseline = time.process_time() - started

    hubs_total = len(world.hubs)
    print(f"generated {total:,} statements from {hubs} of {hubs_total} national hubs in {ours:.2f} CPU s ({total / ours:,.0f} statements/CPU s)")
    print(
        f"baseline json.dumps + gzip of the same statements: {baseline:.2f} CPU s "
        f"(generator/baseline = {ours / baseline:.2f}; the generator also draws every value)"
    )
    print(
        f"projected national scale: {total * hubs_total / hubs / 1e6:.1f} M statements, "
        f"{ours * hubs_total / hubs:.0f} CPU s (about half that in wall time on 2 cores)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
