"""Generate a whole sample: registry CSVs, then each hub's statement files (in parallel).

Output goes to a fresh folder next to ``out`` and replaces ``out/registry`` and
``out/statements`` only when complete, so an interrupted run leaves the old sample intact and
a new run never mixes with files of an older, larger one.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from lat.errors import LatError
from lat.sample.emit import Ids, NdjsonGz
from lat.sample.lms import lms_statements
from lat.sample.mentoring import credential_statements, mentoring_statements
from lat.sample.registry import write_registry
from lat.sample.scales import SCALES, Scale
from lat.sample.survey import survey_statements
from lat.sample.world import Hub, World, build_world

KINDS = ("surveys", "mentoring", "credentials", "lms")  # one file per hub and kind


@dataclass(frozen=True)
class Summary:
    """What a run wrote: rows per registry CSV and statements per statement file."""

    registry: dict[str, int]
    statements: dict[str, int]

    @property
    def total_statements(self) -> int:
        """The number of statements in all files."""
        return sum(self.statements.values())


def generate(out: Path, scale: str = "pilot", seed: int = 1, workers: int | None = None, progress: Callable[[int], None] | None = None) -> Summary:
    """Write the sample for ``scale`` and ``seed`` under ``out``; ``progress(1)`` after each hub."""
    if scale not in SCALES:
        raise LatError(f"Unknown scale {scale!r}: choose one of {', '.join(SCALES)}.")
    if out.exists() and not out.is_dir():
        raise LatError(f"--out {out} is a file, not a folder.")
    world = build_world(SCALES[scale], seed)
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".lat-sample-", dir=out))
    except OSError as exc:
        raise LatError(f"Cannot write the sample to {out}: {exc.strerror or exc}.") from exc
    try:
        registry = write_registry(world, staging / "registry")
        (staging / "statements").mkdir()
        statements: dict[str, int] = {}
        for counts in _run_hubs(world, staging / "statements", workers, progress):
            statements.update(counts)
        for part in ("registry", "statements"):
            _replace(staging / part, out / part)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Summary(registry, dict(sorted(statements.items())))


def _run_hubs(world: World, directory: Path, workers: int | None, progress: Callable[[int], None] | None) -> Iterator[dict[str, int]]:
    jobs = [(hub, world.seed, world.scale, directory) for hub in world.hubs]
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    if workers <= 1:
        for job in jobs:
            yield _write_hub(job)
            if progress:
                progress(1)
        return
    # hubs are independent and seeded by name, so the order they finish in changes nothing
    with ProcessPoolExecutor(workers) as pool:
        for counts in pool.map(_write_hub, jobs):
            yield counts
            if progress:
                progress(1)


def _write_hub(job: tuple[Hub, int, Scale, Path]) -> dict[str, int]:
    hub, seed, scale, directory = job
    ids = Ids(seed)
    schools = {s.school_id: s for s in hub.schools}
    sources: dict[str, Iterator[Iterator[str]]] = {
        "surveys": (survey_statements(s, ids, seed, scale.student_respondents) for s in hub.schools),
        "mentoring": (mentoring_statements(m, hub, schools[m.mentee_school], _mentors(hub, m.mentor), ids, seed) for m in hub.mentoring),
        "credentials": (credential_statements(s, hub, ids, seed) for s in hub.schools),
        "lms": (lms_statements(s, hub, i, seed, scale.lms_week_probability) for i, s in enumerate(hub.schools)),
    }
    counts = {}
    for kind in KINDS:
        path = directory / f"{hub.hub_id}-{kind}.ndjson.gz"
        with NdjsonGz(path, scale.compresslevel) as out:
            for lines in sources[kind]:
                out.write(lines)
        counts[path.name] = out.lines
    return counts


def _mentors(hub: Hub, mentor: str) -> list[str]:
    """Actor keys of whoever mentors: the mentor person, or a mentor school's mentors."""
    for school in hub.schools:
        for person in school.people:
            if person.person_id == mentor:
                return [person.actor]
        if school.school_id == mentor:
            return [p.actor for p in school.role("mentor")]
    raise ValueError(f"mentor {mentor} is not in hub {hub.hub_id}")


def _replace(new: Path, old: Path) -> None:
    if old.exists():
        trash = old.with_name(f".{old.name}.old")
        shutil.rmtree(trash, ignore_errors=True)
        old.rename(trash)
        new.rename(old)
        shutil.rmtree(trash)
    else:
        new.rename(old)


if __name__ == "__main__":  # pragma: no cover - handy for profiling: python -m lat.sample.generate DIR
    print(generate(Path(sys.argv[1])))
