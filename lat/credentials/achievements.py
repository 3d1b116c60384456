"""The achievements file: who awards what, in which rounds, for which evidence.

A TOML file (read with :mod:`tomllib`) with three parts; docs/credentials.md has the full
format and the rule language:

* ``[issuer]`` the awarding body (name, country, url);
* ``[rounds.<label>]`` date windows (``from``, ``to``, inclusive) that criteria count within;
* ``[[achievement]]`` one table per achievement: the EU Council Recommendation (2022)
  elements and ``[achievement.criteria]``, a rule tree.

Every problem is reported as a :class:`~lat.errors.LatError` naming the file and the place in
it (``achievement 'x': criteria.all[1]: ...``), never as a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from lat.errors import LatError
from lat.xapi import vocab

# Short names accepted in rules, besides full IRIs.
VERBS: dict[str, str] = {
    "answered": vocab.ANSWERED, "attended": vocab.ATTENDED, "set": vocab.SET, "achieved": vocab.ACHIEVED,
    "completed": vocab.COMPLETED, "observed": vocab.OBSERVED, "earned": vocab.EARNED, "viewed": vocab.VIEWED,
    "submitted": vocab.SUBMITTED, "attempted": vocab.ATTEMPTED,
}  # fmt: skip
ACTIVITY_TYPES: dict[str, str] = {
    "meeting": vocab.MEETING, "goal": vocab.GOAL, "objective": vocab.OBJECTIVE, "lesson": vocab.LESSON,
    "badge": vocab.BADGE, "survey": vocab.SURVEY, "interaction": vocab.CMI_INTERACTION,
    "competence": vocab.COMPETENCE, "initiative": vocab.INITIATIVE, "course": vocab.COURSE,
}  # fmt: skip
# comparison key -> (symbol, words)
COMPARISONS: dict[str, tuple[str, str]] = {
    "at_least": (">=", "at least"), "at_most": ("<=", "at most"), "more_than": (">", "more than"),
    "less_than": ("<", "less than"), "equals": ("==", "exactly"),
}  # fmt: skip
SUBJECTS = ("person", "school")
PARTICIPATION = ("online", "onsite", "blended")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_ROUND = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_ACHIEVEMENT_KEYS = {
    "id", "name", "description", "subject", "roles", "learning_outcomes", "workload", "workload_hours", "level",
    "eqf_level", "assessment", "participation", "quality_assurance", "criteria", "narrative", "tags",
}  # fmt: skip


@dataclass(frozen=True)
class Issuer:
    """The awarding body named in every credential (the EU's 'awarding body' and 'issuer country')."""

    name: str
    country: str  # ISO 3166-1 alpha-2
    url: str | None = None


@dataclass(frozen=True)
class Round:
    """A labelled date window; statements count when their timestamp's UTC date is in it."""

    label: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Comparison:
    """``value <op> threshold``."""

    key: str  # one of COMPARISONS
    threshold: float | bool

    def holds(self, value: float | bool | None) -> bool:
        """Whether ``value`` meets the comparison; a missing value never does."""
        if value is None:
            return False
        if self.key == "equals":
            return value == self.threshold
        v, t = float(value), float(self.threshold)
        return {"at_least": v >= t, "at_most": v <= t, "more_than": v > t, "less_than": v < t}[self.key]

    def words(self) -> str:
        """The comparison in words, e.g. 'at least 3'."""
        threshold = self.threshold
        shown = str(threshold).lower() if isinstance(threshold, bool) else f"{threshold:g}"
        return f"{COMPARISONS[self.key][1]} {shown}"


@dataclass(frozen=True)
class StatementRule:
    """Count of the subject's live statements with a verb (and activity type) in the round."""

    verb: str
    activity_type: str | None
    comparison: Comparison
    distinct: bool = False  # count distinct objects (one meeting many attended counts once)
    phase: str | None = None
    label: str = ""

    def describe(self) -> str:
        """The rule in words: its label, else e.g. "at least 3 statements 'attended' within the round"."""
        what = "distinct activities" if self.distinct else "statements"
        verb = _short(self.verb, VERBS)
        target = f" on {_short(self.activity_type, ACTIVITY_TYPES)} activities" if self.activity_type else ""
        phase = f" in the {self.phase} phase" if self.phase else ""
        return self.label or f"{self.comparison.words()} {what} '{verb}'{target}{phase} within the round"


@dataclass(frozen=True)
class IndicatorRule:
    """A school's value of a published indicator (``mart.column``) compared with a threshold."""

    mart: str
    column: str
    comparison: Comparison
    round: str | None = None  # filters the mart's ``round`` column; default: the award round
    label: str = ""
    where: tuple[tuple[str, str | int | float | bool], ...] = ()  # column = value filters (area = "A")

    def describe(self) -> str:
        """The rule in words: its label, else the indicator and the comparison."""
        return self.label or f"indicator {self.mart}.{self.column} {self.comparison.words()}"


@dataclass(frozen=True)
class Group:
    """``all`` (every rule holds) or ``any`` (at least one holds)."""

    mode: str
    rules: tuple[Rule, ...]

    def describe(self) -> str:
        """The rules in words, joined by 'and' (all) or 'or' (any), in parentheses."""
        joiner = " and " if self.mode == "all" else " or "
        return "(" + joiner.join(r.describe() for r in self.rules) + ")"


Rule = StatementRule | IndicatorRule | Group


@dataclass(frozen=True)
class Achievement:
    """One achievement definition with its EU mandatory elements and its criteria."""

    id: str
    name: str
    description: str
    subject: str  # person | school
    learning_outcomes: tuple[str, ...]
    workload: str
    level: str
    assessment: str
    participation: str
    quality_assurance: str
    criteria: Rule
    roles: tuple[str, ...] = ()
    workload_hours: float | None = None
    eqf_level: int | None = None
    narrative: str | None = None
    tags: tuple[str, ...] = ()

    def criteria_narrative(self) -> str:
        """The human-readable criteria: the file's narrative, or the rules in words."""
        rules = self.criteria.describe()
        return self.narrative or f"Awarded automatically by the hub's learning analytics when: {rules.strip('()')}."


@dataclass(frozen=True)
class Definitions:
    """The whole achievements file."""

    path: Path
    issuer: Issuer
    rounds: dict[str, Round]
    achievements: tuple[Achievement, ...] = field(default_factory=tuple)

    def achievement(self, achievement_id: str) -> Achievement:
        """The achievement with id ``achievement_id``; a LatError naming the known ones when there is none."""
        for achievement in self.achievements:
            if achievement.id == achievement_id:
                return achievement
        raise LatError(f"{self.path}: no achievement '{achievement_id}' (known: {', '.join(a.id for a in self.achievements)})")


def load(path: Path) -> Definitions:
    """Read and validate an achievements file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LatError(f"achievements file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise LatError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise LatError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse(data, path)


def parse(data: dict[str, Any], path: Path) -> Definitions:
    """Validate parsed TOML; ``path`` names the file in messages."""
    where = _Where(path)
    unknown = set(data) - {"issuer", "rounds", "achievement"}
    if unknown:
        where.fail("", f"unknown top-level key(s) {', '.join(sorted(unknown))} (expected issuer, rounds, achievement)")
    issuer = _issuer(where, _table(where, data, "issuer"))
    rounds = _rounds(where, _table(where, data, "rounds"))
    raw = data.get("achievement")
    if not isinstance(raw, list) or not raw:
        where.fail("", "no [[achievement]] tables: define at least one achievement")
    achievements = tuple(_achievement(where, i, item) for i, item in enumerate(raw))
    seen: set[str] = set()
    for achievement in achievements:
        if achievement.id in seen:
            where.fail(f"achievement '{achievement.id}'", "the id is used twice; ids must be unique")
        seen.add(achievement.id)
    return Definitions(path, issuer, rounds, achievements)


class _Where:
    """Builds messages that name the file and the place in it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, place: str, message: str) -> NoReturn:
        raise LatError(f"{self.path}: {place + ': ' if place else ''}{message}")


