"""Turn a (valid) xAPI statement into the flat row the ``statements`` table holds.

The pipelines read these columns; keeping the rule in one place means file ingest, the
LRS and survey import all flatten the same way.
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
