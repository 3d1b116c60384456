"""A SELFIE-style survey export (CSV) read and checked whole: one row per respondent, one
column per item; every problem reported with its line and column (docs/survey-import.md)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from lat.errors import LatError
from lat.xapi import vocab

REQUIRED = ("respondent", "school", "group")
OPTIONAL = ("timestamp",)
# An area letter, then at least one digit among letters, digits, "-" and "_" (A1, C9, D-own2):
# the digit keeps stray columns such as "Comments" from passing as items of area C.
ITEM_CODE = re.compile(r"^[A-H][A-Za-z0-9_-]*[0-9][A-Za-z0-9_-]*$")
ROUND_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MAX_REPORTED = 200  # problems listed in one error; the rest are counted

_NOT_APPLICABLE_CELLS = {"", "NA", "N/A"}
_SCORE_CELL = re.compile(r"^([1-5])(?:\.0+)?$")
_VALUE_HINT = "use 1-5, empty or NA (not applicable), PNS (prefer not to say)"


@dataclass(frozen=True)
class Answer:
    """One cell of the survey: a respondent's answer to one item."""

    line: int
    column: int  # 1-based, as a spreadsheet counts
    school: str
    respondent: str  # as in the file; replaced by a pseudonym before it becomes a statement
    group: str
    item: str
    response: str  # "1".."5", "na" or "pns"
    timestamp: datetime

    @property
    def area(self) -> str:
        """The item's area: its first letter."""
        return self.item[0]

    @property
    def score(self) -> int | None:
        """The response as a score 1-5, None when not applicable or preferred not to say."""
        return int(self.response) if self.response in vocab.LIKERT else None


@dataclass
class Survey:
    """A survey file that passed every check."""

    path: Path
    items: list[str]
    answers: list[Answer] = field(default_factory=list)

    @property
    def respondents(self) -> int:
        """The number of respondents (a respondent counted once per school they answered for)."""
        return len({(a.school, a.respondent) for a in self.answers})

    @property
    def schools(self) -> list[str]:
        """The schools that answered, sorted."""
        return sorted({a.school for a in self.answers})


class Problems:
    """Problems found in one file, each with its place; raised together as one LatError."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: list[str] = []

    def add(self, message: str, line: int | None = None, column: int | None = None, name: str | None = None) -> None:
        """Note a problem at ``line`` and ``column`` (the item ``name``), when known."""
        place = ""
        if line is not None:
            place = f"line {line}"
            if column is not None:
                place += f", column {column}" + (f" ({name})" if name else "")
            place += ": "
        self.lines.append(place + message)

    def raise_if_any(self) -> None:
        """Raise every problem noted, as one LatError; nothing when there is none."""
        if not self.lines:
            return
        shown = self.lines[:MAX_REPORTED]
        more = len(self.lines) - len(shown)
        tail = [f"... and {more} more"] if more else []
        count = f"{len(self.lines)} problem" + ("s" if len(self.lines) != 1 else "")
        raise LatError("\n  ".join([f"{self.path}: {count}; nothing was imported:", *shown, *tail]))


# --- reading and checking -------------------------------------------------------------------


def check_round(label: str) -> str:
    """The round label goes into an IRI: letters, digits, '.', '_' and '-' only."""
    label = label.strip()
    if not ROUND_LABEL.match(label):
        raise LatError(f"--round {label!r} is not a round label: use letters, digits, '.', '_' or '-' (e.g. 2025-autumn).")
    return label


def parse_time(text: str) -> datetime:
    """An ISO 8601 date or date-time; without a zone it is UTC. ValueError if unreadable."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = date.fromisoformat(text)
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_value(text: str) -> str:
    """The result.response of a cell: "1".."5", "na" or "pns"; ValueError otherwise."""
    cell = text.strip().upper()
    if cell in _NOT_APPLICABLE_CELLS:
        return vocab.NOT_APPLICABLE
    if cell == "PNS":
        return vocab.PREFER_NOT_TO_SAY
    if match := _SCORE_CELL.match(cell):
        return match.group(1)
    raise ValueError(text)


