"""Statements, SubStatements, objects, results, contexts and attachments (xAPI Data 2.4).

``mode`` is the xAPI version whose rules apply: 1 (1.0.x), 2 (2.0.x) or 0 (either, so
the union of what both accept).
"""

from __future__ import annotations

import re
from typing import Any

from lat.xapi.rules import join
from lat.xapi.rules.activities import activity_error, extensions_error, language_map_error
from lat.xapi.rules.agents import actor_error, agent_error, authority_error, group_error, unknown_key
from lat.xapi.rules.formats import (
    GOOD_IRIS,
    GOOD_TAGS,
    duration_error,
    iri_error,
    is_iri,
    json_type,
    language_tag_error,
    media_type_error,
    sha2_error,
    shown,
    timestamp_error,
    uuid_error,
)

VOIDED = "http://adlnet.gov/expapi/verbs/voided"

_CORE_ORDER = ("actor", "verb", "object", "result", "context", "timestamp", "attachments")
_STATEMENT_ORDER = ("id", *_CORE_ORDER, "stored", "authority", "version")
STATEMENT_KEYS = frozenset(_STATEMENT_ORDER)
_SUBSTATEMENT_ORDER = ("objectType", *_CORE_ORDER)
SUBSTATEMENT_KEYS = frozenset(_SUBSTATEMENT_ORDER)
_SUBSTATEMENT_FORBIDDEN = ("id", "stored", "version", "authority")
VERB_KEYS = frozenset(("id", "display"))
_RESULT_ORDER = ("score", "success", "completion", "response", "duration", "extensions")
RESULT_KEYS = frozenset(_RESULT_ORDER)
SCORE_KEYS = frozenset(("scaled", "raw", "min", "max"))
_CONTEXT_ORDER = (
    "registration", "instructor", "team", "contextActivities", "revision", "platform",
    "language", "statement", "extensions",
)  # fmt: skip
_CONTEXT_ORDER_2 = (*_CONTEXT_ORDER, "contextAgents", "contextGroups")
CONTEXT_KEYS_1 = frozenset(_CONTEXT_ORDER)
CONTEXT_KEYS_2 = frozenset(_CONTEXT_ORDER_2)
CONTEXT_ACTIVITY_KEYS = frozenset(("parent", "grouping", "category", "other"))
STATEMENT_REF_KEYS = frozenset(("objectType", "id"))
_ATTACHMENT_ORDER = ("usageType", "display", "description", "contentType", "length", "sha2", "fileUrl")
ATTACHMENT_KEYS = frozenset(_ATTACHMENT_ORDER)
_ATTACHMENT_REQUIRED = ("usageType", "display", "contentType", "length", "sha2")
CONTEXT_AGENT_KEYS = frozenset(("objectType", "agent", "relevantTypes"))
CONTEXT_GROUP_KEYS = frozenset(("objectType", "group", "relevantTypes"))
OBJECT_TYPES = ("Activity", "Agent", "Group", "StatementRef", "SubStatement")
_NUMBER = (int, float)

_VERSIONS = {
    0: re.compile(r"[12]\.0(?:\.\d+)?"),
    1: re.compile(r"1\.0(?:\.\d+)?"),
    2: re.compile(r"[12]\.0(?:\.\d+)?"),  # a 2.0 LRS still accepts 1.0.x statements
}
_VERSION_WORDS = {0: "1.0.x or 2.0.x", 1: "1.0 or 1.0.x", 2: "1.0.x or 2.0.x"}


def statement_error(stmt: Any, mode: int) -> str | None:
    """Why ``stmt`` is not a valid Statement, or None; the path is relative to the statement."""
    if stmt.__class__ is not dict:
        return f": a statement must be a JSON object, got {json_type(stmt)}"
    if not stmt.keys() <= STATEMENT_KEYS:
        return unknown_key(stmt, STATEMENT_KEYS, _STATEMENT_ORDER, "a Statement")
    if "version" in stmt:  # first: it says which rules the rest was written to
        err = version_error(stmt["version"], mode)
        if err:
            return "version: " + err
    err = _core_error(stmt, mode, sub=False)
    if err:
        return err
    if "id" in stmt:
        err = uuid_error(stmt["id"])
        if err:
            return "id: " + err
    if "stored" in stmt:
        err = timestamp_error(stmt["stored"], mode == 2)
        if err:
            return "stored: " + err
    if "authority" in stmt:
        err = authority_error(stmt["authority"])
        if err:
            return join("authority", err)
    return _voiding_error(stmt)


