"""The Statement resource: PUT, POST and GET /statements.

A write is validated whole in the request thread (same rules as file ingest, for the
request's xAPI version), given ids, ``authority`` and ``version``, and handed to the writer
(:mod:`lat.lrs.committer`); any invalid statement fails the whole request with 400 and nothing
is stored.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from werkzeug.wrappers import Response

from lat.lrs import formats, jsonbody, multipart, queries, signatures
from lat.lrs.committer import Attachment
from lat.lrs.context import Call, empty, json_response
from lat.lrs.errors import ApiError, bad_request
from lat.xapi.rules.formats import uuid_error
from lat.xapi.validation import validate

VERSIONS = {1: "1.0.0", 2: "2.0.0"}  # what a statement without ``version`` gets
_SINGLE_PARAMS = frozenset(("statementId", "voidedStatementId", "format", "attachments"))


def post(call: Call) -> Response:
    """Store one statement or an array of them (JSON or multipart with attachments); their ids as JSON."""
    statements, attachments = _read(call)
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise bad_request("the body must be a statement object or an array of statements")
    prepared = _prepare_all(call, statements, attachments)
    if prepared:
        call.service.writer.submit(prepared, _used(prepared, attachments), _source(call))
    return json_response([s["id"] for s in prepared])


def put(call: Call) -> Response:
    """Store one statement under the statementId of the query string (204 No Content)."""
    extra = sorted(set(call.params) - {"statementId"})
    if extra:
        raise bad_request(f"PUT statements takes only statementId, not {extra[0]!r}")
    sid = call.params.get("statementId")
    if sid is None:
        raise bad_request("PUT statements needs the statementId query parameter")
    if reason := uuid_error(sid):
        raise bad_request(f"statementId: {reason}")
    statement, attachments = _read(call)
    if not isinstance(statement, dict):
        raise bad_request("PUT statements takes one statement (a JSON object)")
    if "id" in statement and str(statement["id"]).lower() != sid.lower():
        raise bad_request(f"the statement's id {statement['id']} differs from statementId {sid}")
    statement = {**statement, "id": sid}
    prepared = _prepare_all(call, [statement], attachments)
    call.service.writer.submit(prepared, _used(prepared, attachments), _source(call))
    return empty(204)


def _source(call: Call) -> str:
    return f"lrs:{call.credential.name}" if call.credential else "lrs"


def _read(call: Call) -> tuple[Any, dict[str, multipart.Part]]:
    """The JSON body and, for multipart/mixed, the attachment parts by hash."""
    if call.media_type == "multipart/mixed":
        parts = multipart.parse(call.body, call.content_type)
        if parts[0].headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            raise bad_request("the first part of a multipart/mixed request must be application/json statements")
        return _json(call, parts[0].body), multipart.attachment_parts(parts[1:], call.version)
    if call.media_type != "application/json":
        raise bad_request(f"Content-Type must be application/json or multipart/mixed, got {call.content_type!r}")
    return _json(call, call.body), {}


def _json(call: Call, body: bytes) -> Any:
    """The statements; 400 when not JSON or nested deeper than LAT_LRS_MAX_DEPTH (they could not be stored)."""
    return jsonbody.parse(body, "the body", call.service.settings.lrs_max_depth)


def _prepare_all(call: Call, statements: list[Any], parts: dict[str, multipart.Part]) -> list[dict[str, Any]]:
    mode = "2.0.0" if call.version == 2 else "1.0.3"
    seen: set[str] = set()
    prepared = []
    for position, stmt in enumerate(statements):
        where = f"statement {position}" if len(statements) > 1 else "statement"
        if not isinstance(stmt, dict):
            raise bad_request(f"{where}: expected a JSON object")
        reason = validate(stmt, version=mode) or _lrs_rules(stmt, call.version)
        if reason:
            raise bad_request(f"{where}: {reason}")
        stmt = _prepare(call, stmt)
        if stmt["id"].lower() in seen:
            raise bad_request(f"{where}: id {stmt['id']} appears twice in this request")
        seen.add(stmt["id"].lower())
        if reason := _attachments_problem(stmt, parts) or signatures.problem(stmt, parts):
            raise bad_request(f"{where}: {reason}")
        prepared.append(stmt)
    needed = {a["sha2"].lower() for s in prepared for a in s.get("attachments", [])}
    if extra := sorted(set(parts) - needed):
        raise bad_request(f"attachment part {extra[0]} belongs to no statement of this request")
    return prepared


def _lrs_rules(stmt: dict[str, Any], version: int) -> str | None:
    """Rules for what a client may send (the validator accepts stored statements too)."""
    if version == 1 and isinstance(v := stmt.get("version"), str) and not v.startswith("1.0"):
        return f"version: {v!r} is not a 1.0.x version (the request says X-Experience-API-Version 1.0.x)"
    return None


def _prepare(call: Call, stmt: dict[str, Any]) -> dict[str, Any]:
    """Id (a random UUID when absent), authority (the credential) and version set;
    context activities given as one object become arrays (as xAPI says they are returned)."""
    out = _arrays(stmt)
    if "id" not in out:  # not setdefault: a random UUID costs as much as the rest of this function
        out["id"] = str(uuid.uuid4())
    out["authority"] = _authority(call)
    out.setdefault("version", VERSIONS[call.version])
    return out


def _arrays(stmt: dict[str, Any]) -> dict[str, Any]:
    out = dict(stmt)
    context = out.get("context")
    if isinstance(context, dict) and isinstance(activities := context.get("contextActivities"), dict):
        fixed = {kind: value if isinstance(value, list) else [value] for kind, value in activities.items()}
        out["context"] = {**context, "contextActivities": fixed}
    if isinstance(obj := out.get("object"), dict) and obj.get("objectType") == "SubStatement":
        out["object"] = _arrays(obj)
    return out


def _authority(call: Call) -> dict[str, Any]:
    credential = call.credential
    name = credential.name if credential else "anonymous"
    key = credential.key if credential else "anonymous"
    return {"objectType": "Agent", "name": name, "account": {"homePage": call.service.base_url, "name": key}}


def _attachments_problem(stmt: dict[str, Any], parts: dict[str, multipart.Part]) -> str | None:
    for position, attachment in enumerate(stmt.get("attachments", [])):
        if "fileUrl" not in attachment and attachment["sha2"].lower() not in parts:
            return f"attachments[{position}]: no fileUrl and no multipart/mixed part with X-Experience-API-Hash {attachment['sha2']}"
    return None


def _used(statements: list[dict[str, Any]], parts: dict[str, multipart.Part]) -> list[Attachment]:
    types = {a["sha2"].lower(): a["contentType"] for s in statements for a in s.get("attachments", [])}
    return [Attachment(sha2, types.get(sha2, "application/octet-stream"), part.body) for sha2, part in parts.items()]


def get(call: Call) -> Response:
    """One statement by id, or a page of statements matching the query (with a ``more`` link)."""
    writer = call.service.writer
    through = writer.consistent_through()
    headers = {"X-Experience-API-Consistent-Through": through}
    if "statementId" in call.params or "voidedStatementId" in call.params:
        return _get_one(call, headers)
    if "more" in call.params:
        if len(call.params) > 1:
            raise bad_request("more takes no other query parameter")
        query = queries.from_token(call.params["more"])
    else:
        query = queries.parse(call.params, call.version)
    statements, more = queries.run(call.service.cursor(), query, through, _mine(call))
    body: dict[str, Any] = {"statements": [_shaped(call, s, query.format) for s in statements]}
    body["more"] = f"/xapi/statements?more={more}" if more else ""
    return _respond(call, body, statements if query.attachments else [], headers)


def _mine(call: Call) -> queries.Mine | None:
    """What a statements/read/mine credential is limited to (None: it may read all): the
    statements written with its *key*. Names are not unique (a new credential may be named
    like an existing source), so the name alone, kept in ``source``, would let one read the
    other's statements; the key is in every statement the LRS stored, as the account of its
    ``authority`` (set by :func:`_authority`, whatever the client sent)."""
    credential = call.credential
    if credential is None or credential.allows("statements/read", "all/read"):
        return None
    return queries.Mine(_source(call), credential.key)


def _get_one(call: Call, headers: dict[str, str]) -> Response:
    extra = sorted(set(call.params) - _SINGLE_PARAMS)
    if extra or ("statementId" in call.params and "voidedStatementId" in call.params):
        raise bad_request(f"statementId / voidedStatementId take no other parameter than format and attachments{f', not {extra[0]!r}' if extra else ''}")
    voided = "voidedStatementId" in call.params
    sid = call.params["voidedStatementId" if voided else "statementId"]
    if reason := uuid_error(sid):
        raise bad_request(f"{'voidedStatementId' if voided else 'statementId'}: {reason}")
    fmt = call.params.get("format", "exact")
    if fmt not in ("ids", "exact", "canonical"):
        raise bad_request(f"format: expected ids, exact or canonical, got {fmt!r}")
    attachments = call.params.get("attachments", "false")
    if attachments not in ("true", "false"):
        raise bad_request(f"attachments: expected true or false, got {attachments!r}")
    rows = (
        call.service.cursor()
        .execute(f"SELECT raw::VARCHAR, voided, stored, {queries.MINE_COLUMNS} FROM statements WHERE id = CAST(? AS UUID)", [sid])
        .fetchall()
    )
    if rows and (mine := _mine(call)) is not None and (rows[0][3], rows[0][4]) != (mine.source, mine.key):
        rows = []  # statements/read/mine: another key's statement does not exist for this credential
    if not rows or rows[0][1] != voided:
        what = "voided statement" if voided else "statement"
        raise ApiError(
            404, f"no {what} with id {sid}" + ("" if not rows else " (it is voided: use voidedStatementId)" if not voided else " (it is not voided)")
        )
    stmt = orjson.loads(rows[0][0])
    headers["Last-Modified"] = _http_date(rows[0][2])
    return _respond(call, _shaped(call, stmt, fmt), [stmt] if attachments == "true" else [], headers)


def _shaped(call: Call, stmt: dict[str, Any], fmt: str) -> dict[str, Any]:
    return formats.shape(stmt, fmt, formats.accepted_languages(call.headers.get("Accept-Language")))


def _respond(call: Call, body: Any, with_attachments: list[dict[str, Any]], headers: dict[str, str]) -> Response:
    if not with_attachments and "attachments" not in call.params:
        return json_response(body, headers=headers)
    wanted = sorted({a["sha2"].lower() for s in with_attachments for a in s.get("attachments", [])})
    rows = (
        call.service.cursor()
        .execute("SELECT sha2, content_type, content FROM lrs_attachments WHERE sha2 IN (SELECT unnest(?::VARCHAR[]))", [wanted])
        .fetchall()
        if wanted
        else []
    )
    if call.params.get("attachments") != "true":
        return json_response(body, headers=headers)
    payload, content_type = multipart.build(orjson.dumps(body), [(s, t, bytes(c)) for s, t, c in rows])
    return Response(payload, headers=headers, content_type=content_type)


def _http_date(moment: datetime) -> str:
    from email.utils import format_datetime

    return format_datetime(moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC), usegmt=True)
