"""Deterministic statement ids and the content digest used to tell duplicates from conflicts.

Two different questions, two different canonical forms:

* **Which id does an id-less statement get?** ``derived_id`` hashes the statement as received
  (keys sorted, ``id``/``stored``/``authority``/``version`` left out, everything else kept,
  ``timestamp`` included). The same file imported twice gives the same ids, so the second
  import changes nothing; two events that differ in anything (a timestamp, a display name)
  stay two statements.
* **Is a statement with a known id "the same" as the one stored?** ``content_digest`` follows
  the xAPI statement comparison rules (xAPI 1.0.3 Data 2.3.1, IEEE 9274.1.1 4.1.1): differences
  an LRS may introduce are not significant, so the digest leaves out ``id``, ``stored``,
  ``authority``, ``version``, ``timestamp``, ``attachments``, the verb's ``display``, every
  Activity ``definition`` (in the object, context activities and sub-statements), the order of
  Group members, and the case of UUIDs and ``mbox`` values. Same id and same digest: a
  duplicate. Same id and another digest: a conflict.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import orjson

# uuid5 namespace of LAT-derived statement ids (uuid5(NAMESPACE_URL, "https://w3id.org/xapi/lat/statements")).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://w3id.org/xapi/lat/statements")

_NOT_IDENTITY = frozenset({"id", "stored", "authority", "version"})
_NOT_COMPARED = frozenset({"id", "stored", "authority", "version", "timestamp", "attachments"})


_NAMESPACE_BYTES = NAMESPACE.bytes


def derived_id(stmt: dict[str, Any]) -> str:
    """The uuid5 an id-less statement gets: a hash of its canonical content."""
    return identity(stmt)[0]


def identity(stmt: dict[str, Any]) -> tuple[str, bytes]:
    """The derived id and the canonical JSON it hashes (sorted keys, without ``id``, ``stored``,
    ``authority``, ``version``), which the ingest reuses to write ``raw`` without serialising twice.

    The id equals ``str(uuid.uuid5(NAMESPACE, canonical.decode()))``, computed without the
    ``uuid`` module's objects (a third of the cost on the ingest's hot path).
    """
    # the usual statement has none of these keys: no copy needed
    content = stmt if _NOT_IDENTITY.isdisjoint(stmt) else {k: v for k, v in stmt.items() if k not in _NOT_IDENTITY}
    canonical = orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + canonical).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}", canonical


def content_digest(stmt: dict[str, Any]) -> bytes:
    """16-byte digest of the parts of a statement that the xAPI comparison rules look at."""
    form = _comparable(stmt, _NOT_COMPARED)
    return hashlib.blake2b(orjson.dumps(form, option=orjson.OPT_SORT_KEYS), digest_size=16).digest()


def _comparable(stmt: dict[str, Any], drop: frozenset[str]) -> dict[str, Any]:
    """A shallow copy of ``stmt`` rewritten into its comparison form (the input is untouched)."""
    form = {k: v for k, v in stmt.items() if k not in drop}
    if isinstance(verb := form.get("verb"), dict):
        form["verb"] = {k: v for k, v in verb.items() if k != "display"}
    if "actor" in form:
        form["actor"] = _agent(form["actor"])
    if "object" in form:
        form["object"] = _object(form["object"])
    if isinstance(context := form.get("context"), dict):
        form["context"] = _context(context)
    return form


def _agent(agent: Any) -> Any:
    if not isinstance(agent, dict):
        return agent
    out = dict(agent)
    if isinstance(mbox := out.get("mbox"), str):
        out["mbox"] = mbox.lower()
    if isinstance(members := out.get("member"), list):
        # Group member order is not significant: sort by each member's canonical bytes.
        normal = [_agent(m) for m in members]
        out["member"] = sorted(normal, key=lambda m: orjson.dumps(m, option=orjson.OPT_SORT_KEYS))
    return out


def _object(obj: Any) -> Any:
    if not isinstance(obj, dict):
        return obj
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        return {k: v for k, v in obj.items() if k != "definition"}
    if kind in ("Agent", "Group"):
        return _agent(obj)
    if kind == "StatementRef" and isinstance(obj.get("id"), str):
        return {**obj, "id": obj["id"].lower()}
    if kind == "SubStatement":
        return _comparable(obj, frozenset({"timestamp"}))
    return obj


def _context(context: dict[str, Any]) -> dict[str, Any]:
    out = dict(context)
    if isinstance(reg := out.get("registration"), str):
        out["registration"] = reg.lower()
    for key in ("instructor", "team"):
        if key in out:
            out[key] = _agent(out[key])
    if isinstance(activities := out.get("contextActivities"), dict):
        out["contextActivities"] = {kind: _activity_ids(value) for kind, value in activities.items()}
    if isinstance(ref := out.get("statement"), dict) and isinstance(ref.get("id"), str):
        out["statement"] = {**ref, "id": ref["id"].lower()}
    return out


def _activity_ids(value: Any) -> Any:
    """Context activities without their definitions (a single object counts as a list of one)."""
    items = value if isinstance(value, list) else [value]
    return [_object(a) for a in items]
