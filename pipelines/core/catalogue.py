"""The mart catalogue: every mart ``lat compute`` publishes, its level and its columns.

The level tells access control how to scope a mart: ``school`` marts are filtered by the
school column, ``hub`` by hub, ``country`` by country; ``registry`` marts describe the
organisation (no indicator values). Each column maps to a definition key in
:mod:`pipelines.core.definitions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["school", "hub", "country", "registry"]
LEVELS: tuple[str, ...] = ("school", "hub", "country", "registry")


@dataclass(frozen=True)
class Mart:
    """A published table: ``LAT_HOME/marts/current/<name>.parquet`` and DuckDB ``mart_<name>``."""

    name: str
    level: Level
    description: str
    columns: dict[str, str] = field(default_factory=dict)  # column -> definition key
    # Roles that may read the mart at all (None: every role its level allows). Marts that set
    # one school beside another (pairing) go to the roles that see both schools' figures.
    readers: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"mart {self.name}: level must be one of {LEVELS}, not {self.level!r}")


MARTS: dict[str, Mart] = {}


def as_data(marts: dict[str, Mart]) -> dict[str, dict[str, object]]:
    """The catalogue as published beside the marts (``lat.store.marts.CATALOGUE_FILE``)."""
    return {
        name: {"level": m.level, "description": m.description, "columns": dict(m.columns), "readers": None if m.readers is None else sorted(m.readers)}
        for name, m in marts.items()
    }


def register_mart(mart: Mart) -> Mart:
    """Declare a mart (at import time of the module that computes it)."""
    MARTS[mart.name] = mart
    return mart


def mart(name: str) -> Mart:
    """The declared mart ``name``; KeyError names the known ones."""
    try:
        return MARTS[name]
    except KeyError:
        raise KeyError(f"unknown mart {name!r}; known: {', '.join(sorted(MARTS))}") from None
