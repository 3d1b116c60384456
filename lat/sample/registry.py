"""Write the sample world as the registry CSVs that ``lat registry import`` reads."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from lat.sample.scales import COUNTRIES
from lat.sample.world import World


def write_registry(world: World, directory: Path) -> dict[str, int]:
    """countries, hubs, schools, people and mentoring CSVs in ``directory``; rows per file."""
    directory.mkdir(parents=True, exist_ok=True)
    schools = [s for hub in world.hubs for s in hub.schools]
    tables: dict[str, tuple[Sequence[str], Iterable[Sequence[object]]]] = {
        "countries": (("country_id", "name"), ((c.id, c.name) for c in COUNTRIES)),
        "hubs": (("hub_id", "name", "country"), ((h.hub_id, h.name, h.country.id) for h in world.hubs)),
        "schools": (
            ("school_id", "name", "country", "hub", "level", "teachers", "students"),
            ((s.school_id, s.name, s.country.id, s.hub, s.level, s.teachers, s.students) for s in schools),
        ),
        "people": (
            ("person_id", "school", "role", "actor"),
            ((p.person_id, p.school, p.role, p.actor) for hub in world.hubs for p in [*hub.coordinators, *(q for s in hub.schools for q in s.people)]),
        ),
        "mentoring": (
            ("mentor", "mentee_school", "start", "end"),
            ((m.mentor, m.mentee_school, m.start.isoformat(), m.end.isoformat()) for h in world.hubs for m in h.mentoring),
        ),
    }
    counts = {}
    for name, (header, rows) in tables.items():
        counts[name] = _write_csv(directory / f"{name}.csv", header, rows)
    return counts


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        n = 0
        for row in rows:
            writer.writerow(row)
            n += 1
    return n
