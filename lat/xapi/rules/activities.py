"""Activities, Activity Definitions, interactions, language maps and extensions (xAPI Data 2.4.4.1, 4.1, 4.2)."""

from __future__ import annotations

from typing import Any

from lat.xapi.rules import join
from lat.xapi.rules.agents import unknown_key
from lat.xapi.rules.formats import GOOD_IRIS, GOOD_TAGS, iri_error, json_type, language_tag_error, shown

ACTIVITY_KEYS = frozenset(("objectType", "id", "definition"))
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
_INTERACTION_ORDER = ("interactionType", "correctResponsesPattern", *COMPONENT_LISTS)
INTERACTION_KEYS = frozenset(_INTERACTION_ORDER)
_DEFINITION_ORDER = ("name", "description", "type", "moreInfo", "extensions", *_INTERACTION_ORDER)
DEFINITION_KEYS = frozenset(_DEFINITION_ORDER)
COMPONENT_KEYS = frozenset(("id", "description"))

# interactionType -> the interaction component lists it supports (Data 2.4.4.1, table of
# supported interaction component lists).
INTERACTION_TYPES: dict[str, tuple[str, ...]] = {
    "true-false": (),
    "choice": ("choices",),
    "fill-in": (),
    "long-fill-in": (),
    "matching": ("source", "target"),
    "performance": ("steps",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "numeric": (),
    "other": (),
}


def activity_error(value: Any) -> str | None:
    """Why ``value`` is not an Activity (objectType absent or ``Activity``), or None."""
    if value.__class__ is not dict:
        return f": must be an Activity object, got {json_type(value)}"
    if "id" not in value:
        if not value.keys() <= ACTIVITY_KEYS:
            return unknown_key(value, ACTIVITY_KEYS, ("objectType", "id", "definition"), "an Activity")
        return "id: required property is missing"
    # One pass over the properties: cheaper than a subset test plus a lookup per property,
    # and this runs for every object and context activity of every statement.
    for key, item in value.items():
        if key == "id":
            if item.__class__ is not str or item not in GOOD_IRIS:
                err = iri_error(item)
                if err:
                    return "id: " + err
        elif key == "definition":
            if item.__class__ is dict and _usual_definition(item):
                continue
            err = definition_error(item)
            if err:
                return join("definition", err)
        elif key == "objectType":
            if item != "Activity":
                return f"objectType: must be 'Activity', got {shown(item)}"
        else:
            return unknown_key(value, ACTIVITY_KEYS, ("objectType", "id", "definition"), "an Activity")
    return None


def _usual_definition(value: dict[str, Any]) -> bool:
    """True for the usual definition, all good: language maps of known tags and known IRIs.

    Inlined checks, no call per property: most statements carry four or five such
    definitions (object and context activities). Anything else gets :func:`definition_error`.
    """
    for key, item in value.items():
        if key == "type" or key == "moreInfo":
            if item.__class__ is not str or item not in GOOD_IRIS:
                return False
        elif key == "name" or key == "description":
            if item.__class__ is not dict:
                return False
            for tag, text in item.items():
                if text.__class__ is not str or tag not in GOOD_TAGS:
                    return False
        else:
            return False
    return True


# definition property -> what it holds
_LANGUAGE_MAP, _IRI_VALUE, _EXTENSIONS, _INTERACTION = 1, 2, 3, 4
_DEFINITION_KINDS = {
    "name": _LANGUAGE_MAP,
    "description": _LANGUAGE_MAP,
    "type": _IRI_VALUE,
    "moreInfo": _IRI_VALUE,
    "extensions": _EXTENSIONS,
    **{key: _INTERACTION for key in _INTERACTION_ORDER},
}


def definition_error(value: Any) -> str | None:
    """Why ``value`` is not an Activity Definition, or None."""
    if value.__class__ is not dict:
        return f": must be an object, got {json_type(value)}"
    interaction = False
    for key, item in value.items():
        kind = _DEFINITION_KINDS.get(key)
        if kind == _LANGUAGE_MAP:
            err = language_map_error(item)
            if err:
                return join(key, err)
        elif kind == _IRI_VALUE:
            if item.__class__ is not str or item not in GOOD_IRIS:
                err = iri_error(item)
                if err:
                    return f"{key}: {err}"
        elif kind == _EXTENSIONS:
            err = extensions_error(item)
            if err:
                return join(key, err)
        elif kind == _INTERACTION:
            interaction = True
        else:
            return unknown_key(value, DEFINITION_KEYS, _DEFINITION_ORDER, "an Activity Definition")
    return interaction_error(value) if interaction else None


def interaction_error(value: dict[str, Any]) -> str | None:
    """Why the interaction properties of a definition do not fit together, or None."""
    if "interactionType" not in value:
        present = next(k for k in _INTERACTION_ORDER if k in value)
        return f"{present}: only an interaction Activity may have it, and it needs an interactionType"
    kind = value["interactionType"]
    if kind.__class__ is not str or kind not in INTERACTION_TYPES:
        shown_kind = repr(kind) if kind.__class__ is str else json_type(kind)
        return f"interactionType: {shown_kind} is not one of {', '.join(INTERACTION_TYPES)}"
    allowed = INTERACTION_TYPES[kind]
    for key in COMPONENT_LISTS:
        if key in value:
            if key not in allowed:
                takes = " and ".join(allowed) if allowed else "no component lists"
                return f"{key}: not allowed for interactionType {kind!r} (it takes {takes})"
            err = components_error(value[key])
            if err:
                return join(key, err)
    if "correctResponsesPattern" in value:
        pattern = value["correctResponsesPattern"]
        if pattern.__class__ is not list:
            return f"correctResponsesPattern: must be an array of strings, got {json_type(pattern)}"
        for i, item in enumerate(pattern):
            if item.__class__ is not str:
                return f"correctResponsesPattern[{i}]: must be a string, got {json_type(item)}"
    return None


def components_error(value: Any) -> str | None:
    """Why ``value`` is not an array of interaction components with distinct ids, or None."""
    if value.__class__ is not list:
        return f": must be an array of interaction components, got {json_type(value)}"
    seen: set[str] = set()
    for i, component in enumerate(value):
        if component.__class__ is not dict:
            return f"[{i}]: must be an interaction component object, got {json_type(component)}"
        if not component.keys() <= COMPONENT_KEYS:
            return join(f"[{i}]", unknown_key(component, COMPONENT_KEYS, ("id", "description"), "an interaction component"))
        component_id = component.get("id")
        if component_id.__class__ is not str or not component_id:
            got = "an empty string" if component_id == "" else json_type(component_id)
            what = "required property is missing" if "id" not in component else f"must be a non-empty string, got {got}"
            return f"[{i}].id: {what}"
        if component_id in seen:
            return f"[{i}].id: {component_id!r} repeats an earlier id; ids in a component list must be distinct"
        seen.add(component_id)
        if "description" in component:
            err = language_map_error(component["description"])
            if err:
                return join(f"[{i}].description", err)
    return None


def language_map_error(value: Any) -> str | None:
    """Why ``value`` is not a language map (RFC 5646 tag -> string), or None."""
    if value.__class__ is not dict:
        return f": must be a language map object, got {json_type(value)}"
    for tag, text in value.items():
        if text.__class__ is str and tag in GOOD_TAGS:  # the usual case, no call
            continue
        if tag not in GOOD_TAGS:
            err = language_tag_error(tag)
            if err:
                return f": key {err}"
        if text.__class__ is not str:
            return f": the value for {tag!r} must be a string, got {json_type(text)}"
    return None


def extensions_error(value: Any) -> str | None:
    """Why ``value`` is not an extensions map (IRI keys; any values, null included), or None."""
    if value.__class__ is not dict:
        return f": must be an object, got {json_type(value)}"
    for key in value:
        if key not in GOOD_IRIS:
            err = iri_error(key)
            if err:
                return f": key {err}"
    return None