def read_survey(path: Path, *, default_time: datetime) -> Survey:
    """Read and check a survey CSV; LatError listing every problem if any cell is bad."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LatError(f"{path}: no such file.") from None
    except UnicodeDecodeError as exc:
        raise LatError(f"{path}: not UTF-8 text (byte {exc.start}); save the export as CSV UTF-8.") from None
    rows = _rows(text)
    problems = Problems(path)
    if not rows:
        problems.add("the file is empty; expected a header row 'respondent,school,group,A1,...'.")
        problems.raise_if_any()
    header_line, header = rows[0]
    columns = _read_header(header, header_line, problems)
    problems.raise_if_any()
    survey = Survey(path=path, items=[name for name in columns.values() if name not in REQUIRED + OPTIONAL])
    seen: dict[tuple[str, str], int] = {}
    for line, cells in rows[1:]:
        survey.answers.extend(_read_row(line, cells, columns, len(header), default_time, seen, problems))
    if len(rows) == 1:
        problems.add("the file has a header but no respondents.")
    problems.raise_if_any()
    return survey


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank CSV rows with the line each starts on (quoted cells may span lines)."""
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample.splitlines()[0], delimiters=",;\t")
    except (csv.Error, IndexError):
        dialect = csv.excel  # one-column files and the like: plain commas
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = []
    start = 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            rows.append((start, cells))
        start = reader.line_num + 1
    return rows


def _read_header(header: Sequence[str], line: int, problems: Problems) -> dict[int, str]:
    """Column index -> normalised name (fixed columns lower-case, item codes upper-case area)."""
    columns: dict[int, str] = {}
    first_seen: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = raw.strip()
        if name.lower() in REQUIRED + OPTIONAL:
            name = name.lower()
        elif name[:1].upper() in vocab.AREAS:
            name = name[0].upper() + name[1:]
        if name not in REQUIRED + OPTIONAL and not ITEM_CODE.match(name):
            problems.add(
                f"{raw!r} is not a column of a survey file: expected respondent, school, group, timestamp "
                "or an item code (an area letter A-H, then letters or digits, e.g. A1 or C9).",
                line,
                index + 1,
            )
            continue
        if name in first_seen:
            problems.add(f"column {name} appears twice (first as column {first_seen[name] + 1}).", line, index + 1)
            continue
        first_seen[name] = index
        columns[index] = name
    missing = [name for name in REQUIRED if name not in first_seen]
    if missing:
        problems.add(f"the header lacks the column(s) {', '.join(missing)}; found: {', '.join(h.strip() for h in header)}.", line)
    elif len(first_seen) == len(REQUIRED) + ("timestamp" in first_seen):
        problems.add("the header has no item columns (A1, A2, ... H3).", line)
    return columns


def _read_row(
    line: int,
    cells: list[str],
    columns: dict[int, str],
    width: int,
    default_time: datetime,
    seen: dict[tuple[str, str], int],
    problems: Problems,
) -> list[Answer]:
    if len(cells) != width:
        problems.add(f"the row has {len(cells)} cells but the header has {width}.", line)
        return []
    fixed = {name: cells[index].strip() for index, name in columns.items() if name in REQUIRED + OPTIONAL}
    position = {name: index + 1 for index, name in columns.items()}
    ok = True
    for name in REQUIRED:
        if not fixed[name]:
            problems.add(f"{name} is empty.", line, position[name], name)
            ok = False
    group = fixed["group"].lower()
    if fixed["group"] and group not in vocab.GROUPS:
        problems.add(f"{fixed['group']!r} is not a respondent group: use {', '.join(vocab.GROUPS)}.", line, position["group"], "group")
        ok = False
    moment = default_time
    if fixed.get("timestamp"):
        try:
            moment = parse_time(fixed["timestamp"])
        except ValueError:
            problems.add(
                f"{fixed['timestamp']!r} is not an ISO 8601 date or time (e.g. 2025-03-14 or 2025-03-14T10:30:00Z).",
                line,
                position["timestamp"],
                "timestamp",
            )
            ok = False
    key = (fixed["school"], fixed["respondent"].casefold())
    if fixed["school"] and fixed["respondent"]:
        if key in seen:
            problems.add(f"the same respondent of school {fixed['school']} already answered on line {seen[key]}.", line)
            ok = False
        else:
            seen[key] = line
    answers = []
    for index, item in columns.items():
        if item in REQUIRED + OPTIONAL:
            continue
        try:
            response = parse_value(cells[index])
        except ValueError:
            problems.add(f"{cells[index]!r} is not an answer: {_VALUE_HINT}.", line, index + 1, item)
            ok = False
            continue
        answers.append(Answer(line, index + 1, fixed["school"], fixed["respondent"], group, item, response, moment))
    return answers if ok else []


def check_schools(survey: Survey, known: Iterable[str]) -> None:
    """Every school must be in the registry (which must not be empty): LatError otherwise."""
    known = set(known)
    if not known:
        raise LatError(
            f"{survey.path}: the registry has no schools, so the school ids cannot be checked; "
            "import the registry first ('lat registry import DIR'). Nothing was imported."
        )
    problems = Problems(survey.path)
    reported: set[tuple[int, str]] = set()
    for answer in survey.answers:
        if answer.school not in known and (answer.line, answer.school) not in reported:
            reported.add((answer.line, answer.school))
            problems.add(f"school {answer.school!r} is not in the registry.", answer.line, None)
    problems.raise_if_any()