def version_error(value: Any, mode: int) -> str | None:
    """Why ``value`` is not a Statement version the rules of ``mode`` accept, or None."""
    if value.__class__ is not str:
        return f"must be a string, got {json_type(value)}"
    if not _VERSIONS[mode].fullmatch(value):
        return f"{value!r} is not a supported xAPI version (expected {_VERSION_WORDS[mode]})"
    return None


def _voiding_error(stmt: dict[str, Any]) -> str | None:
    if stmt["verb"].get("id") == VOIDED:
        object_type = stmt["object"].get("objectType", "Activity")
        if object_type != "StatementRef":
            return f"object: a voiding statement (verb {VOIDED}) needs a StatementRef object, got {object_type}"
    return None


def _core_error(stmt: dict[str, Any], mode: int, sub: bool) -> str | None:
    """The rules a Statement and a SubStatement share."""
    for key in ("actor", "verb", "object"):
        if key not in stmt:
            return f"{key}: required property is missing"
    err = actor_error(stmt["actor"])
    if err:
        return join("actor", err)
    err = verb_error(stmt["verb"])
    if err:
        return join("verb", err)
    obj = stmt["object"]
    err = object_error(obj, mode, sub)
    if err:
        return join("object", err)
    if "result" in stmt:
        err = result_error(stmt["result"])
        if err:
            return join("result", err)
    if "context" in stmt:
        err = context_error(stmt["context"], mode, obj.get("objectType", "Activity") == "Activity")
        if err:
            return join("context", err)
    if "timestamp" in stmt:
        err = timestamp_error(stmt["timestamp"], mode == 2)
        if err:
            return "timestamp: " + err
    if "attachments" in stmt:
        err = attachments_error(stmt["attachments"])
        if err:
            return join("attachments", err)
    return None


def verb_error(value: Any) -> str | None:
    """Why ``value`` is not a Verb (an IRI id and an optional display language map), or None."""
    if value.__class__ is not dict:
        return f": must be a Verb object, got {json_type(value)}"
    if not value.keys() <= VERB_KEYS:
        return unknown_key(value, VERB_KEYS, ("id", "display"), "a Verb")
    if "id" not in value:
        return "id: required property is missing"
    verb_id = value["id"]
    if verb_id.__class__ is not str or verb_id not in GOOD_IRIS:
        err = iri_error(verb_id)
        if err:
            return "id: " + err
    if "display" in value:
        err = language_map_error(value["display"])
        if err:
            return join("display", err)
    return None


def object_error(value: Any, mode: int, sub: bool) -> str | None:
    """Why ``value`` is not a Statement's object (dispatching on objectType), or None."""
    if value.__class__ is not dict:
        return f": must be an object (Activity, Agent, Group, StatementRef or SubStatement), got {json_type(value)}"
    object_type = value.get("objectType", "Activity")
    if object_type == "Activity":
        return activity_error(value)
    if object_type == "Agent":
        return agent_error(value)
    if object_type == "Group":
        return group_error(value)
    if object_type == "StatementRef":
        return statement_ref_error(value)
    if object_type == "SubStatement":
        if sub:
            return ": a SubStatement cannot contain a SubStatement"
        return substatement_error(value, mode)
    shown_type = repr(object_type) if object_type.__class__ is str else json_type(object_type)
    return f"objectType: {shown_type} is not one of {', '.join(OBJECT_TYPES)}"


def statement_ref_error(value: Any) -> str | None:
    """Why ``value`` is not a Statement Reference (objectType StatementRef, UUID id), or None."""
    if value.__class__ is not dict:
        return f": must be a StatementRef object, got {json_type(value)}"
    if not value.keys() <= STATEMENT_REF_KEYS:
        return unknown_key(value, STATEMENT_REF_KEYS, ("objectType", "id"), "a StatementRef")
    if value.get("objectType") != "StatementRef":
        return f"objectType: must be 'StatementRef', got {shown(value.get('objectType'))}"
    if "id" not in value:
        return "id: required property is missing"
    err = uuid_error(value["id"])
    return "id: " + err if err else None


