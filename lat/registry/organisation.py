"""The organisation registry: countries, hubs, schools, people and mentoring pairs.

A hub keeps its registry as CSV files in one directory (see docs/registry.md). Importing is
two steps, so that nothing is ever half-imported:

1. :func:`load` reads and validates every file *in memory* and collects every problem it
   finds (file, line, column, what is wrong); if there is any, it raises one
   :class:`~lat.errors.LatError` listing them all.
2. :func:`write` replaces the registry tables with the loaded rows in one DuckDB
   transaction (upsert, then delete what the files no longer hold) and re-applies school
   attribution (:func:`lat.registry.attribution.apply`) in that same transaction.

:func:`import_dir` does both. :func:`normalise_actor` turns a registry actor string into the
key :func:`lat.xapi.fields.actor_key` gives the same agent in a statement.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import duckdb

if TYPE_CHECKING:  # pyarrow is imported when the registry is written (see _replace)
    import pyarrow as pa

from lat.errors import LatError
from lat.xapi import vocab
from lat.xapi.fields import actor_key

# Default school language by country id (ISO 639-1), used when schools.csv has no language.
LANGUAGE_BY_COUNTRY: dict[str, str] = {"EE": "et", "FI": "fi", "LT": "lt", "GE": "ka", "PL": "pl"}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COUNT = re.compile(r"^\d+$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


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


# --- actors --------------------------------------------------------------------------------


def normalise_actor(value: str) -> str:
    """The statement actor key (see :func:`lat.xapi.fields.actor_key`) for a registry actor string.

    Accepted forms: ``mailto:name@host`` (lower-cased), ``sha1:<40 hex>`` (the mbox_sha1sum,
    lower-cased), ``homePage|name`` (an account, kept as is) and any other URI (an openid,
    kept as is). Raises :class:`ValueError` with the reason for anything else.
    """
    text = value.strip()
    lower = text.lower()
    if lower.startswith("mailto:"):
        if "@" not in text[len("mailto:") :]:
            raise ValueError(f"'{text}' has no email address after 'mailto:'")
        return _key({"mbox": text})
    if lower.startswith("sha1:"):
        if not _SHA1.match(text[len("sha1:") :]):
            raise ValueError(f"'{text}' is not 'sha1:' followed by 40 hexadecimal digits")
        return _key({"mbox_sha1sum": text[len("sha1:") :]})
    if "|" in text:
        home_page, _, name = text.partition("|")
        if not re.match(r"^https?://\S+$", home_page) or not name:
            raise ValueError(f"'{text}' is not an account 'homePage|name' (homePage an http(s) URL, name not empty)")
        return _key({"account": {"homePage": home_page, "name": name}})
    if _URI.match(text):
        return _key({"openid": text})
    hint = f"; write an email address as 'mailto:{text}'" if "@" in text else ""
    raise ValueError(f"'{text}' is not an xAPI actor (mailto:..., sha1:<hex>, homePage|name or an openid URI){hint}")


def _key(agent: dict[str, Any]) -> str:
    key = actor_key(agent)
    assert key is not None  # every branch above passes an identified agent
    return key


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
    "schools": FileSpec(
        "schools.csv", ("school_id", "name", "country", "hub", "level", "teachers", "students"), ("language",)
    ),
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
class _Checker:
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
        return self.directory / SPECS[table].name

    def problem(self, table: str, row: Row, column: str | None, message: str) -> None:
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
        value = self.required(table, row, column)
        if value is None:
            return None
        if value.lower() not in allowed:
            self.problem(table, row, column, f"'{value}' is not one of {', '.join(allowed)}")
            return None
        return value.lower()

    def count(self, table: str, row: Row, column: str) -> int | None:
        value = self.required(table, row, column)
        if value is None:
            return None
        if not _COUNT.match(value):
            self.problem(table, row, column, f"'{value}' is not a head count (a whole number >= 0, e.g. 42)")
            return None
        return int(value)

    def day(self, table: str, row: Row, column: str, *, optional: bool = False) -> date | None:
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


def _countries(c: _Checker, rows: list[Row]) -> list[Country]:
    c.country_ids = c.unique_ids("countries", rows, "country_id")
    out = []
    for row in rows:
        country_id, name = c.required("countries", row, "country_id"), c.required("countries", row, "name")
        if country_id and name:
            out.append(Country(country_id, name))
    return out


def _hubs(c: _Checker, rows: list[Row]) -> list[Hub]:
    c.unique_ids("hubs", rows, "hub_id")
    # hub -> its country; None when that is itself wrong (reported once, on hubs.csv)
    c.hub_country = {
        row["hub_id"]: row["country"] if c.country_ids is None or row["country"] in c.country_ids else None
        for row in reversed(rows)
        if row["hub_id"]
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


def _schools(c: _Checker, rows: list[Row]) -> list[School]:
    c.school_ids = c.unique_ids("schools", rows, "school_id")
    return [school for row in rows if (school := _school(c, row)) is not None]


def _school(c: _Checker, row: Row) -> School | None:
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
    if (school_id is None or name is None or country is None or hub is None or level is None or teachers is None
            or students is None or language is False):
        return None
    return School(school_id, name, country, hub, level, teachers, students, language or None)


def _language(c: _Checker, row: Row, country: str | None) -> str | Literal[False] | None:
    """The school's language, defaulted from its country; ``False`` after reporting a bad code."""
    value = row["language"].lower()
    if not value:
        return LANGUAGE_BY_COUNTRY.get((country or "").upper())
    if not _LANGUAGE.match(value):
        c.problem("schools", row, "language", f"'{row['language']}' is not a two-letter ISO 639-1 code (e.g. et, fi, pl)")
        return False
    return value


