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

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from lat.config import Settings
from lat.errors import LatError

MIN_KEY_LENGTH = 16
KEY_FILE = Path("keys") / "export.key"  # under LAT_HOME; only 'lat demo' creates it
_SEPARATOR = "\x1f"  # a kind ("school", "respondent") and a value never run into each other
HOW_TO_SET = (
    "set LAT_EXPORT_KEY to a long random secret, e.g. "
    "export LAT_EXPORT_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))') "
    "(or put it in .env), and keep it: the same key gives the same pseudonyms"
)


def key_file(settings: Settings) -> Path:
    """Where a key file is looked for when ``LAT_EXPORT_KEY`` is unset."""
    return settings.home / KEY_FILE


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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # 0600 from the start
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secrets.token_hex(32) + "\n")
    return path


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