def _table(where: _Where, data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        where.fail("", f"missing [{key}] table")
    return value


def _text(where: _Where, place: str, data: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        where.fail(place, f"'{key}' must be a non-empty string" + ("" if value is None else f", not {value!r}"))
    return value.strip()


def _date(where: _Where, place: str, window: dict[str, Any], key: str) -> dt.date:
    value = window.get(key)
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        where.fail(place, f"'{key}' must be a TOML date such as 2025-09-01, not {value!r}")
    return value


def _issuer(where: _Where, data: dict[str, Any]) -> Issuer:
    name = _text(where, "issuer", data, "name")
    country = _text(where, "issuer", data, "country")
    if not re.fullmatch(r"[A-Z]{2}", country or ""):
        where.fail("issuer", f"'country' must be an ISO 3166-1 alpha-2 code such as EE or PL, not {country!r}")
    return Issuer(name or "", country or "", _text(where, "issuer", data, "url", required=False))


def _rounds(where: _Where, data: dict[str, Any]) -> dict[str, Round]:
    if not data:
        where.fail("rounds", "define at least one round, e.g. [rounds.2025-26] from = 2025-09-01, to = 2026-08-31")
    rounds = {}
    for label, window in data.items():
        place = f"rounds.{label}"
        if not _ROUND.match(label):
            where.fail(place, "a round label is letters, digits, '.', '_' or '-' (at most 40)")
        if not isinstance(window, dict):
            where.fail(place, "must be a table with 'from' and 'to' dates")
        start, end = _date(where, place, window, "from"), _date(where, place, window, "to")
        if end < start:
            where.fail(place, f"'to' ({end}) is before 'from' ({start})")
        rounds[label] = Round(label, start, end)
    return rounds


def _achievement(where: _Where, index: int, data: Any) -> Achievement:
    place = f"achievement[{index}]"
    if not isinstance(data, dict):
        where.fail(place, "must be a table")
    achievement_id = data.get("id")
    if not isinstance(achievement_id, str) or not _SLUG.match(achievement_id):
        where.fail(place, f"'id' must be a slug of lower-case letters, digits and '-', not {achievement_id!r}")
    place = f"achievement '{achievement_id}'"
    unknown = set(data) - _ACHIEVEMENT_KEYS
    if unknown:
        where.fail(place, f"unknown key(s) {', '.join(sorted(unknown))}")
    subject = data.get("subject", "person")
    if subject not in SUBJECTS:
        where.fail(place, f"'subject' must be one of {', '.join(SUBJECTS)}, not {subject!r}")
    participation = _text(where, place, data, "participation")
    if participation not in PARTICIPATION:
        where.fail(place, f"'participation' must be one of {', '.join(PARTICIPATION)}, not {participation!r}")
    criteria = data.get("criteria")
    if not isinstance(criteria, dict):
        where.fail(place, "missing [achievement.criteria] table (a rule: all = [...], any = [...] or one rule)")
    rule = _rule(where, f"{place}: criteria", criteria, subject)
    return Achievement(
        id=achievement_id, name=_text(where, place, data, "name") or "", description=_text(where, place, data, "description") or "",
        subject=subject, learning_outcomes=_strings(where, place, data, "learning_outcomes", required=True),
        workload=_text(where, place, data, "workload") or "", level=_text(where, place, data, "level") or "",
        assessment=_text(where, place, data, "assessment") or "", participation=participation or "",
        quality_assurance=_text(where, place, data, "quality_assurance") or "", criteria=rule,
        roles=_roles(where, place, data, subject), workload_hours=_number(where, place, data, "workload_hours"),
        eqf_level=_eqf(where, place, data), narrative=_text(where, place, data, "narrative", required=False),
        tags=_strings(where, place, data, "tags", required=False),
    )  # fmt: skip


def _strings(where: _Where, place: str, data: dict[str, Any], key: str, *, required: bool) -> tuple[str, ...]:
    value = data.get(key)
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        where.fail(place, f"'{key}' must be a non-empty list of non-empty strings")
    return tuple(v.strip() for v in value)


def _roles(where: _Where, place: str, data: dict[str, Any], subject: str) -> tuple[str, ...]:
    roles = _strings(where, place, data, "roles", required=False)
    if roles and subject == "school":
        where.fail(place, "'roles' applies to person achievements only")
    for role in roles:
        if role not in vocab.PERSON_ROLES:
            where.fail(place, f"role {role!r} is not one of {', '.join(vocab.PERSON_ROLES)}")
    return roles


def _number(where: _Where, place: str, data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        where.fail(place, f"'{key}' must be a positive number, not {value!r}")
    return float(value)


def _eqf(where: _Where, place: str, data: dict[str, Any]) -> int | None:
    value = data.get("eqf_level")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 8:
        where.fail(place, f"'eqf_level' must be an integer from 1 to 8, not {value!r}")
    return value


def _rule(where: _Where, place: str, data: Any, subject: str) -> Rule:
    if not isinstance(data, dict):
        return where.fail(place, f"a rule must be a table, not {data!r}")
    groups = [k for k in ("all", "any") if k in data]
    if groups:
        if len(data) != 1:
            where.fail(place, f"a group has only '{groups[0]}' = [rules...], found also {', '.join(sorted(set(data) - {groups[0]}))}")
        rules = data[groups[0]]
        if not isinstance(rules, list) or not rules:
            where.fail(place, f"'{groups[0]}' must be a non-empty list of rules")
        return Group(groups[0], tuple(_rule(where, f"{place}.{groups[0]}[{i}]", r, subject) for i, r in enumerate(rules)))
    if "indicator" in data:
        return _indicator_rule(where, place, data, subject)
    if "verb" in data:
        return _statement_rule(where, place, data)
    return where.fail(place, "a rule needs 'verb' (count of statements), 'indicator' (mart value), 'all' or 'any'")


def _comparison(where: _Where, place: str, data: dict[str, Any]) -> Comparison:
    keys = [k for k in COMPARISONS if k in data]
    if len(keys) != 1:
        where.fail(place, f"give exactly one comparison of {', '.join(COMPARISONS)}" + (f" (found {', '.join(keys)})" if keys else ""))
    value = data[keys[0]]
    if isinstance(value, bool) and keys[0] != "equals":
        where.fail(place, f"'{keys[0]}' needs a number, not {value!r}")
    if not isinstance(value, int | float):
        where.fail(place, f"'{keys[0]}' needs a number{' or true/false' if keys[0] == 'equals' else ''}, not {value!r}")
    return Comparison(keys[0], value)


def _statement_rule(where: _Where, place: str, data: dict[str, Any]) -> StatementRule:
    unknown = set(data) - {"verb", "object", "distinct", "phase", "label", *COMPARISONS}
    if unknown:
        where.fail(place, f"unknown key(s) {', '.join(sorted(unknown))} in a statement rule")
    verb = _iri(where, place, data.get("verb"), VERBS, "verb")
    activity_type = None if data.get("object") is None else _iri(where, place, data["object"], ACTIVITY_TYPES, "object")
    distinct = data.get("distinct", False)
    if not isinstance(distinct, bool):
        where.fail(place, f"'distinct' must be true or false, not {distinct!r}")
    phase = data.get("phase")
    if phase is not None and phase not in vocab.PHASES:
        where.fail(place, f"'phase' must be one of {', '.join(vocab.PHASES)}, not {phase!r}")
    label = data.get("label", "")
    if not isinstance(label, str):
        where.fail(place, "'label' must be a string")
    return StatementRule(verb, activity_type, _comparison(where, place, data), distinct, phase, label)


def _indicator_rule(where: _Where, place: str, data: dict[str, Any], subject: str) -> IndicatorRule:
    if subject != "school":
        where.fail(place, "'indicator' rules read school-level marts: use them in subject = \"school\" achievements")
    unknown = set(data) - {"indicator", "round", "label", "where", *COMPARISONS}
    if unknown:
        where.fail(place, f"unknown key(s) {', '.join(sorted(unknown))} in an indicator rule")
    name = data["indicator"]
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]+\.[a-z0-9_]+", name):
        where.fail(place, f"'indicator' must be 'mart.column' such as mentoring_progress.steps_completed, not {name!r}")
    mart, column = name.split(".")
    round_label = data.get("round")
    if round_label is not None and not isinstance(round_label, str):
        where.fail(place, "'round' must be a round label string")
    filters = data.get("where", {})
    if not isinstance(filters, dict) or not all(isinstance(v, str | int | float | bool) for v in filters.values()):
        where.fail(place, '\'where\' must be a table of column = value filters, e.g. where = { area = "A", group = "teacher" }')
    comparison = _comparison(where, place, data)
    return IndicatorRule(mart, column, comparison, round_label, str(data.get("label", "")), tuple(sorted(filters.items())))


def _iri(where: _Where, place: str, value: Any, names: dict[str, str], key: str) -> str:
    if isinstance(value, str) and value in names:
        return names[value]
    if isinstance(value, str) and re.match(r"^[a-z][a-z0-9+.-]*://\S+$", value):
        return value
    return where.fail(place, f"'{key}' {value!r} is neither a known name ({', '.join(names)}) nor an IRI")


def _short(iri: str | None, names: dict[str, str]) -> str:
    for name, known in names.items():
        if known == iri:
            return name
    return iri or ""
