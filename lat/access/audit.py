"""The audit log: who did what, when (logins, failed logins, logouts, exports, erasures).

Rows live in the ``audit`` table of ``auth.sqlite`` (see :mod:`lat.access.authdb`), which every
process may write. Details are a small JSON object; they never hold the personal data of
the people in the statements (an erasure records a hash of the actor key and counts).
"""

from __future__ import annotations

import getpass
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lat.access import authdb
from lat.config import Settings
from lat.errors import LatError

# The actions written by LAT itself; other modules may add their own verbs.
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_LOCKED = "login_locked"
LOGOUT = "logout"
EXPORT = "export"
ERASURE = "erasure"
RETENTION = "retention"
USER_ADDED = "user_added"
USER_REMOVED = "user_removed"
PASSWORD_CHANGED = "password_changed"
ACCESS_DENIED = "access_denied"
CONTACT_CHANGED = "contact_changed"
ALERT_SENT = "alert_sent"


@dataclass(frozen=True)
class Entry:
    """One audit-log row."""

    seq: int
    at: str
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any]
    ip: str | None


def cli_actor() -> str:
    """The actor recorded for a command run from the shell: ``cli:<os user>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (containers)
        return "cli:unknown"


def record(
    settings: Settings,
    actor: str,
    action: str,
    *,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    con: sqlite3.Connection | None = None,
) -> None:
    """Append one entry (pass ``con`` to write inside an open connection or transaction)."""
    row = (_now(), actor, action, target, json.dumps(detail or {}, sort_keys=True, default=str), ip)
    sql = "INSERT INTO audit (at, actor, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?)"
    if con is not None:
        con.execute(sql, row)
        return
    with authdb.session(settings) as own:
        own.execute(sql, row)


def read(settings: Settings, *, since: datetime | None = None, action: str | None = None) -> list[Entry]:
    """Entries in order, optionally from ``since`` (UTC when naive) and of one action."""
    sql, args = "SELECT * FROM audit WHERE 1=1", []
    if since is not None:
        sql += " AND at >= ?"
        args.append(_iso(since))
    if action is not None:
        sql += " AND action = ?"
        args.append(action)
    with authdb.session(settings) as con:
        rows = con.execute(sql + " ORDER BY seq", args).fetchall()
    return [Entry(r["seq"], r["at"], r["actor"], r["action"], r["target"], json.loads(r["detail"] or "{}"), r["ip"]) for r in rows]


def parse_since(text: str) -> datetime:
    """``--since`` values: an ISO date or date-time, or ``7d`` / ``12h`` (that long ago)."""
    text = text.strip()
    units = {"d": 86400, "h": 3600, "m": 60}
    if text[:-1].isdigit() and text[-1:] in units:
        return datetime.now(UTC) - timedelta(seconds=int(text[:-1]) * units[text[-1]])
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise LatError(f"--since {text!r}: expected a date (2025-03-01), a date-time, or an age such as 7d or 12h.") from None


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _now() -> str:
    return _iso(datetime.now(UTC))
