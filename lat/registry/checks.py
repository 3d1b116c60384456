"""Reading the registry's CSV files and checking every row: each problem becomes an
:class:`~lat.registry.model.Issue` naming the file, line and column, never an exception."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from lat.registry.model import Country, Hub, Issue, Mentoring, Person, School
from lat.xapi import vocab
from lat.xapi.fields import normalise_actor

# Default school language by country id (ISO 639-1), used when schools.csv has no language.
LANGUAGE_BY_COUNTRY: dict[str, str] = {"EE": "et", "FI": "fi", "LT": "lt", "GE": "ka", "PL": "pl"}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COUNT = re.compile(r"^\d+$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


# --- reading CSV files ---------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One data row: values by (lower-cased) column name, and its first line in the file."""

    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass(frozen=True)
class FileSpec:
    """A registry CSV: its file name, required and optional columns, and whether it must be there."""

    name: str
    columns: tuple[str, ...]  # required columns (values may still be optional, see checks)
    optional_columns: tuple[str, ...] = ()
    required: bool = True


SPECS: dict[str, FileSpec] = {
    "countries": FileSpec("countries.csv", ("country_id", "name")),
    "hubs": FileSpec("hubs.csv", ("hub_id", "name", "country")),
    "schools": FileSpec("schools.csv", ("school_id", "name", "country", "hub", "level", "teachers", "students"), ("language",)),
    "people": FileSpec("people.csv", ("person_id", "school", "role", "actor"), required=False),
    "mentoring": FileSpec("mentoring.csv", ("mentor", "mentee_school", "start", "end"), required=False),
}


def read_rows(path: Path, spec: FileSpec, issues: list[Issue]) -> list[Row] | None:
    """The data rows of one CSV file, or ``None`` when the file cannot be used at all.

    Problems (missing file or column, rows with the wrong number of values) go to ``issues``.
    """
    if not path.is_file():
        if spec.required:
            issues.append(Issue(path, None, None, f"file is missing (every registry needs {spec.name})"))
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: tolerate the BOM spreadsheets write
    except UnicodeDecodeError as exc:
        issues.append(Issue(path, None, None, f"is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"))
        return None
    try:
        return _parse(path, text, spec, issues)
    except csv.Error as exc:
        issues.append(Issue(path, None, None, f"is not readable CSV: {exc}"))
        return None


def _parse(path: Path, text: str, spec: FileSpec, issues: list[Issue]) -> list[Row] | None:
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    header = [name.strip().lower() for name in next(reader, [])]
    if not any(header):
        issues.append(Issue(path, 1, None, f"is empty; the header must be {','.join(spec.columns)}"))
        return None
    missing = [c for c in spec.columns if c not in header]
    for column in missing:
        issues.append(Issue(path, 1, column, f"missing column (the header must hold {','.join(spec.columns)})"))
    if missing:
        return None
    rows: list[Row] = []
    line = reader.line_num + 1  # first line of the next row; quoted values may span lines
    for values in reader:
        if any(v.strip() for v in values):
            if len(values) != len(header):
                issues.append(Issue(path, line, None, f"has {len(values)} values but the header has {len(header)} columns"))
            else:
                rows.append(Row(line, {c: v.strip() for c, v in zip(header, values, strict=True)}))
        line = reader.line_num + 1
    return rows


# --- validation ----------------------------------------------------------------------------