def substatement_error(value: dict[str, Any], mode: int) -> str | None:
    """Why ``value`` is not a SubStatement: a Statement without id, stored, version, authority, nesting."""
    for key in _SUBSTATEMENT_FORBIDDEN:
        if key in value:
            return f"{key}: a SubStatement must not have {key}"
    if not value.keys() <= SUBSTATEMENT_KEYS:
        return unknown_key(value, SUBSTATEMENT_KEYS, _SUBSTATEMENT_ORDER, "a SubStatement")
    return _core_error(value, mode, sub=True)


def result_error(value: Any) -> str | None:
    """Why ``value`` is not a Result, or None."""
    if value.__class__ is not dict:
        return f": must be a Result object, got {json_type(value)}"
    if not value.keys() <= RESULT_KEYS:
        return unknown_key(value, RESULT_KEYS, _RESULT_ORDER, "a Result")
    if "score" in value:
        err = score_error(value["score"])
        if err:
            return join("score", err)
    for key in ("success", "completion"):
        if key in value and value[key].__class__ is not bool:
            return f"{key}: must be true or false, got {json_type(value[key])}"
    if "response" in value and value["response"].__class__ is not str:
        return f"response: must be a string, got {json_type(value['response'])}"
    if "duration" in value:
        err = duration_error(value["duration"])
        if err:
            return "duration: " + err
    if "extensions" in value:
        err = extensions_error(value["extensions"])
        if err:
            return join("extensions", err)
    return None


def score_error(value: Any) -> str | None:
    """Why ``value`` is not a Score: numbers, scaled in [-1, 1], min < max, min <= raw <= max."""
    if value.__class__ is not dict:
        return f": must be a Score object, got {json_type(value)}"
    if not value.keys() <= SCORE_KEYS:
        return unknown_key(value, SCORE_KEYS, ("scaled", "raw", "min", "max"), "a Score")
    for key, number in value.items():
        if number.__class__ not in _NUMBER:
            return f"{key}: must be a number, got {json_type(number)}"
    scaled = value.get("scaled")
    if scaled is not None and not -1 <= scaled <= 1:
        return f"scaled: {scaled} is outside [-1, 1]"
    low, high, raw = value.get("min"), value.get("max"), value.get("raw")
    if low is not None and high is not None and not low < high:
        return f"min: {low} must be less than max {high}"
    if raw is not None:
        if low is not None and raw < low:
            return f"raw: {raw} is below min {low}"
        if high is not None and raw > high:
            return f"raw: {raw} is above max {high}"
    return None


def context_error(value: Any, mode: int, object_is_activity: bool) -> str | None:
    """Why ``value`` is not a Context for this statement, or None."""
    if value.__class__ is not dict:
        return f": must be a Context object, got {json_type(value)}"
    keys = value.keys()
    if not keys <= CONTEXT_KEYS_1:
        if mode == 1 and keys <= CONTEXT_KEYS_2:
            key = next(k for k in value if k not in CONTEXT_KEYS_1)
            return f"{key}: not a property of a Context in xAPI 1.0.3 (added in xAPI 2.0)"
        if not keys <= CONTEXT_KEYS_2:
            order = _CONTEXT_ORDER if mode == 1 else _CONTEXT_ORDER_2
            return unknown_key(value, CONTEXT_KEYS_2, order, "a Context")
        err = _context_people_error(value)
        if err:
            return err
    if "contextActivities" in value:
        err = context_activities_error(value["contextActivities"])
        if err:
            return join("contextActivities", err)
    if "language" in value:
        language = value["language"]
        if language.__class__ is not str:
            return f"language: must be a language tag string, got {json_type(language)}"
        if language not in GOOD_TAGS:
            err = language_tag_error(language)
            if err:
                return "language: " + err
    if "extensions" in value:
        err = extensions_error(value["extensions"])
        if err:
            return join("extensions", err)
    if "instructor" in value:
        err = actor_error(value["instructor"])
        if err:
            return join("instructor", err)
    if keys <= _COMMON_CONTEXT:  # the usual case: none of the rarer properties
        return None
    return _context_rest_error(value, object_is_activity)


_COMMON_CONTEXT = frozenset(("contextActivities", "language", "extensions", "instructor"))


def _context_rest_error(value: dict[str, Any], object_is_activity: bool) -> str | None:
    if "registration" in value:
        err = uuid_error(value["registration"])
        if err:
            return "registration: " + err
    if "team" in value:
        team = value["team"]
        if team.__class__ is dict and team.get("objectType") != "Group":
            return f"team: must be a Group (objectType 'Group'), got objectType {shown(team.get('objectType'))}"
        err = group_error(team)
        if err:
            return join("team", err)
    for key in ("revision", "platform"):
        if key in value:
            if value[key].__class__ is not str:
                return f"{key}: must be a string, got {json_type(value[key])}"
            if not object_is_activity:
                return f"{key}: only allowed when the statement's object is an Activity"
    if "statement" in value:
        err = statement_ref_error(value["statement"])
        if err:
            return join("statement", err)
    return None


