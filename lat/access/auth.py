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

from lat import keyfiles
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
    return keyfiles.secret(settings, "session_secret", "session.key")


def login(settings: Settings, name: str, password: str, ip: str) -> User:
    """Check a password, enforcing the lockout; record the attempt and audit it.

    Raises :class:`LockedOut` while ``login_max_failures`` failures for this user name or
    from this address lie within the last ``login_lockout_minutes`` (checked *before* the
    password, so a locked account gives no hint whether a guess was right).

    The attempt is counted as a failure *before* the password is checked, in the same
    write transaction as the lockout check (:func:`_reserve`); a right password turns it
    into a success afterwards. So parallel guesses (threads of one server, or several
    dashboard processes sharing ``auth.sqlite``) cannot all pass the check before any of
    them is recorded: at most ``login_max_failures`` passwords are ever checked per window.
    The argon2 check itself runs outside any transaction, so a login of another user does
    not wait for it.
    """
    now = time.time()
    with authdb.session(settings) as con:
        reserved = _reserve(con, settings, name, ip, now)
        if reserved is None:
            raise LockedOut(f"Too many failed logins: try again in {settings.login_lockout_minutes} minutes.")
        attempt, stored_hash = reserved
        ok = verify_password(stored_hash, password)
        # argon2 again, only when the parameters were raised since it was set; outside the transaction too
        new_hash = hash_password(password) if ok and stored_hash and needs_rehash(stored_hash) else None
        with authdb.transaction(con):
            if ok:
                # a success forgives this user's failures (its own reservation becomes the success)
                con.execute("DELETE FROM login_attempts WHERE user = ? AND ok = 0 AND rowid <> ?", (name, attempt))
                con.execute("UPDATE login_attempts SET ok = 1 WHERE rowid = ?", (attempt,))
                if new_hash is not None:
                    con.execute("UPDATE users SET password_hash = ? WHERE name = ?", (new_hash, name))
            audit.record(settings, name, audit.LOGIN if ok else audit.LOGIN_FAILED, ip=ip, con=con)
        if not ok:
            raise LoginRefused("Wrong user name or password.")
        user = get_user(settings, name, con=con)
    if user is None:  # removed between the check and now
        raise LoginRefused("Wrong user name or password.")
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


def _reserve(con: sqlite3.Connection, settings: Settings, name: str, ip: str, now: float) -> tuple[int, str | None] | None:
    """In one write transaction: check the lockout and, when not locked, record this attempt
    as a failure. Returns (the attempt's rowid, the user's password hash or None), or None
    when locked out (that refusal is audited and not counted: refused attempts do not extend
    the lockout).

    ``BEGIN IMMEDIATE`` takes SQLite's write lock before the counts are read, so no other
    thread or process can count the same failures before this attempt is among them.
    """
    since = now - settings.login_lockout_minutes * 60
    limit = settings.login_max_failures
    with authdb.transaction(con):
        con.execute("DELETE FROM login_attempts WHERE at < ?", (now - 86400,))
        failures = con.execute(
            "SELECT (SELECT count(*) FROM login_attempts WHERE user = ? AND ok = 0 AND at > ?),"
            "       (SELECT count(*) FROM login_attempts WHERE ip = ? AND ok = 0 AND at > ?)",
            (name, since, ip, since),
        ).fetchone()
        if failures[0] >= limit or failures[1] >= limit:
            audit.record(settings, name, audit.LOGIN_LOCKED, ip=ip, con=con)
            return None
        attempt = con.execute("INSERT INTO login_attempts (user, ip, at, ok) VALUES (?, ?, ?, 0)", (name, ip, now)).lastrowid
        row = con.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
    assert attempt is not None
    return attempt, row["password_hash"] if row else None


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()
