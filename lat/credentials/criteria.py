"""Evaluating an achievement's criteria: who meets them in a round, and the evidence why.

Subjects are actors (``statements.actor_key``) for person achievements and registry schools
for school achievements. A statement rule counts the subject's live (not voided) statements
whose UTC date lies in the round; an indicator rule reads the school's value from a published
mart. Each rule that holds contributes :class:`Evidence`: the ids of the statements counted,
or the indicator value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import polars as pl

from lat.config import Settings
from lat.credentials.achievements import Achievement, Group, IndicatorRule, Round, Rule, StatementRule
from lat.errors import LatError
from lat.store import marts

MAX_EVIDENCE_STATEMENTS = 50  # per rule: enough to check, small enough for a wallet


@dataclass(frozen=True)
class Evidence:
    """Why one rule holds for one subject."""

    rule: str  # the rule in words
    value: float | bool | None
    statement_ids: tuple[str, ...] = ()


@dataclass
class Outcome:
    """A subject that meets an achievement's criteria in a round."""

    subject: str  # actor key or school id
    school: str | None
    evidence: list[Evidence] = field(default_factory=list)


Verdicts = dict[str, tuple[bool, list[Evidence]]]


def evaluate(con: duckdb.DuckDBPyConnection, achievement: Achievement, round_: Round, settings: Settings) -> list[Outcome]:
    """The subjects meeting ``achievement`` in ``round_``, sorted by subject."""
    subjects = _subjects(con, achievement, round_)
    verdicts = _evaluate(con, achievement.criteria, achievement.subject, round_, subjects, settings)
    schools = _schools_of(con, round_) if achievement.subject == "person" else {s: s for s in subjects}
    return [Outcome(s, schools.get(s), evidence) for s, (passed, evidence) in sorted(verdicts.items()) if passed]


def _evaluate(con: duckdb.DuckDBPyConnection, rule: Rule, kind: str, round_: Round, subjects: list[str], settings: Settings) -> Verdicts:
    if isinstance(rule, Group):
        children = [_evaluate(con, r, kind, round_, subjects, settings) for r in rule.rules]
        combine = all if rule.mode == "all" else any
        return {s: (combine(c[s][0] for c in children), [e for c in children if c[s][0] for e in c[s][1]]) for s in subjects}
    if isinstance(rule, StatementRule):
        values = _statement_counts(con, rule, kind, round_)
        return {s: _verdict(rule, *values.get(s, (0, ()))) for s in subjects}
    indicator_values = _indicator_values(rule, round_, settings)
    return {s: _verdict(rule, indicator_values.get(s), ()) for s in subjects}


def _verdict(rule: StatementRule | IndicatorRule, value: float | bool | None, ids: tuple[str, ...]) -> tuple[bool, list[Evidence]]:
    passed = rule.comparison.holds(value)
    return passed, [Evidence(rule.describe(), value, ids[:MAX_EVIDENCE_STATEMENTS])] if passed else []


_IN_ROUND = "NOT voided AND CAST(timezone('UTC', \"timestamp\") AS DATE) BETWEEN ? AND ?"


def _statement_counts(con: duckdb.DuckDBPyConnection, rule: StatementRule, kind: str, round_: Round) -> dict[str, tuple[int, tuple[str, ...]]]:
    """subject -> (count, statement ids in time order) for one statement rule."""
    key = "actor_key" if kind == "person" else "school"
    where, params = [_IN_ROUND, "verb = ?", f"{key} IS NOT NULL"], [round_.start, round_.end, rule.verb]
    if rule.activity_type:
        where.append("activity_type = ?")
        params.append(rule.activity_type)
    if rule.phase:
        where.append("phase = ?")
        params.append(rule.phase)
    counted = "count(DISTINCT object_id)" if rule.distinct else "count(*)"
    sql = f'SELECT {key}, {counted}, list(id::VARCHAR ORDER BY "timestamp", id) FROM statements WHERE {" AND ".join(where)} GROUP BY {key}'
    return {subject: (int(n), tuple(ids)) for subject, n, ids in con.execute(sql, params).fetchall()}


def _indicator_values(rule: IndicatorRule, round_: Round, settings: Settings) -> dict[str, float | bool | None]:
    """school -> the indicator value that applies to the round (see docs/credentials.md)."""
    frame = marts.read(rule.mart, settings)
    name = f"{rule.mart}.{rule.column}"
    for column in ("school", rule.column, *(c for c, _ in rule.where)):
        if column not in frame.columns:
            raise LatError(f"indicator {name}: mart {rule.mart} has no column '{column}' (columns: {', '.join(frame.columns)})")
    for column, value in rule.where:
        frame = frame.filter(pl.col(column) == value)
    if "round" in frame.columns:
        frame = frame.filter(pl.col("round") == (rule.round or round_.label))
    if "as_of" in frame.columns:  # snapshots: the latest one inside the round
        frame = frame.filter(pl.col("as_of").is_between(round_.start, round_.end))
        frame = frame.filter(pl.col("as_of") == pl.col("as_of").max().over("school"))
    repeated = frame.group_by("school").len().filter(pl.col("len") > 1)
    if repeated.height:
        raise LatError(
            f"indicator {name}: mart {rule.mart} has several rows per school; narrow it with where = {{ column = value }} (columns: {', '.join(frame.columns)})"
        )
    return {row["school"]: row[rule.column] for row in frame.select("school", rule.column).iter_rows(named=True)}


def _subjects(con: duckdb.DuckDBPyConnection, achievement: Achievement, round_: Round) -> list[str]:
    """Who could earn it: registry schools; or actors active in the round (of the roles, if given)."""
    if achievement.subject == "school":
        return [r[0] for r in con.execute("SELECT school_id FROM schools ORDER BY school_id").fetchall()]
    sql = f"SELECT DISTINCT actor_key FROM statements WHERE {_IN_ROUND} AND actor_key IS NOT NULL"
    params: list[object] = [round_.start, round_.end]
    if achievement.roles:
        sql += f" AND actor_key IN (SELECT actor FROM people WHERE role IN ({', '.join('?' for _ in achievement.roles)}))"
        params.extend(achievement.roles)
    return sorted(r[0] for r in con.execute(sql, params).fetchall())


def _schools_of(con: duckdb.DuckDBPyConnection, round_: Round) -> dict[str, str]:
    """actor -> school: the registry's, else the school most of the actor's statements in the round name."""
    observed = con.execute(
        f"SELECT actor_key, mode(school) FROM statements WHERE {_IN_ROUND} AND school IS NOT NULL AND actor_key IS NOT NULL GROUP BY actor_key",
        [round_.start, round_.end],
    ).fetchall()
    registry = con.execute("SELECT actor, school FROM people WHERE actor IS NOT NULL AND school IS NOT NULL").fetchall()
    return {**dict(observed), **dict(registry)}
