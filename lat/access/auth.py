"""Authentication: argon2id password hashes, login with lockout, server-side sessions.

A session is a random id in a cookie; ``auth.sqlite`` stores only its SHA-256 with the
user, an expiry and the session's CSRF token. Ending a session (logout, password change,
user removal) therefore takes effect at once in every dashboard process.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import time
from dataclasses import dataclass

from lat import keyfiles as keys
from lat.access import audit, authdb
from lat.access.passwords import hash_password, needs_rehash, verify_password
from lat.access.roles import User
from lat.access.users import get_user
from lat.config import Settings
from lat.errors import LatError


class LoginRefused(LatError):
    """Wrong user name or password (deliberately not saying which)."""


class LockedOut(LoginRefused):
    """Too many failed logins for this user or from this address."""


@dataclass(frozen=True)
class Session:
    """A signed-in session: ``id`` goes in the cookie, ``csrf`` in the pages' forms."""

    id: str
    user: str
    csrf: str
    expires_at: float


def session_secret(settings: Settings) -> bytes:
    """``LAT_SESSION_SECRET``, or a random key generated once into ``LAT_HOME/keys/session.key`` (0600)."""
    return keys.secret(settings, "session_secret", "session.key")


def login(settings: Settings, name: str, password: str, ip: str) -> User:
    """Check a password, enforcing the lockout; record the attempt and audit it.

    Raises :class:`LockedOut` while ``login_max_failures`` failures for this user name or
    from this address lie within the last ``login_lockout_minutes`` (checked *before* the
    password, so a locked account gives no hint whether a guess was right).
    """
    now = time.time()
    with authdb.session(settings) as con:
        if _locked(con, settings, name, ip, now):
            _attempt(con, settings, name, ip, now, ok=False, action=audit.LOGIN_LOCKED)
            raise LockedOut(
                f"Too many failed logins: try again in {settings.login_lockout_minutes} minutes."
            )
        row = con.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
        if not verify_password(row["password_hash"] if row else None, password):
            _attempt(con, settings, name, ip, now, ok=False, action=audit.LOGIN_FAILED)
            raise LoginRefused("Wrong user name or password.")
        if needs_rehash(row["password_hash"]):  # parameters raised since it was set
            con.execute("UPDATE users SET password_hash = ? WHERE name = ?", (hash_password(password), name))
        _attempt(con, settings, name, ip, now, ok=True, action=audit.LOGIN)
        user = get_user(settings, name, con=con)
    assert user is not None
    return user


def create_session(settings: Settings, user: str, ip: str | None = None) -> Session:
    """Start a session for ``user`` (expired sessions are purged on the way)."""
    now = time.time()
    session = Session(secrets.token_urlsafe(32), user, secrets.token_urlsafe(32), now + settings.session_hours * 3600)
    with authdb.session(settings) as con, authdb.transaction(con):
        con.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
        con.execute(
            "INSERT INTO sessions (id_hash, user, csrf, created_at, expires_at, ip) VALUES (?, ?, ?, ?, ?, ?)",
            (_digest(session.id), user, session.csrf, now, session.expires_at, ip),
        )
    return session


def lookup_session(settings: Settings, session_id: str | None) -> tuple[User, Session] | None:
    """The user and session behind a cookie value, or None when unknown or expired."""
    if not session_id:
        return None
    with authdb.session(settings) as con:
        row = con.execute(
            "SELECT user, csrf, expires_at FROM sessions WHERE id_hash = ? AND expires_at > ?",
            (_digest(session_id), time.time()),
        ).fetchone()
        if row is None:
            return None
        user = get_user(settings, row["user"], con=con)
    if user is None:
        return None
    return user, Session(session_id, user.name, row["csrf"], row["expires_at"])


def end_session(settings: Settings, session_id: str) -> None:
    """Delete the session ``session_id`` (signing out); nothing happens when it is gone already."""
    with authdb.session(settings) as con:
        con.execute("DELETE FROM sessions WHERE id_hash = ?", (_digest(session_id),))


def csrf_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of CSRF tokens."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def _locked(con: sqlite3.Connection, settings: Settings, name: str, ip: str, now: float) -> bool:
    since = now - settings.login_lockout_minutes * 60
    limit = settings.login_max_failures
    failures = con.execute(
        "SELECT (SELECT count(*) FROM login_attempts WHERE user = ? AND ok = 0 AND at > ?),"
        "       (SELECT count(*) FROM login_attempts WHERE ip = ? AND ok = 0 AND at > ?)",
        (name, since, ip, since),
    ).fetchone()
    return failures[0] >= limit or failures[1] >= limit


def _attempt(con: sqlite3.Connection, settings: Settings, name: str, ip: str, now: float, *, ok: bool, action: str) -> None:
    if action != audit.LOGIN_LOCKED:  # refused attempts do not extend the lockout
        con.execute("INSERT INTO login_attempts (user, ip, at, ok) VALUES (?, ?, ?, ?)", (name, ip, now, int(ok)))
    if ok:  # a success forgives this user's earlier failures
        con.execute("DELETE FROM login_attempts WHERE user = ? AND ok = 0", (name,))
    con.execute("DELETE FROM login_attempts WHERE at < ?", (now - 86400,))
    audit.record(settings, name, action, ip=ip, con=con)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()
