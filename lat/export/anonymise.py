"""Pseudonyms for research exports: HMAC-SHA256 with the secret ``LAT_EXPORT_KEY``.

The same key gives the same pseudonyms, so the project can link two exports; without the key
nobody can link a pseudonym to a school or a person, nor two exports made with different
keys. The key never leaves: it is not written into an export, its manifest or the audit log.
There is deliberately no generated default (unlike ``LAT_PSEUDONYM_KEY``): whoever hands
data to researchers decides which key, and therefore which linkability, they get.
"""

from __future__ import annotations

import hashlib
import hmac

from lat.config import Settings
from lat.errors import LatError

MIN_KEY_LENGTH = 16
_SEPARATOR = "\x1f"  # a kind ("school", "respondent") and a value never run into each other
HOW_TO_SET = (
    "set LAT_EXPORT_KEY to a long random secret, e.g. "
    "export LAT_EXPORT_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))') "
    "(or put it in .env), and keep it: the same key gives the same pseudonyms"
)


def export_key(settings: Settings) -> bytes:
    """The export key from the settings, or a :class:`LatError` saying how to set it."""
    if settings.export_key is None:
        raise LatError(f"No export key: {HOW_TO_SET}.")
    value = settings.export_key.get_secret_value().strip()
    if len(value) < MIN_KEY_LENGTH:
        raise LatError(f"LAT_EXPORT_KEY is shorter than {MIN_KEY_LENGTH} characters: {HOW_TO_SET}.")
    return value.encode("utf-8")


class Pseudonymiser:
    """Keyed pseudonyms, one namespace per kind of identifier."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def pseudonym(self, kind: str, value: str, length: int = 16) -> str:
        """``<prefix>-<hex>``: HMAC-SHA256(key, kind + value), truncated to ``length`` hex digits."""
        digest = hmac.new(self._key, f"{kind}{_SEPARATOR}{value}".encode(), hashlib.sha256).hexdigest()
        return f"{kind[0].upper()}-{digest[:length]}"

    def school(self, school_id: str) -> str:
        """A school's pseudonym, ``S-`` + 12 hex digits (75 schools: collisions are negligible)."""
        return self.pseudonym("school", school_id, 12)

    def respondent(self, actor_key: str) -> str:
        """A respondent's pseudonym, ``R-`` + 16 hex digits (derived from the stored actor key)."""
        return self.pseudonym("respondent", actor_key, 16)