@dataclass
class Checker:
    """Validation state of one import: the issues so far and the ids each file defines.

    A set of ids is ``None`` when its file could not be read; references to it are then not
    checked, so one broken header does not bury the real problem under hundreds of
    "unknown ..." lines.
    """

    directory: Path
    issues: list[Issue] = field(default_factory=list)
    hub_country: dict[str, str | None] | None = None
    country_ids: set[str] | None = None
    school_ids: set[str] | None = None
    person_ids: set[str] | None = None

    def path(self, table: str) -> Path:
        """The CSV file of ``table`` in the registry directory."""
        return self.directory / SPECS[table].name

    def problem(self, table: str, row: Row, column: str | None, message: str) -> None:
        """Record an issue at ``row`` (and ``column``) of ``table``'s file."""
        self.issues.append(Issue(self.path(table), row.line, column, message))

    def required(self, table: str, row: Row, column: str) -> str | None:
        """The value of a column that must not be empty (an issue and ``None`` if it is)."""
        value = row[column]
        if not value:
            self.problem(table, row, column, "is empty")
            return None
        return value

    def unique_ids(self, table: str, rows: list[Row], column: str) -> set[str]:
        """The ids of a file, reporting duplicates (all rows count, so references still resolve)."""
        first: dict[str, int] = {}
        for row in rows:
            value = row[column]
            if value and value in first:
                self.problem(table, row, column, f"duplicate id '{value}' (first on line {first[value]})")
            elif value:
                first[value] = row.line
        return set(first)

    def choice(self, table: str, row: Row, column: str, allowed: tuple[str, ...]) -> str | None:
        """The value of ``column`` when it is one of ``allowed`` (an issue and ``None`` otherwise)."""
        value = self.required(table, row, column)
        if value is None:
            return None
        if value.lower() not in allowed:
            self.problem(table, row, column, f"'{value}' is not one of {', '.join(allowed)}")
            return None
        return value.lower()

    def count(self, table: str, row: Row, column: str) -> int | None:
        """A head count (a whole number >= 0) of a required column (an issue and ``None`` otherwise)."""
        value = self.required(table, row, column)
        if value is None:
            return None
        if not _COUNT.match(value):
            self.problem(table, row, column, f"'{value}' is not a head count (a whole number >= 0, e.g. 42)")
            return None
        return int(value)

    def day(self, table: str, row: Row, column: str, *, optional: bool = False) -> date | None:
        """A ``YYYY-MM-DD`` date of ``column`` (an issue and ``None`` when malformed, or empty unless ``optional``)."""
        value = row[column]
        if not value:
            if not optional:
                self.problem(table, row, column, "is empty (a date like 2025-09-01)")
            return None
        try:
            if not _DATE.match(value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.problem(table, row, column, f"'{value}' is not a date YYYY-MM-DD (e.g. 2025-09-01)")
            return None

    def reference(self, table: str, row: Row, column: str, known: set[str] | None, what: str, where: str) -> bool:
        """Whether a non-empty value names a known id (``known is None``: not checkable, accepted)."""
        value = row[column]
        if known is not None and value not in known:
            self.problem(table, row, column, f"unknown {what} '{value}' ({where})")
            return False
        return True


def _countries(c: Checker, rows: list[Row]) -> list[Country]:
    c.country_ids = c.unique_ids("countries", rows, "country_id")
    out = []
    for row in rows:
        country_id, name = c.required("countries", row, "country_id"), c.required("countries", row, "name")
        if country_id and name:
            out.append(Country(country_id, name))
    return out


def _hubs(c: Checker, rows: list[Row]) -> list[Hub]:
    c.unique_ids("hubs", rows, "hub_id")
    # hub -> its country; None when that is itself wrong (reported once, on hubs.csv)
    c.hub_country = {
        row["hub_id"]: row["country"] if c.country_ids is None or row["country"] in c.country_ids else None for row in reversed(rows) if row["hub_id"]
    }
    out = []
    for row in rows:
        hub_id, name = c.required("hubs", row, "hub_id"), c.required("hubs", row, "name")
        country = c.required("hubs", row, "country")
        if country and not c.reference("hubs", row, "country", c.country_ids, "country", "not in countries.csv"):
            country = None
        if hub_id and name and country:
            out.append(Hub(hub_id, name, country))
    return out


def _schools(c: Checker, rows: list[Row]) -> list[School]:
    c.school_ids = c.unique_ids("schools", rows, "school_id")
    return [school for row in rows if (school := _school(c, row)) is not None]


def _school(c: Checker, row: Row) -> School | None:
    t = "schools"
    school_id, name = c.required(t, row, "school_id"), c.required(t, row, "name")
    country, hub = c.required(t, row, "country"), c.required(t, row, "hub")
    if country and not c.reference(t, row, "country", c.country_ids, "country", "not in countries.csv"):
        country = None
    hubs = None if c.hub_country is None else set(c.hub_country)
    if hub and not c.reference(t, row, "hub", hubs, "hub", "not in hubs.csv"):
        hub = None
    if country and hub and c.hub_country and c.hub_country[hub] not in (None, country):
        c.problem(t, row, "hub", f"hub '{hub}' is in country '{c.hub_country[hub]}', but the school is in '{country}'")
        hub = None
    level = c.choice(t, row, "level", vocab.SCHOOL_LEVELS)
    teachers, students = c.count(t, row, "teachers"), c.count(t, row, "students")
    language = _language(c, row, country)
    if school_id is None or name is None or country is None or hub is None or level is None or teachers is None or students is None or language is False:
        return None
    return School(school_id, name, country, hub, level, teachers, students, language or None)


def _language(c: Checker, row: Row, country: str | None) -> str | Literal[False] | None:
    """The school's language, defaulted from its country; ``False`` after reporting a bad code."""
    value = row["language"].lower()
    if not value:
        return LANGUAGE_BY_COUNTRY.get((country or "").upper())
    if not _LANGUAGE.match(value):
        c.problem("schools", row, "language", f"'{row['language']}' is not a two-letter ISO 639-1 code (e.g. et, fi, pl)")
        return False
    return value


def _people(c: Checker, rows: list[Row]) -> list[Person]:
    c.person_ids = c.unique_ids("people", rows, "person_id")
    for row in rows:  # mentoring.csv names a mentor by person_id or school_id: they must not clash
        if c.school_ids and row["person_id"] in c.school_ids:
            c.problem("people", row, "person_id", f"'{row['person_id']}' is also a school_id; mentoring.csv could not tell them apart")
    actors: dict[str, int] = {}
    return [person for row in rows if (person := _person(c, row, actors)) is not None]


def _person(c: Checker, row: Row, actors: dict[str, int]) -> Person | None:
    t = "people"
    person_id = c.required(t, row, "person_id")
    role = c.choice(t, row, "role", vocab.PERSON_ROLES)
    school: str | None = row["school"] or None
    ok = person_id is not None and role is not None
    if school is None and role in ("leader", "teacher", "student"):
        c.problem(t, row, "school", f"is empty; a {role} belongs to a school (only mentors and coordinators may have none)")
        ok = False
    elif school is not None and not c.reference(t, row, "school", c.school_ids, "school", "not in schools.csv"):
        ok = False
    actor = _actor(c, row, actors)
    if actor is False:
        return None
    if not ok or person_id is None or role is None:  # ok implies both are set; mypy cannot follow it
        return None
    return Person(person_id, school, role, actor)


def _actor(c: Checker, row: Row, actors: dict[str, int]) -> str | Literal[False] | None:
    """The normalised actor, ``None`` when empty, ``False`` after reporting a problem."""
    if not row["actor"]:
        return None
    try:
        key = normalise_actor(row["actor"])
    except ValueError as exc:
        c.problem("people", row, "actor", str(exc))
        return False
    if key in actors:  # attribution maps an actor to one school: one person per actor
        c.problem("people", row, "actor", f"actor '{key}' is already person on line {actors[key]}")
        return False
    actors[key] = row.line
    return key


def _mentoring(c: Checker, rows: list[Row]) -> list[Mentoring]:
    seen: dict[tuple[str, str, str], int] = {}
    out = []
    for row in rows:
        pair = _pair(c, row)
        key = (row["mentor"], row["mentee_school"], row["start"])
        if key in seen:
            c.problem("mentoring", row, "mentor", f"duplicate pair (same mentor, mentee school and start as line {seen[key]})")
        elif pair is not None:
            seen[key] = row.line
            out.append(pair)
    return out


def _pair(c: Checker, row: Row) -> Mentoring | None:
    t = "mentoring"
    mentor, mentee = c.required(t, row, "mentor"), c.required(t, row, "mentee_school")
    known = None if c.school_ids is None else c.school_ids | (c.person_ids or set())
    if mentor and not c.reference(t, row, "mentor", known, "mentor", "neither a person_id in people.csv nor a school_id"):
        mentor = None
    if mentee and not c.reference(t, row, "mentee_school", c.school_ids, "mentee school", "not in schools.csv"):
        mentee = None
    if mentor and mentor == mentee:
        c.problem(t, row, "mentee_school", f"school '{mentee}' cannot mentor itself")
        mentee = None
    start, end = c.day(t, row, "start"), c.day(t, row, "end", optional=True)
    if start and end and end < start:
        c.problem(t, row, "end", f"{end} is before the start {start}")
        return None
    if mentor and mentee and start and (end or not row["end"]):
        return Mentoring(mentor, mentee, start, end)
    return None


# Files in dependency order: each one's references are checked against those before it.
VALIDATORS: dict[str, Callable[[Checker, list[Row]], Sequence[object]]] = {
    "countries": _countries,
    "hubs": _hubs,
    "schools": _schools,
    "people": _people,
    "mentoring": _mentoring,
}
