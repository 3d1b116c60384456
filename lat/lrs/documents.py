"""The document resources: State, Activity Profile and Agent Profile (xAPI Communication 2.3-2.7).

Documents sit in ``lrs_documents``. Writes are rare and small, so they are made directly
(with a cursor) under one lock, which keeps the If-Match / If-None-Match checks and the
write atomic. ETags are the quoted SHA-1 of the content.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import duckdb
import orjson
from werkzeug.wrappers import Response

from lat.lrs import jsonbody
from lat.lrs.context import Call, empty, json_response
from lat.lrs.errors import ApiError, bad_request
from lat.lrs.queries import agent_param
from lat.xapi.fields import actor_key
from lat.xapi.rules.formats import iri_error, timestamp_error, uuid_error


@dataclass(frozen=True)
class Kind:
    """What differs between the three document resources."""

    name: str  # the lrs_documents.kind value
    id_param: str  # stateId | profileId
    activity: bool  # keyed by activityId
    agent: bool  # keyed by agent
    registration: bool


STATE = Kind("state", "stateId", activity=True, agent=True, registration=True)
ACTIVITY_PROFILE = Kind("activity_profile", "profileId", activity=True, agent=False, registration=False)
AGENT_PROFILE = Kind("agent_profile", "profileId", activity=False, agent=True, registration=False)


@dataclass
class Key:
    """Which document a request names: activity, agent, registration and the document id (None: list the ids)."""

    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""
    doc_id: str | None = None


def handle(call: Call, kind: Kind) -> Response:
    """Answer a document resource request (GET, HEAD, PUT, POST or DELETE)."""
    key = _key(call, kind)
    method = call.method
    if method in ("GET", "HEAD"):
        return _get(call, kind, key)
    if method in ("PUT", "POST"):
        if key.doc_id is None:
            raise bad_request(f"{method} needs the {kind.id_param} query parameter")
        return _write(call, kind, key)
    if method == "DELETE":
        return _delete(call, kind, key)
    raise ApiError(405, f"{method} is not allowed on this resource")


def _key(call: Call, kind: Kind) -> Key:
    allowed = (
        {kind.id_param, "since"}
        | ({"activityId"} if kind.activity else set())
        | ({"agent"} if kind.agent else set())
        | ({"registration"} if kind.registration else set())
    )
    if extra := sorted(set(call.params) - allowed):
        raise bad_request(f"unknown query parameter {extra[0]!r} for this resource")
    key = Key()
    if kind.activity:
        activity = call.params.get("activityId")
        if activity is None:
            raise bad_request("the activityId query parameter is required")
        if reason := iri_error(activity):
            raise bad_request(f"activityId: {reason}")
        key.activity_id = activity
    if kind.agent:
        key.agent_key = agent_key_of(call.params.get("agent"))
    if kind.registration and "registration" in call.params:
        if reason := uuid_error(call.params["registration"]):
            raise bad_request(f"registration: {reason}")
        key.registration = call.params["registration"].lower()
    key.doc_id = call.params.get(kind.id_param)
    if "since" in call.params:
        if key.doc_id is not None or call.method not in ("GET", "HEAD"):
            raise bad_request(f"since is only for GET of the list of ids (without {kind.id_param})")
        if reason := timestamp_error(call.params["since"], False):
            raise bad_request(f"since: {reason}")
    return key


def agent_key_of(text: str | None) -> str:
    """The actor key of the ``agent`` query parameter (400 when missing or not an Agent)."""
    if text is None:
        raise bad_request("the agent query parameter is required")
    key = actor_key(agent_param(text))
    assert key is not None  # agent_param refuses an agent without an identifier
    return key


_WHERE = "kind = ? AND activity_id = ? AND agent_key = ? AND registration = ?"


def _args(kind: Kind, key: Key) -> list[Any]:
    return [kind.name, key.activity_id, key.agent_key, key.registration]


def _get(call: Call, kind: Kind, key: Key) -> Response:
    cursor = call.service.cursor()
    if key.doc_id is None:
        since = call.params.get("since")
        rows = cursor.execute(
            f"SELECT doc_id FROM lrs_documents WHERE {_WHERE} " + ("AND updated > CAST(? AS TIMESTAMPTZ) " if since else "") + "ORDER BY doc_id",
            _args(kind, key) + ([since] if since else []),
        ).fetchall()
        return json_response([r[0] for r in rows])
    row = _find(cursor, kind, key)
    if row is None:
        raise ApiError(404, f"no document with {kind.id_param} {key.doc_id!r}")
    content, content_type, etag, updated = row
    return Response(bytes(content), content_type=content_type, headers={"ETag": etag, "Last-Modified": format_datetime(updated.astimezone(UTC), usegmt=True)})


def _find(cursor: duckdb.DuckDBPyConnection, kind: Kind, key: Key) -> tuple[Any, ...] | None:
    rows = cursor.execute(
        f"SELECT content, content_type, etag, updated FROM lrs_documents WHERE {_WHERE} AND doc_id = ?", [*_args(kind, key), key.doc_id]
    ).fetchall()
    return rows[0] if rows else None


def _write(call: Call, kind: Kind, key: Key) -> Response:
    content_type = call.content_type or "application/octet-stream"
    body = call.body
    with call.service.documents_lock:
        cursor = call.service.cursor()
        row = _find(cursor, kind, key)
        _preconditions(call, kind, row)
        if call.method == "POST" and row is not None:
            body, content_type = _merged(row, body, content_type, call.service.settings.lrs_max_depth)
        elif call.method == "POST" and _is_json(content_type):
            _json_object(body, "the body", call.service.settings.lrs_max_depth)
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        cursor.execute(
            "INSERT OR REPLACE INTO lrs_documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*_args(kind, key), key.doc_id, body, content_type, etag, datetime.now(UTC)],
        )
    return empty(204, {"ETag": etag})


def _preconditions(call: Call, kind: Kind, row: tuple[Any, ...] | None) -> None:
    """If-Match / If-None-Match (412), and the 409 for a blind overwrite of a profile."""
    if_match = call.headers.get("If-Match")
    if_none_match = call.headers.get("If-None-Match")
    etag = row[2] if row else None
    if if_match is not None and (etag is None or (if_match.strip() != "*" and etag not in _etags(if_match))):
        raise ApiError(412, "If-Match does not match the document's current ETag")
    if if_none_match is not None and etag is not None and (if_none_match.strip() == "*" or etag in _etags(if_none_match)):
        raise ApiError(412, "If-None-Match: the document already exists")
    blind = if_match is None and if_none_match is None
    if not blind or call.method != "PUT" or (kind.name == "state" and call.version == 1):
        return
    if row is not None:
        raise ApiError(409, "the document exists: send If-Match with its ETag (or If-None-Match: *) to overwrite it")
    if call.version == 1:  # xAPI 1.0.3 profiles: a PUT must say what it expects (the ADL suite checks it)
        raise bad_request("PUT of a profile needs If-Match (its ETag) or If-None-Match: * (a new document)")


def _etags(header: str) -> list[str]:
    return [tag.strip() if tag.strip().startswith('"') else f'"{tag.strip()}"' for tag in header.split(",")]


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


def _json_object(body: bytes, what: str, max_depth: int) -> dict[str, Any]:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise bad_request(f"POST merges JSON documents: {what} is not JSON") from None
    if not isinstance(value, dict):
        raise bad_request(f"POST merges JSON documents: {what} must be a JSON object")
    # the merge is serialised again: a deeper document would fail there (orjson writes at most 254 levels)
    jsonbody.check_depth(value, f"POST merges JSON documents: {what}", max_depth, body)
    return value


def _merged(row: tuple[Any, ...], body: bytes, content_type: str, max_depth: int) -> tuple[bytes, str]:
    """POST to an existing document: both must be JSON objects; top-level keys are merged."""
    if not (_is_json(content_type) and _is_json(row[1])):
        raise bad_request("POST merges JSON documents: both the stored document and the body must be application/json")
    stored = _json_object(bytes(row[0]), "the stored document", max_depth)
    return orjson.dumps({**stored, **_json_object(body, "the body", max_depth)}), "application/json"


def _delete(call: Call, kind: Kind, key: Key) -> Response:
    with call.service.documents_lock:
        cursor = call.service.cursor()
        if key.doc_id is None:
            if not kind.registration:
                raise bad_request(f"DELETE needs the {kind.id_param} query parameter")
            cursor.execute(f"DELETE FROM lrs_documents WHERE {_WHERE}", _args(kind, key))
            return empty(204)
        row = _find(cursor, kind, key)
        _delete_preconditions(call, row)
        cursor.execute(f"DELETE FROM lrs_documents WHERE {_WHERE} AND doc_id = ?", [*_args(kind, key), key.doc_id])
    return empty(204)


def _delete_preconditions(call: Call, row: tuple[Any, ...] | None) -> None:
    if_match = call.headers.get("If-Match")
    if if_match is not None and row is not None and if_match.strip() != "*" and row[2] not in _etags(if_match):
        raise ApiError(412, "If-Match does not match the document's current ETag")
