"""The LAT xAPI Profile: loading it and matching statements against its Statement Templates.

The profile itself is ``lat/xapi/lat-profile.jsonld`` (xAPI Profiles 1.0 JSON-LD), documented
in ``docs/profile.md``. This module reads it and implements the Statement Template part of a
Profile Validator: Determining Properties (verb, object activity type, context activity types)
and Statement Template Rules (``location``/``selector`` in the spec's JSONPath subset, with
``presence``, ``any``, ``all``, ``none``).

:func:`match_template` names the first template, in the profile's order, that a statement
follows; the profile lists specific templates before catch-all ones, so the answer is the most
specific template.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

_CONTEXT_LISTS = ("parent", "grouping", "category", "other")
# one step of a JSONPath: .name, .*, ['name'], ["name"], [*], [0], [0,1] (unions inside brackets)
_STEP = re.compile(r"""\.(?P<name>[A-Za-z_][\w-]*|\*)|\[(?P<bracket>[^\]]+)\]""")


@dataclass(frozen=True)
class Rule:
    """One Statement Template Rule."""

    location: str
    selector: str | None = None
    presence: str | None = None  # included | excluded | recommended
    any: tuple[Any, ...] | None = None
    all: tuple[Any, ...] | None = None
    none: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class Template:
    """One Statement Template of the profile."""

    id: str
    label: str
    verb: str | None
    object_activity_type: str | None
    context_activity_types: dict[str, tuple[str, ...]]  # "parent" -> types that must be present
    rules: tuple[Rule, ...]

    @property
    def name(self) -> str:
        """The last segment of the id, e.g. ``selfie-answer``."""
        return self.id.rstrip("/").rsplit("/", 1)[-1]


@cache
def load_profile() -> dict[str, Any]:
    """The profile document (parsed JSON-LD), read from the package data."""
    text = resources.files("lat.xapi").joinpath("lat-profile.jsonld").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def templates() -> tuple[Template, ...]:
    """The profile's Statement Templates, in the order the profile lists them."""
    return tuple(_template(raw) for raw in load_profile().get("templates", []))


def template_by_name(name: str) -> Template:
    """The template whose id ends in ``name`` (``selfie-answer``); KeyError if none."""
    for template in templates():
        if template.name == name:
            return template
    raise KeyError(name)


def match_template(stmt: dict[str, Any]) -> str | None:
    """The id of the first profile template ``stmt`` follows, or None if it follows none."""
    normalised = _normalise(stmt)
    for template in templates():
        if next(_problems(normalised, template), None) is None:
            return template.id
    return None


def template_problems(stmt: dict[str, Any], template: Template) -> list[str]:
    """Why ``stmt`` does not follow ``template`` (empty when it does): one readable line each."""
    return list(_problems(_normalise(stmt), template))


def select(value: Any, path: str) -> list[Any]:
    """Values at a JSONPath (the xAPI Profiles subset: no filters, ``|`` joins whole paths).

    A path that runs into a missing key yields nothing; ``[*]`` and ``.*`` yield every member.
    """
    found: list[Any] = []
    for part in path.split("|"):
        found.extend(_select_one(value, part.strip()))
    return found


# --- internals ---------------------------------------------------------------------------


def _template(raw: dict[str, Any]) -> Template:
    context_types = {kind: tuple(raw[key]) for kind in _CONTEXT_LISTS if (key := f"context{kind.capitalize()}ActivityType") in raw}
    return Template(
        id=raw["id"],
        label=raw["prefLabel"].get("en", raw["id"]),
        verb=raw.get("verb"),
        object_activity_type=raw.get("objectActivityType"),
        context_activity_types=context_types,
        rules=tuple(_rule(r) for r in raw.get("rules", [])),
    )


def _rule(raw: dict[str, Any]) -> Rule:
    def values(key: str) -> tuple[Any, ...] | None:
        return tuple(raw[key]) if key in raw else None

    return Rule(raw["location"], raw.get("selector"), raw.get("presence"), values("any"), values("all"), values("none"))