def context_activities_error(value: Any) -> str | None:
    """Why ``value`` is not a contextActivities map (parent/grouping/category/other -> Activity or array), or None."""
    if value.__class__ is not dict:
        return f": must be an object, got {json_type(value)}"
    if not value.keys() <= CONTEXT_ACTIVITY_KEYS:
        return unknown_key(value, CONTEXT_ACTIVITY_KEYS, ("parent", "grouping", "category", "other"), "contextActivities")
    for key, activities in value.items():
        if activities.__class__ is dict:  # a single Activity is allowed and read as a list of one
            err = activity_error(activities)
            if err:
                return join(key, err)
            continue
        if activities.__class__ is not list:
            return f"{key}: must be an Activity or an array of Activities, got {json_type(activities)}"
        for i, activity in enumerate(activities):
            err = activity_error(activity)
            if err:
                return join(f"{key}[{i}]", err)
    return None


def _context_people_error(value: dict[str, Any]) -> str | None:
    """contextAgents and contextGroups (xAPI 2.0)."""
    for key, inner, keys, check in (
        ("contextAgents", "agent", CONTEXT_AGENT_KEYS, agent_error),
        ("contextGroups", "group", CONTEXT_GROUP_KEYS, group_error),
    ):
        if key not in value:
            continue
        items = value[key]
        if items.__class__ is not list:
            return f"{key}: must be an array, got {json_type(items)}"
        object_type = key[:-1]  # contextAgent / contextGroup
        for i, item in enumerate(items):
            where = f"{key}[{i}]"
            if item.__class__ is not dict:
                return f"{where}: must be a {object_type} object, got {json_type(item)}"
            if not item.keys() <= keys:
                return join(where, unknown_key(item, keys, ("objectType", inner, "relevantTypes"), f"a {object_type}"))
            if item.get("objectType") != object_type:
                return f"{where}.objectType: must be {object_type!r}, got {shown(item.get('objectType'))}"
            if inner not in item:
                return f"{where}.{inner}: required property is missing"
            err = check(item[inner])
            if err:
                return join(f"{where}.{inner}", err)
            if "relevantTypes" in item:
                err = _relevant_types_error(item["relevantTypes"])
                if err:
                    return f"{where}.relevantTypes{err}"
    return None


def _relevant_types_error(value: Any) -> str | None:
    if value.__class__ is not list or not value:
        got = "an empty array" if value == [] else json_type(value)
        return f": must be a non-empty array of IRIs, got {got}"
    for i, iri in enumerate(value):
        if not is_iri(iri):
            return f"[{i}]: {iri_error(iri)}"
    return None


def attachments_error(value: Any) -> str | None:
    """Why ``value`` is not an array of Attachments, or None."""
    if value.__class__ is not list:
        return f": must be an array of Attachments, got {json_type(value)}"
    for i, attachment in enumerate(value):
        err = attachment_error(attachment)
        if err:
            return join(f"[{i}]", err)
    return None


def attachment_error(value: Any) -> str | None:
    """Why ``value`` is not an Attachment, or None."""
    if value.__class__ is not dict:
        return f": must be an Attachment object, got {json_type(value)}"
    if not value.keys() <= ATTACHMENT_KEYS:
        return unknown_key(value, ATTACHMENT_KEYS, _ATTACHMENT_ORDER, "an Attachment")
    for key in _ATTACHMENT_REQUIRED:
        if key not in value:
            return f"{key}: required property is missing"
    for key in ("usageType", "fileUrl"):
        if key in value:
            err = iri_error(value[key])
            if err:
                return f"{key}: {err}"
    for key in ("display", "description"):
        if key in value:
            err = language_map_error(value[key])
            if err:
                return join(key, err)
    err = media_type_error(value["contentType"])
    if err:
        return "contentType: " + err
    length = value["length"]
    if length.__class__ is not int or length < 0:
        got = length if length.__class__ in _NUMBER else json_type(length)
        return f"length: must be a non-negative integer, got {got}"
    err = sha2_error(value["sha2"])
    return "sha2: " + err if err else None
