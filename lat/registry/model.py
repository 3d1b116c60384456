"""The registry in memory: countries, hubs, schools, people and mentoring pairs, and the
problems found while reading them (:class:`Issue`, :class:`RegistryInvalid`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lat.errors import LatError

# --- the registry in memory ------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    """A country: its id and name."""

    country_id: str
    name: str


@dataclass(frozen=True)
class Hub:
    """A hub: its id, name and country."""

    hub_id: str
    name: str
    country: str


@dataclass(frozen=True)
class School:
    """A school: its hub and country, level, size (teachers, students) and language."""

    school_id: str
    name: str
    country: str
    hub: str
    level: str
    teachers: int
    students: int
    language: str | None


@dataclass(frozen=True)
class Person:
    """A person of the registry: their school (if any), role and xAPI actor."""

    person_id: str
    school: str | None
    role: str
    actor: str | None  # normalised, as lat.xapi.fields.actor_key writes it


@dataclass(frozen=True)
class Mentoring:
    """A mentoring pair: mentor, mentee school and dates (an open end: still running)."""

    mentor: str  # a person_id or a school_id
    mentee_school: str
    start: date
    end: date | None


@dataclass
class Registry:
    """Validated registry rows, ready to be written."""

    countries: list[Country] = field(default_factory=list)
    hubs: list[Hub] = field(default_factory=list)
    schools: list[School] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    mentoring: list[Mentoring] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Rows per registry table."""
        return {name: len(getattr(self, name)) for name in TABLES}


TABLES = ("countries", "hubs", "schools", "people", "mentoring")


# --- problems ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One problem in one file; ``line`` 1 is the header, ``None`` means the whole file."""

    file: Path
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else str(self.file)
        column = f" column '{self.column}':" if self.column else ""
        return f"{where}:{column} {self.message}"


class RegistryInvalid(LatError):
    """The registry files have problems; ``issues`` lists every one of them."""

    def __init__(self, directory: Path, issues: list[Issue]) -> None:
        self.issues = issues
        noun = "problem" if len(issues) == 1 else "problems"
        lines = "\n".join(f"  {issue}" for issue in issues)
        super().__init__(f"registry {directory} has {len(issues)} {noun}; nothing was imported:\n{lines}")
