"""GET /statements queries: parameters checked, SQL over ``statements``, pages and ``more``.

Filters the flat columns answer (verb, registration, since, until, the actor, the object
activity) run in SQL. The ``related_*`` filters and an agent as object look into the
statement itself: SQL narrows with a text match on ``raw``, then :func:`_agent_in` /
:func:`_activity_in` decide exactly. Pages are keyset pages on (stored, id), so ``more``
stays right while statements keep arriving.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import duckdb
import orjson

from lat.lrs.errors import bad_request
from lat.xapi.fields import actor_key
from lat.xapi.rules.agents import agent_error, group_error
from lat.xapi.rules.formats import iri_error, timestamp_error, uuid_error

MAX_LIMIT = 1000
PARAMS = frozenset(
    ("agent", "verb", "activity", "registration", "related_activities", "related_agents", "since", "until", "limit", "format", "attachments", "ascending")
)
_FETCH = 1000  # rows read per round when a filter is decided in Python


@dataclass
class Query:
    """A checked statement query."""

    agent: dict[str, Any] | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: str | None = None
    until: str | None = None
    limit: int = 0
    format: str = "exact"
    attachments: bool = False
    ascending: bool = False
    after: tuple[str, str] | None = None  # keyset cursor: (stored, id) of the last row served

    def token(self, after: tuple[str, str]) -> str:
        """The ``more`` token for the page after ``after``."""
        state = {k: v for k, v in self.__dict__.items() if k != "after"} | {"after": list(after)}
        return base64.urlsafe_b64encode(orjson.dumps(state)).decode().rstrip("=")


def from_token(token: str) -> Query:
    """The query a ``more`` token stands for; a 400 when the token is not one this LRS gave out."""
    try:
        state = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        state["after"] = tuple(state["after"])
        return Query(**state)
    except (ValueError, TypeError, KeyError) as exc:
        raise bad_request(f"more: not a token this LRS gave out ({exc})") from None


def _bool(name: str, value: str) -> bool:
    if value not in ("true", "false"):
        raise bad_request(f"{name}: expected true or false, got {value!r}")
    return value == "true"


def parse(params: dict[str, str], version: int) -> Query:
    """A :class:`Query` from the query parameters (400 for anything wrong)."""
    unknown = sorted(set(params) - PARAMS)
    if unknown:
        raise bad_request(f"unknown query parameter {unknown[0]!r} for GET statements")
    query = Query()
    if "agent" in params:
        query.agent = agent_param(params["agent"])
    for name in ("verb", "activity"):
        if name in params:
            if reason := iri_error(params[name]):
                raise bad_request(f"{name}: {reason}")
            setattr(query, name, params[name])
    if "registration" in params:
        if reason := uuid_error(params["registration"]):
            raise bad_request(f"registration: {reason}")
        query.registration = params["registration"].lower()
    for name in ("since", "until"):
        if name in params:
            if reason := timestamp_error(params[name], version == 2):
                raise bad_request(f"{name}: {reason}")
            setattr(query, name, params[name])
    for name in ("related_activities", "related_agents", "attachments", "ascending"):
        if name in params:
            setattr(query, name, _bool(name, params[name]))
    if "limit" in params:
        if not params["limit"].isdigit():
            raise bad_request(f"limit: expected a whole number >= 0, got {params['limit']!r}")
        query.limit = int(params["limit"])
    if "format" in params:
        if params["format"] not in ("ids", "exact", "canonical"):
            raise bad_request(f"format: expected ids, exact or canonical, got {params['format']!r}")
        query.format = params["format"]
    return query


def agent_param(text: str) -> dict[str, Any]:
    """The ``agent`` query parameter: an Agent or identified Group with an IFI (400 when not)."""
    try:
        agent = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise bad_request(f"agent: not JSON ({exc.msg})") from None
    if not isinstance(agent, dict):
        raise bad_request("agent: expected a JSON object (an Agent or identified Group)")
    check = group_error if agent.get("objectType") == "Group" else agent_error
    reason = check(agent)
    if reason is None and actor_key(agent) is None:
        reason = "needs an inverse functional identifier (mbox, mbox_sha1sum, openid or account)"
    if reason is not None:
        raise bad_request(f"agent: {reason}")
    return agent


@dataclass(frozen=True)
class Mine:
    """A statements/read/mine credential's statements: its ``source`` (``lrs:<name>``, which
    narrows the scan) and its ``key`` (the account name of the statements' ``authority``)."""

    source: str
    key: str


AUTHORITY_KEY = "json_extract_string(raw, '$.authority.account.name')"  # the key that stored a statement
MINE_COLUMNS = f"source, {AUTHORITY_KEY}"  # what is compared with a Mine


def run(con: duckdb.DuckDBPyConnection, query: Query, until: str, mine: Mine | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """One page: the statements and the ``more`` token (None on the last page).

    ``until`` caps ``stored`` at the consistent-through moment, so a page never shows a
    group that is still being written. ``mine`` (statements/read/mine) keeps only the
    statements that credential's key sent; it comes from the credential, never from a ``more`` token.
    """
    limit = min(query.limit or MAX_LIMIT, MAX_LIMIT)
    where, args = _where(query, until)
    if mine is not None:
        where, args = where + f" AND source = ? AND {AUTHORITY_KEY} = ?", [*args, mine.source, mine.key]
    order = "ASC" if query.ascending else "DESC"
    exact = query.agent is None and not query.related_activities
    found: list[tuple[dict[str, Any], str, str]] = []
    after = query.after
    while len(found) <= limit:
        page_where, page_args = where, list(args)
        if after:
            page_where += f" AND (stored, id) {'>' if query.ascending else '<'} (CAST(? AS TIMESTAMPTZ), CAST(? AS UUID))"
            page_args += list(after)
        fetch = limit + 1 - len(found) if exact else _FETCH
        rows = con.execute(
            f"SELECT raw::VARCHAR, strftime(stored, '%Y-%m-%dT%H:%M:%S.%fZ'), id::VARCHAR FROM statements "
            f"WHERE {page_where} ORDER BY stored {order}, id {order} LIMIT {fetch}",
            page_args,
        ).fetchall()
        for raw, stored, sid in rows:
            stmt = orjson.loads(raw)
            if _matches(stmt, query):
                found.append((stmt, stored, sid))
                if len(found) > limit:
                    break
        if len(rows) < fetch:
            break
        after = (rows[-1][1], rows[-1][2])
    more = query.token((found[limit - 1][1], found[limit - 1][2])) if len(found) > limit else None
    return [stmt for stmt, _, _ in found[:limit]], more


def _where(query: Query, until: str) -> tuple[str, list[Any]]:
    """SQL condition and arguments: the time window on the statement itself, the content
    filters on it or on the statement it targets (xAPI: a statement whose object is a
    StatementRef to a matching statement, voided or not, matches too)."""
    clauses = ["NOT voided", "stored <= CAST(? AS TIMESTAMPTZ)"]
    args: list[Any] = [until]
    if query.since:
        clauses.append("stored > CAST(? AS TIMESTAMPTZ)")
        args.append(query.since)
    if query.until:
        clauses.append("stored <= CAST(? AS TIMESTAMPTZ)")
        args.append(query.until)
    content, content_args = _content(query)
    if content:
        clauses.append(f"({content} OR (object_type = 'StatementRef' AND TRY_CAST(object_id AS UUID) IN (SELECT id FROM statements WHERE {content})))")
        args += content_args + content_args
    return " AND ".join(clauses), args


def _content(query: Query) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    if query.verb:
        clauses.append("verb = ?")
        args.append(query.verb)
    if query.registration:
        clauses.append("registration = CAST(? AS UUID)")
        args.append(query.registration)
    if query.activity:
        if query.related_activities:
            clauses.append("contains(raw::VARCHAR, ?)")
            args.append(orjson.dumps(query.activity).decode())
        else:
            clauses.append("object_id = ? AND object_type = 'Activity'")
            args.append(query.activity)
    if query.agent:
        clauses.append("contains(raw::VARCHAR, ?)")
        args.append(_ifi_text(query.agent))
    return " AND ".join(clauses), args


def _ifi_text(agent: dict[str, Any]) -> str:
    """A piece of JSON text every statement naming ``agent`` contains."""
    for key in ("mbox", "mbox_sha1sum", "openid"):
        if key in agent:
            return orjson.dumps(agent[key]).decode()
    return orjson.dumps(agent["account"]["name"]).decode()


def _matches(stmt: dict[str, Any], query: Query) -> bool:
    if (stmt.get("object") or {}).get("objectType") == "StatementRef":
        return True  # it matched in SQL through its target, which the Python filters cannot see here
    if query.agent is not None and not _agent_in(stmt, actor_key(query.agent), query.related_agents):
        return False
    if query.activity is not None and query.related_activities:
        return _activity_in(stmt, query.activity)
    return True


def _agent_in(stmt: dict[str, Any], key: str | None, related: bool) -> bool:
    """Is the agent ``key`` the actor or object (or, when ``related``, anywhere) of ``stmt``?"""
    candidates = [stmt.get("actor"), stmt.get("object")]
    if related:
        context = stmt.get("context") or {}
        candidates += [stmt.get("authority"), context.get("instructor"), context.get("team")]
        obj = stmt.get("object") or {}
        if obj.get("objectType") == "SubStatement":
            return any(_agent_is(c, key) for c in candidates) or _agent_in(obj, key, True)
    return any(_agent_is(c, key) for c in candidates)


def _agent_is(agent: Any, key: str | None) -> bool:
    if not isinstance(agent, dict) or agent.get("objectType", "Agent") not in ("Agent", "Group"):
        return False
    if "id" in agent and "objectType" not in agent:
        return False  # an Activity without objectType
    if actor_key(agent) == key:
        return True
    return agent.get("objectType") == "Group" and any(_agent_is(m, key) for m in agent.get("member") or [])


def _activity_in(stmt: dict[str, Any], activity: str) -> bool:
    obj = stmt.get("object") or {}
    if obj.get("objectType", "Activity") == "Activity" and obj.get("id") == activity:
        return True
    context_activities = (stmt.get("context") or {}).get("contextActivities") or {}
    for value in context_activities.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and item.get("id") == activity:
                return True
    return obj.get("objectType") == "SubStatement" and _activity_in(obj, activity)