def _normalise(stmt: dict[str, Any]) -> dict[str, Any]:
    """Singleton contextActivities become lists of one, as the spec requires before matching."""
    context = stmt.get("context")
    if not isinstance(context, dict):
        return stmt
    activities = context.get("contextActivities")
    if not isinstance(activities, dict) or all(isinstance(a, list) for a in activities.values()):
        return stmt
    fixed = {k: a if isinstance(a, list) else [a] for k, a in activities.items()}
    return {**stmt, "context": {**context, "contextActivities": fixed}}


def _problems(stmt: dict[str, Any], template: Template) -> Iterator[str]:
    """Each way ``stmt`` breaks ``template``, lazily: matching stops at the first."""
    if template.verb and (stmt.get("verb") or {}).get("id") != template.verb:
        yield f"verb is not {template.verb}"
    if template.object_activity_type:
        obj = stmt.get("object") or {}
        if (obj.get("definition") or {}).get("type") != template.object_activity_type:
            yield f"object activity type is not {template.object_activity_type}"
    for kind, required in template.context_activity_types.items():
        present = set(select(stmt, f"$.context.contextActivities.{kind}[*].definition.type"))
        yield from (f"no {kind} context activity of type {t}" for t in required if t not in present)
    for rule in template.rules:
        yield from _rule_problems(stmt, rule)


def _rule_problems(stmt: dict[str, Any], rule: Rule) -> list[str]:
    matchable = select(stmt, rule.location)
    unmatchable = 0
    if rule.selector is not None:
        selected: list[Any] = []
        for value in matchable:
            found = select(value, rule.selector)
            unmatchable += not found
            selected.extend(found)
        matchable = selected
    where = rule.location + (f" / {rule.selector}" if rule.selector else "")
    if rule.presence == "included" and (not matchable or unmatchable):
        return [f"{where} is required"]
    if rule.presence == "excluded":
        return [f"{where} must be absent"] if matchable else []
    if rule.presence == "recommended" and not matchable:
        return []
    problems = []
    if rule.any is not None and not any(_contains(rule.any, v) for v in matchable):
        problems.append(f"{where} must include one of {list(rule.any)}")
    if rule.all is not None and (unmatchable or not all(_contains(rule.all, v) for v in matchable)):
        problems.append(f"{where} must only hold values from {list(rule.all)}")
    if rule.none is not None and any(_contains(rule.none, v) for v in matchable):
        problems.append(f"{where} must not hold any of {list(rule.none)}")
    return problems


def _contains(allowed: tuple[Any, ...], value: Any) -> bool:
    # JSON equality: True is not 1, "1" is not 1
    return any(type(a) is type(value) and a == value or _both_numbers(a, value) and a == value for a in allowed)


def _both_numbers(a: Any, b: Any) -> bool:
    return all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))


def _select_one(value: Any, path: str) -> list[Any]:
    current = [value]
    for keys in _compile(path):
        current = [child for node in current for key in keys for child in _children(node, key)]
    return current


@cache
def _compile(path: str) -> tuple[tuple[str | int | None, ...], ...]:
    """The steps of one JSONPath, each a tuple of keys (a union); parsed once per path."""
    if not path.startswith("$"):
        raise ValueError(f"JSONPath must start with '$': {path!r}")
    steps = []
    rest = path[1:]
    while rest:
        step = _STEP.match(rest)
        if step is None:
            raise ValueError(f"unsupported JSONPath {path!r} at {rest!r}")
        rest = rest[step.end() :]
        keys = [step["name"]] if step["name"] else [k.strip() for k in step["bracket"].split(",")]
        steps.append(tuple(_key(k) for k in keys))
    return tuple(steps)


def _children(node: Any, key: str | int | None) -> list[Any]:
    if key is None:  # * : every member
        if isinstance(node, dict):
            return list(node.values())
        return list(node) if isinstance(node, list) else []
    if isinstance(key, int):
        return [node[key]] if isinstance(node, list) and key < len(node) else []
    return [node[key]] if isinstance(node, dict) and key in node else []


def _key(token: str) -> str | int | None:
    """A JSONPath key: None for ``*``, an int for an array index, else a property name."""
    if token == "*":
        return None
    if token[:1] in "'\"":
        return token[1:-1]
    return int(token) if token.isdigit() else token
