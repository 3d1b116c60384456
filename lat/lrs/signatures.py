"""Signed statements (xAPI Data 2.6): the signature attachment must be a JWS of the statement.

The LRS checks the form, not the trust: the attachment is a compact JWS with an RS256,
RS384 or RS512 header, and its payload is the statement itself (compared by the xAPI
comparison rules, :func:`lat.xapi.ids.content_digest`). Verifying the key is left to whoever
reads the statement, as the specification allows.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import orjson

from lat.lrs.multipart import Part
from lat.xapi.ids import content_digest

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
_ALGORITHMS = frozenset(("RS256", "RS384", "RS512"))
_FINER = re.compile(r"(\.\d{2})\d+(?=S$)")


def problem(stmt: dict[str, Any], parts: dict[str, Part]) -> str | None:
    """Why the statement's signature attachment is not acceptable, or None."""
    for attachment in stmt.get("attachments", []):
        if attachment.get("usageType") != SIGNATURE:
            continue
        if attachment.get("contentType") != "application/octet-stream":
            return "signature attachment: contentType must be application/octet-stream"
        part = parts.get(str(attachment.get("sha2", "")).lower())
        if part is None:
            return "signature attachment: its JWS must be sent as a multipart/mixed part"
        return _jws_problem(part.body, stmt)
    return None


def _jws_problem(token: bytes, stmt: dict[str, Any]) -> str | None:
    pieces = token.strip().split(b".")
    if len(pieces) != 3:
        return "signature attachment: not a compact JWS (three base64url parts joined by '.')"
    try:
        header = orjson.loads(_unbase64(pieces[0]))
        payload = orjson.loads(_unbase64(pieces[1]))
    except (ValueError, orjson.JSONDecodeError):
        return "signature attachment: the JWS header or payload is not base64url-encoded JSON"
    if not isinstance(header, dict) or header.get("alg") not in _ALGORITHMS:
        return "signature attachment: the JWS algorithm must be RS256, RS384 or RS512"
    if not isinstance(payload, dict) or content_digest(_hundredths(payload)) != content_digest(_hundredths(stmt)):
        return "signature attachment: the JWS payload is not this statement"
    return None


def _hundredths(stmt: dict[str, Any]) -> dict[str, Any]:
    """``stmt`` with result.duration seconds cut to hundredths (xAPI 2.0: finer precision is not compared)."""
    result = stmt.get("result")
    if not isinstance(result, dict) or not isinstance(duration := result.get("duration"), str):
        return stmt
    return {**stmt, "result": {**result, "duration": _FINER.sub(r"\1", duration)}}


def _unbase64(piece: bytes) -> bytes:
    return base64.urlsafe_b64decode(piece + b"=" * (-len(piece) % 4))
