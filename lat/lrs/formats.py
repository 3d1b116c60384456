"""The ``format`` of returned statements: ``exact`` (as stored), ``ids`` and ``canonical``.

``ids`` keeps only what identifies agents, groups and activities; ``canonical`` keeps one
language of every language map, the best match for the request's Accept-Language.
"""

from __future__ import annotations

from typing import Any

_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
_LANGUAGE_MAPS = ("name", "description")
_INTERACTION_LISTS = ("choices", "scale", "source", "target", "steps")


def shape(stmt: dict[str, Any], fmt: str, languages: list[str]) -> dict[str, Any]:
    """``stmt`` in format ``fmt`` (the input is not changed)."""
    if fmt == "ids":
        return _ids(stmt)
    if fmt == "canonical":
        return _canonical(stmt, languages)
    return stmt


def _ids(stmt: dict[str, Any]) -> dict[str, Any]:
    out = dict(stmt)
    if isinstance(out.get("verb"), dict):
        out["verb"] = {"id": out["verb"].get("id")}
    for key in ("actor", "authority"):
        if isinstance(out.get(key), dict):
            out[key] = _agent_ids(out[key])
    if isinstance(out.get("object"), dict):
        out["object"] = _object_ids(out["object"])
    if isinstance(context := out.get("context"), dict):
        context = dict(context)
        for key in ("instructor", "team"):
            if isinstance(context.get(key), dict):
                context[key] = _agent_ids(context[key])
        if isinstance(activities := context.get("contextActivities"), dict):
            context["contextActivities"] = {
                kind: [_object_ids(a) for a in (value if isinstance(value, list) else [value])] for kind, value in activities.items()
            }
        out["context"] = context
    return out


def _agent_ids(agent: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in agent.items() if k in _IFIS or k == "objectType"}
    if agent.get("objectType") == "Group" and not any(k in agent for k in _IFIS):
        out["member"] = [_agent_ids(m) for m in agent.get("member", [])]
    return out


def _object_ids(obj: dict[str, Any]) -> dict[str, Any]:
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        return {"id": obj["id"]}
    if kind in ("Agent", "Group"):
        return _agent_ids(obj)
    if kind == "SubStatement":
        return _ids(obj)
    return obj


def _canonical(stmt: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    return _walk(stmt, languages)


def _walk(value: Any, languages: list[str], parent: str = "") -> Any:
    if isinstance(value, list):
        return [_walk(v, languages, parent) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key == "extensions":
            out[key] = item
        elif key in ("display", *_LANGUAGE_MAPS) and isinstance(item, dict) and parent != "account":
            out[key] = _one_language(item, languages)
        else:
            out[key] = _walk(item, languages, key)
    return out


def _one_language(value: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    """The entry of a language map that best matches ``languages`` (else the first one)."""
    for wanted in languages:
        for tag, text in value.items():
            if tag.lower() == wanted.lower():
                return {tag: text}
        for tag, text in value.items():
            if tag.lower().split("-")[0] == wanted.lower().split("-")[0]:
                return {tag: text}
    for tag, text in value.items():
        return {tag: text}
    return {}


def accepted_languages(header: str | None) -> list[str]:
    """Language tags of an Accept-Language header, best first (``*`` dropped)."""
    if not header:
        return []
    weighted = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*":
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]
