"""Turn a (valid) xAPI statement into the flat row the ``statements`` table holds.

The pipelines read these columns; keeping the rule in one place means file ingest, the
LRS and survey import all flatten the same way.

The rule exists twice, kept equal by tests/test_ingest_flatten.py:

* :func:`flatten` in Python, for one statement (``lat forget`` rewrites single rows);
* :func:`sql_columns`, the same columns as DuckDB expressions over the prepared statement's
  JSON text. The ingest uses it for whole batches: DuckDB's JSON reader (C++, one parse per
  document for all paths, all cores) costs about 6 us a statement where the Python flatten
  plus building ~30 Arrow columns cost about 20 us. Two columns stay in Python because SQL
  cannot say them simply (:func:`actor_key`, :func:`duration_seconds`), and so do profile
  extension values that are not strings (:func:`profile_override`: Python's ``str()`` of a
  number or an object is not what JSON text says).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from lat import vocab

_DURATION = re.compile(
    r"^P(?:(?P<y>\d+(?:\.\d+)?)Y)?(?:(?P<mo>\d+(?:\.\d+)?)M)?(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<mi>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_SECONDS = {"y": 365.25 * 86400, "mo": 30.4375 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "mi": 60, "s": 1}


def actor_key(agent: dict[str, Any] | None) -> str | None:
    """The normalised inverse functional identifier of an agent or identified group.

    ``mailto:x@y`` (lower-cased), ``sha1:<hex>``, the openid URI, or ``homePage|name`` for an
    account. An anonymous group gets ``group:<sha1 of its members' keys>``.
    """
    if not agent:
        return None
    if mbox := agent.get("mbox"):
        return str(mbox).lower()
    if sha := agent.get("mbox_sha1sum"):
        return f"sha1:{str(sha).lower()}"
    if openid := agent.get("openid"):
        return str(openid)
    if account := agent.get("account"):
        return f"{account.get('homePage', '')}|{account.get('name', '')}"
    members = agent.get("member") or []
    if members:
        keys = sorted(k for m in members if (k := actor_key(m)))
        return "group:" + hashlib.sha1("\n".join(keys).encode()).hexdigest()
    return None


def duration_seconds(value: str | None) -> float | None:
    """Seconds in an ISO 8601 duration (``PT1H30M`` -> 5400.0); None when absent or unreadable."""
    if not value:
        return None
    match = _DURATION.match(value)
    if not match:
        return None
    return sum(float(v) * _SECONDS[k] for k, v in match.groupdict().items() if v)


def _first_parent(context: dict[str, Any]) -> str | None:
    parent = (context.get("contextActivities") or {}).get("parent")
    if isinstance(parent, dict):  # xAPI 0.95 habit, accepted by most LRSs
        parent = [parent]
    return parent[0].get("id") if parent else None


def flatten(stmt: dict[str, Any]) -> dict[str, Any]:
    """Columns of the ``statements`` table for one statement (without ``raw``/``source``/``voided``).

    ``school`` is the profile's context extension only; registry attribution is applied
    by the store (see ``lat.attribution``) so it can follow registry changes.
    """
    obj = stmt.get("object") or {}
    definition = obj.get("definition") or {}
    result = stmt.get("result") or {}
    score = result.get("score") or {}
    context = stmt.get("context") or {}
    cext = context.get("extensions") or {}
    rext = result.get("extensions") or {}
    return {
        "id": stmt.get("id"),
        "actor_key": actor_key(stmt.get("actor")),
        "verb": (stmt.get("verb") or {}).get("id"),
        "object_id": obj.get("id"),
        "object_type": obj.get("objectType", "Activity"),
        "activity_type": definition.get("type"),
        "parent_id": _first_parent(context),
        "registration": context.get("registration"),
        "score_raw": score.get("raw"),
        "score_scaled": score.get("scaled"),
        "score_min": score.get("min"),
        "score_max": score.get("max"),
        "success": result.get("success"),
        "completion": result.get("completion"),
        "response": result.get("response"),
        "duration_s": duration_seconds(result.get("duration")),
        "timestamp": stmt.get("timestamp"),
        "stored": stmt.get("stored"),
        "school": _text(cext.get(vocab.EXT_SCHOOL)),
        "hub": _text(cext.get(vocab.EXT_HUB)),
        "round": _text(cext.get(vocab.EXT_ROUND)),
        "area": _text(cext.get(vocab.EXT_AREA)),
        "item": _text(cext.get(vocab.EXT_ITEM)),
        "respondent_group": _text(cext.get(vocab.EXT_GROUP)),
        "phase": _text(cext.get(vocab.EXT_PHASE)),
        "context_extensions": cext or None,
        "result_extensions": rext or None,
        "version": stmt.get("version"),
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# The LAT profile's context extensions, flattened into columns of their own (in this order).
PROFILE_COLUMNS = (
    ("school", vocab.EXT_SCHOOL), ("hub", vocab.EXT_HUB), ("round", vocab.EXT_ROUND), ("area", vocab.EXT_AREA),
    ("item", vocab.EXT_ITEM), ("respondent_group", vocab.EXT_GROUP), ("phase", vocab.EXT_PHASE),
)  # fmt: skip
_PROFILE_IRIS = frozenset(iri for _, iri in PROFILE_COLUMNS)

# column -> JSON path of its value (a string, or a number / boolean as JSON text) in the statement
_SQL_PATHS = (
    ("verb", "$.verb.id"), ("object_id", "$.object.id"), ("object_type", "$.object.objectType"),
    ("activity_type", "$.object.definition.type"),
    ("parent_object", "$.context.contextActivities.parent.id"),  # a single parent Activity (xAPI 0.95 habit)
    ("parent_first", "$.context.contextActivities.parent[0].id"),
    ("score_raw", "$.result.score.raw"), ("score_scaled", "$.result.score.scaled"),
    ("score_min", "$.result.score.min"), ("score_max", "$.result.score.max"), ("success", "$.result.success"),
    ("completion", "$.result.completion"), ("response", "$.result.response"), ("version", "$.version"),
    *((name, f'$.context.extensions."{iri}"') for name, iri in PROFILE_COLUMNS),
)  # fmt: skip
_SQL_CASTS = {"score_raw": "DOUBLE", "score_scaled": "DOUBLE", "score_min": "DOUBLE", "score_max": "DOUBLE",
              "success": "BOOLEAN", "completion": "BOOLEAN"}
# what sql_columns does not produce: the ingest has these in Python before any SQL runs
PYTHON_COLUMNS = ("id", "actor_key", "registration", "duration_s", "timestamp", "stored")


def profile_override(stmt: dict[str, Any]) -> list[str | None] | None:
    """The profile columns in Python, for the rare statement whose profile extension values are not all strings.

    None (the usual case) means :func:`sql_columns` gives the same values from the JSON text.
    """
    context = stmt.get("context")
    cext = context.get("extensions") if context.__class__ is dict else None
    if not cext:
        return None
    for key, value in cext.items():  # a few keys: cheaper than looking up all seven IRIs
        if key in _PROFILE_IRIS and value is not None and value.__class__ is not str:
            return [_text(cext.get(iri)) for _, iri in PROFILE_COLUMNS]
    return None


def sql_columns(source: str, *, raw: str = "raw", override: str = "profile") -> str:
    """A query giving, for every row of ``source``, its columns plus :func:`flatten`'s, from JSON text.

    ``source`` (a table or view) has ``raw``, the statement's JSON text, and ``override``,
    :func:`profile_override`'s list as JSON text (or NULL). Produced: every :func:`flatten`
    column except :data:`PYTHON_COLUMNS`, which the caller has.
    """
    paths = ", ".join(f"'{path}'" for _, path in _SQL_PATHS)
    picks = ", ".join(
        f"CAST(v[{i}] AS {_SQL_CASTS[name]}) AS {name}" if name in _SQL_CASTS else f"v[{i}] AS {name}"
        for i, (name, _) in enumerate(_SQL_PATHS, start=1)
    )
    profile = ", ".join(
        f"CASE WHEN {override} IS NULL THEN {name} ELSE {override}->>'$[{k}]' END AS {name}"
        for k, (name, _) in enumerate(PROFILE_COLUMNS)
    )
    replaced = ", ".join(name for name, _ in PROFILE_COLUMNS)
    # One parse per document and call: json_extract_string gives strings unquoted (numbers
    # and booleans as JSON text, then cast); the extension objects come whole, as JSON, and
    # {} counts as none (``cext or None``).
    return f"""
SELECT * EXCLUDE (parent_object, parent_first, object_type, cext, rext, {replaced}),
       coalesce(parent_object, parent_first) AS parent_id,
       coalesce(object_type, 'Activity') AS object_type,
       {profile},
       CASE WHEN cext = '{{}}' THEN NULL ELSE cext END AS context_extensions,
       CASE WHEN rext = '{{}}' THEN NULL ELSE rext END AS result_extensions
FROM (SELECT * EXCLUDE (v, x), {picks}, x[1] AS cext, x[2] AS rext
      FROM (SELECT *, json_extract_string({raw}, [{paths}]) AS v,
                   json_extract({raw}, ['$.context.extensions', '$.result.extensions']) AS x
            FROM {source}))
"""
