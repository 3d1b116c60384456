"""The small read-only resources: About, Activities and Agents (xAPI Communication 2.4, 2.5, 2.8)."""

from __future__ import annotations

from typing import Any

import orjson
from werkzeug.wrappers import Response

from lat import __version__
from lat.lrs.context import Call, json_response
from lat.lrs.documents import agent_key_of
from lat.lrs.errors import bad_request
from lat.xapi.fields import actor_key
from lat.xapi.rules.formats import iri_error

SUPPORTED = ("1.0.3", "2.0.0")


def about(call: Call) -> Response:
    """The About resource: the xAPI versions served and LAT's version."""
    return json_response({"version": list(SUPPORTED), "extensions": {"https://w3id.org/xapi/lat/extensions/lrs": {"name": "LAT", "version": __version__}}})


def activities(call: Call) -> Response:
    """The Activity object with its definition as last stored (merged from statements)."""
    if extra := sorted(set(call.params) - {"activityId"}):
        raise bad_request(f"unknown query parameter {extra[0]!r} for GET activities")
    activity_id = call.params.get("activityId")
    if activity_id is None:
        raise bad_request("the activityId query parameter is required")
    if reason := iri_error(activity_id):
        raise bad_request(f"activityId: {reason}")
    rows = (
        call.service.cursor()
        .execute(
            "SELECT json_extract(raw, '$.object.definition')::VARCHAR AS d FROM statements "
            "WHERE object_id = ? AND object_type = 'Activity' AND d IS NOT NULL ORDER BY stored DESC LIMIT 20",
            [activity_id],
        )
        .fetchall()
    )
    definition: dict[str, Any] = {}
    for (text,) in reversed(rows):  # oldest first: later statements add languages and override the rest
        for key, value in orjson.loads(text).items():
            if isinstance(value, dict) and isinstance(definition.get(key), dict) and key != "extensions":
                definition[key] = {**definition[key], **value}
            else:
                definition[key] = value
    body: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if definition:
        body["definition"] = definition
    return json_response(body)


def agents(call: Call) -> Response:
    """The Person object: every name and identifier known for the agent."""
    if extra := sorted(set(call.params) - {"agent"}):
        raise bad_request(f"unknown query parameter {extra[0]!r} for GET agents")
    key = agent_key_of(call.params.get("agent"))
    agent = orjson.loads(call.params["agent"])
    person: dict[str, list[Any]] = {"name": [], "mbox": [], "mbox_sha1sum": [], "openid": [], "account": []}
    rows = (
        call.service.cursor().execute("SELECT DISTINCT json_extract(raw, '$.actor')::VARCHAR FROM statements WHERE actor_key = ? LIMIT 100", [key]).fetchall()
    )
    for candidate in [agent, *(orjson.loads(r[0]) for r in rows)]:
        if actor_key(candidate) != key:
            continue
        for field in person:
            value = candidate.get(field)
            if value is not None and value not in person[field]:
                person[field].append(value)
    return json_response({"objectType": "Person", **{k: v for k, v in person.items() if v}})