def _people(c: _Checker, rows: list[Row]) -> list[Person]:
    c.person_ids = c.unique_ids("people", rows, "person_id")
    for row in rows:  # mentoring.csv names a mentor by person_id or school_id: they must not clash
        if c.school_ids and row["person_id"] in c.school_ids:
            c.problem("people", row, "person_id", f"'{row['person_id']}' is also a school_id; mentoring.csv could not tell them apart")
    actors: dict[str, int] = {}
    return [person for row in rows if (person := _person(c, row, actors)) is not None]


def _person(c: _Checker, row: Row, actors: dict[str, int]) -> Person | None:
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


def _actor(c: _Checker, row: Row, actors: dict[str, int]) -> str | Literal[False] | None:
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


def _mentoring(c: _Checker, rows: list[Row]) -> list[Mentoring]:
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


def _pair(c: _Checker, row: Row) -> Mentoring | None:
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
_VALIDATORS: dict[str, Callable[[_Checker, list[Row]], Sequence[object]]] = {
    "countries": _countries,
    "hubs": _hubs,
    "schools": _schools,
    "people": _people,
    "mentoring": _mentoring,
}


def load(directory: Path) -> Registry:
    """Read and validate the registry CSV files in ``directory``.

    Raises :class:`RegistryInvalid` (a :class:`LatError`) listing every problem found.
    """
    if not directory.is_dir():
        raise LatError(f"registry directory {directory} does not exist (it should hold countries.csv, hubs.csv, schools.csv)")
    checker = _Checker(directory)
    registry = Registry()
    for table, validate in _VALIDATORS.items():
        rows = read_rows(checker.path(table), SPECS[table], checker.issues)
        if rows is not None:
            setattr(registry, table, validate(checker, rows))
    if checker.issues:
        raise RegistryInvalid(directory, checker.issues)
    return registry


# --- writing -------------------------------------------------------------------------------

# table -> (key column or None for "replace all", columns in schema order)
_COLUMNS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "countries": ("country_id", ("country_id", "name")),
    "hubs": ("hub_id", ("hub_id", "name", "country")),
    "schools": ("school_id", ("school_id", "name", "country", "hub", "level", "teachers", "students", "language")),
    "people": ("person_id", ("person_id", "school", "role", "actor")),
    "mentoring": (None, ("mentor", "mentee_school", "start", "end")),
}


def write(con: duckdb.DuckDBPyConnection, registry: Registry) -> int:
    """Make the store's registry tables hold exactly ``registry``, in one transaction.

    Rows are upserted by id, rows the files no longer hold are deleted (the directory is the
    full registry), and school attribution is re-applied. Returns the number of statements
    whose school or hub changed.
    """
    from lat.registry import attribution  # the registry and attribution depend on each other's tables only

    con.execute("BEGIN TRANSACTION")
    try:
        for table in TABLES:
            _replace(con, table, getattr(registry, table))
        changed = attribution.apply(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return changed


def _replace(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[object]) -> None:
    import pyarrow as pa

    key, columns = _COLUMNS[table]
    data = pa.table({column: [getattr(row, column) for row in rows] for column in columns}, schema=_arrow_schema(columns))
    view = f"_lat_new_{table}"
    quoted = ", ".join(f'"{c}"' for c in columns)
    con.register(view, data)
    try:
        if key is None:  # no natural key (a pair may repeat over time): replace the whole table
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM {view}")
            return
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c != key)
        con.execute(
            f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM {view} ON CONFLICT ({key}) DO UPDATE SET {updates}"
        )
        con.execute(f"DELETE FROM {table} WHERE {key} NOT IN (SELECT {key} FROM {view})")
    finally:
        con.unregister(view)


def _arrow_schema(columns: tuple[str, ...]) -> pa.Schema:
    import pyarrow as pa

    types = {"teachers": pa.int32(), "students": pa.int32(), "start": pa.date32(), "end": pa.date32()}
    return pa.schema([(c, types.get(c, pa.string())) for c in columns])


@dataclass(frozen=True)
class ImportResult:
    """What a registry import did: rows per table and statements reattributed."""

    counts: dict[str, int]  # rows per table after the import
    reattributed: int  # statements whose school or hub changed


def import_dir(con: duckdb.DuckDBPyConnection, directory: Path) -> ImportResult:
    """Validate ``directory`` fully, then write it (see :func:`load` and :func:`write`)."""
    registry = load(directory)
    changed = write(con, registry)
    return ImportResult(registry.counts(), changed)


# --- reading back --------------------------------------------------------------------------


def overview(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Rows per registry table, and per hub its schools, teachers (head count) and mentoring pairs."""
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}
    hubs = con.execute(
        """
        SELECT h.hub_id, h.name, h.country,
               (SELECT count(*) FROM schools s WHERE s.hub = h.hub_id) AS schools,
               (SELECT coalesce(sum(s.teachers), 0) FROM schools s WHERE s.hub = h.hub_id) AS teachers,
               (SELECT count(*) FROM mentoring m JOIN schools s ON s.school_id = m.mentee_school
                 WHERE s.hub = h.hub_id) AS mentoring_pairs
        FROM hubs h ORDER BY h.hub_id
        """
    ).fetchall()
    keys = ("hub_id", "name", "country", "schools", "teachers", "mentoring_pairs")
    return {"tables": counts, "hubs": [dict(zip(keys, (*row[:3], *map(int, row[3:])), strict=True)) for row in hubs]}

