"""Pseudonyms for research exports: HMAC-SHA256 with the secret ``LAT_EXPORT_KEY``.

The same key gives the same pseudonyms, so the project can link two exports; without the key
nobody can link a pseudonym to a school or a person, nor two exports made with different
keys. The key never leaves: it is not written into an export, its manifest or the audit log.
There is deliberately no silently generated default (unlike ``LAT_PSEUDONYM_KEY``): whoever
hands data to researchers decides which key, and therefore which linkability, they get. The
one exception is explicit: ``lat demo`` writes ``LAT_HOME/keys/export.key`` (0600), read when
``LAT_EXPORT_KEY`` is unset, so the demo's researcher page can export.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from lat import keyfiles
from lat.config import Settings
from lat.errors import LatError
from lat.pseudonym import keyed_hash

MIN_KEY_LENGTH = 16
KEY_NAME = "export.key"  # under LAT_HOME/keys; only 'lat demo' creates it
HOW_TO_SET = (
    "set LAT_EXPORT_KEY to a long random secret, e.g. "
    "export LAT_EXPORT_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))') "
    "(or put it in .env), and keep it: the same key gives the same pseudonyms"
)


def key_file(settings: Settings) -> Path:
    """Where a key file is looked for when ``LAT_EXPORT_KEY`` is unset."""
    return keyfiles.key_file(settings, KEY_NAME)


def key_source(settings: Settings) -> str | None:
    """Where the export key comes from ('LAT_EXPORT_KEY' or the key file's path), None when there is none."""
    if settings.export_key is not None:
        return "LAT_EXPORT_KEY"
    return str(key_file(settings)) if key_file(settings).is_file() else None


def export_key(settings: Settings) -> bytes:
    """``LAT_EXPORT_KEY``, else ``LAT_HOME/keys/export.key``, or a :class:`LatError` saying how to set one."""
    if settings.export_key is not None:
        value, name = settings.export_key.get_secret_value().strip(), "LAT_EXPORT_KEY"
    elif key_file(settings).is_file():
        value, name = key_file(settings).read_text(encoding="utf-8").strip(), str(key_file(settings))
    else:
        raise LatError(f"No export key: {HOW_TO_SET}.")
    if len(value) < MIN_KEY_LENGTH:
        raise LatError(f"{name} is shorter than {MIN_KEY_LENGTH} characters: {HOW_TO_SET}.")
    return value.encode("utf-8")


def create_key_file(settings: Settings) -> Path | None:
    """Write a random key to ``LAT_HOME/keys/export.key`` (0600) unless a key is configured already.

    Returns the new file's path, or None when ``LAT_EXPORT_KEY`` or the file exists (never overwritten).
    """
    path = key_file(settings)
    if settings.export_key is not None or path.exists():
        return None
    return path if keyfiles.write_private(path, (secrets.token_hex(32) + "\n").encode(), replace=False) else None


class Pseudonymiser:
    """Keyed pseudonyms, one namespace per kind of identifier.

    The same HMAC construction as survey respondents' pseudonyms (:func:`lat.pseudonym.keyed_hash`)
    but deliberately another key (``LAT_EXPORT_KEY``) and another domain (the kind of
    identifier comes first): an export's pseudonyms cannot be matched with the store's.
    """

    def __init__(self, key: bytes) -> None:
        self._key = key

    def pseudonym(self, kind: str, value: str, length: int = 16) -> str:
        """``<prefix>-<hex>``: HMAC-SHA256(key, kind + value), truncated to ``length`` hex digits."""
        digest = keyed_hash(self._key, kind, value)
        return f"{kind[0].upper()}-{digest[:length]}"

    def school(self, school_id: str) -> str:
        """A school's pseudonym, ``S-`` + 12 hex digits (75 schools: collisions are negligible)."""
        return self.pseudonym("school", school_id, 12)

    def respondent(self, actor_key: str) -> str:
        """A respondent's pseudonym, ``R-`` + 16 hex digits (derived from the stored actor key)."""
        return self.pseudonym("respondent", actor_key, 16)
