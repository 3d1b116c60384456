"""The access-control database: users, their scopes, sessions, login attempts and the audit log.

It is a SQLite file, ``LAT_HOME/auth.sqlite``, kept apart from the DuckDB store on purpose:
DuckDB admits one writing process per file, while the dashboard (logins, sessions, audit)
must keep writing while ingest, the LRS or compute hold ``lat.duckdb``. SQLite in WAL mode
lets several processes read and write it safely.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lat.config import Settings, get_settings
from lat.errors import LatError

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name          TEXT PRIMARY KEY,
    role          TEXT NOT NULL,
    password_hash TEXT,             -- argon2id; NULL for accounts that sign in through OpenID Connect
    external      INTEGER NOT NULL DEFAULT 0,  -- 1: provisioned from an identity provider
    created_at    TEXT NOT NULL
);
-- What a user may see: kind is 'school', 'hub' or 'person' (a mentor's person_id).
CREATE TABLE IF NOT EXISTS user_scopes (
    user  TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    kind  TEXT NOT NULL CHECK (kind IN ('school', 'hub', 'person')),
    value TEXT NOT NULL,
    PRIMARY KEY (user, kind, value)
);
-- How to reach a user with e-mail alerts (lat alerts): address, language, and whether they want them.
CREATE TABLE IF NOT EXISTS user_contacts (
    user     TEXT PRIMARY KEY REFERENCES users(name) ON DELETE CASCADE,
    email    TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'en',
    alerts   INTEGER NOT NULL DEFAULT 1
);
-- Server-side sessions. Only a SHA-256 of the cookie value is stored, so a copy of this
-- file does not let anyone take over a session.
CREATE TABLE IF NOT EXISTS sessions (
    id_hash    TEXT PRIMARY KEY,
    user       TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    ip         TEXT
);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS login_attempts (
    user TEXT NOT NULL,
    ip   TEXT NOT NULL,
    at   REAL NOT NULL,
    ok   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS login_attempts_user ON login_attempts (user, at);
CREATE INDEX IF NOT EXISTS login_attempts_ip ON login_attempts (ip, at);
-- Who did what, when. Never holds personal data of data subjects (erasures store a hash).
CREATE TABLE IF NOT EXISTS audit (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    at     TEXT NOT NULL,           -- UTC, ISO 8601
    actor  TEXT NOT NULL,           -- user name, or 'cli:<os user>' for commands
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT,                    -- JSON object
    ip     TEXT
);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
"""


def path(settings: Settings | None = None) -> Path:
    """Where the access-control database lives."""
    return (settings or get_settings()).home / "auth.sqlite"


def connect(settings: Settings | None = None) -> sqlite3.Connection:
    """Open ``auth.sqlite`` (creating it and its schema), in WAL mode with foreign keys on."""
    file = path(settings)
    file.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = sqlite3.connect(file, timeout=10, isolation_level=None)  # autocommit; explicit BEGIN where needed
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA foreign_keys=ON")
        con.execute("PRAGMA busy_timeout=10000")
        con.executescript(SCHEMA)
    except sqlite3.DatabaseError as exc:
        raise LatError(f"Cannot open the access-control database {file}: {exc}") from None
    file.chmod(0o600)  # password hashes and session hashes: owner only
    con.row_factory = sqlite3.Row
    return con


@contextmanager
def session(settings: Settings | None = None) -> Iterator[sqlite3.Connection]:
    """``with authdb.session(settings) as con:`` opens the database and always closes it."""
    con = connect(settings)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run a block as one write transaction (BEGIN IMMEDIATE: take the write lock up front)."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
