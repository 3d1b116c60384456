"""Credentials of the sources that push to the LRS: a key and a secret for HTTP Basic auth.

They live in a SQLite file, ``LAT_HOME/lrs.sqlite``, not in the DuckDB store, so that
``lat lrs credentials add/revoke`` work while the LRS holds the store (SQLite in WAL mode
admits several processes) and a revocation takes effect within :data:`CACHE_SECONDS`.

Why SHA-256 and not argon2: the secret is 32 random bytes (256 bits), which no guessing
attack can reach, so a slow password hash adds nothing but cost on every request (argon2
takes ~50 ms and 64 MiB). A file copy gives away only hashes of unguessable values.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lat.config import Settings
from lat.errors import LatError

# xAPI 1.0.3 scope names (Communication 4.2) and what we add: all, all/read, statements/*, state, profile, define.
SCOPES = ("all", "all/read", "statements/write", "statements/read", "statements/read/mine", "state", "profile", "define")
CACHE_SECONDS = 2.0  # how long a looked-up key is trusted before the file is read again

_SCHEMA = """
CREATE TABLE IF NOT EXISTS credentials (
    key         TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    scopes      TEXT NOT NULL,      -- space-separated
    secret_hash TEXT NOT NULL,      -- hex SHA-256 of the secret
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
"""


@dataclass(frozen=True)
class Credential:
    """A source's credential, without its secret."""

    key: str
    name: str
    scopes: tuple[str, ...]
    created_at: str
    revoked_at: str | None = None

    def allows(self, *wanted: str) -> bool:
        """True when any of ``wanted`` is granted (``all`` grants everything)."""
        return "all" in self.scopes or any(scope in self.scopes for scope in wanted)


def path(settings: Settings) -> Path:
    """The SQLite file of the LRS credentials, in LAT_HOME."""
    return settings.home / "lrs.sqlite"


def _connect(settings: Settings) -> sqlite3.Connection:
    settings.home.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path(settings), timeout=10, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode=WAL")
    con.executescript(_SCHEMA)
    return con


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def add(settings: Settings, name: str, scopes: list[str]) -> dict[str, str]:
    """Create a credential; returns ``{"key", "secret"}`` (the secret is shown only here)."""
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise LatError(f"unknown scope {unknown[0]!r}: choose from {', '.join(SCOPES)}")
    if not name.strip():
        raise LatError("the credential needs a name (the source it is for, e.g. 'moodle-hub-ee')")
    key = "lat_" + secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    con = _connect(settings)
    try:
        con.execute(
            "INSERT INTO credentials VALUES (?, ?, ?, ?, ?, NULL)",
            [key, name, " ".join(scopes), _hash(secret), datetime.now(UTC).isoformat(timespec="seconds")],
        )
    finally:
        con.close()
    return {"key": key, "secret": secret}


def list_all(settings: Settings) -> list[Credential]:
    """Every credential, revoked ones too, oldest first."""
    con = _connect(settings)
    try:
        rows = con.execute("SELECT key, name, scopes, created_at, revoked_at FROM credentials ORDER BY created_at, key").fetchall()
    finally:
        con.close()
    return [Credential(k, n, tuple(s.split()), c, r) for k, n, s, c, r in rows]


def revoke(settings: Settings, key: str) -> None:
    """Revoke the credential ``key``; a LatError when there is no active one."""
    con = _connect(settings)
    try:
        changed = con.execute(
            "UPDATE credentials SET revoked_at = ? WHERE key = ? AND revoked_at IS NULL", [datetime.now(UTC).isoformat(timespec="seconds"), key]
        ).rowcount
    finally:
        con.close()
    if not changed:
        raise LatError(f"no active credential with key {key!r} ('lat lrs credentials list' shows them)")


class Verifier:
    """Checks (key, secret) pairs for the server, with a short in-memory cache of lookups."""

    def __init__(self, settings: Settings) -> None:
        self._con = _connect(settings)
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, Credential | None, str]] = {}

    def verify(self, key: str, secret: str) -> Credential | None:
        """The credential when the pair is right and not revoked, else None."""
        credential, secret_hash = self._lookup(key)
        if credential is None or not hmac.compare_digest(secret_hash, _hash(secret)):
            return None
        return credential

    def _lookup(self, key: str) -> tuple[Credential | None, str]:
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit and now - hit[0] < CACHE_SECONDS:
            return hit[1], hit[2]
        with self._lock:
            row = self._con.execute("SELECT key, name, scopes, created_at, secret_hash FROM credentials WHERE key = ? AND revoked_at IS NULL", [key]).fetchone()
        found = (Credential(row[0], row[1], tuple(row[2].split()), row[3]), row[4]) if row else (None, "")
        self._cache[key] = (now, *found)
        return found
