"""How to reach a dashboard user with e-mail alerts: address, language, and alerts on or off.

Kept beside the accounts (``user_contacts`` in the accounts database): an address is account
data, not a learning record. Set with ``lat users contact``; read by :mod:`lat.alerts`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lat.access import audit, authdb
from lat.access.roles import User
from lat.access.users import get_user
from lat.config import Settings
from lat.errors import LatError

LANGUAGES = ("en", "pl")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Contact:
    """A user with an e-mail address."""

    user: User
    email: str
    language: str
    alerts: bool


def set_contact(settings: Settings, name: str, *, email: str, language: str = "en", alerts: bool = True, actor: str | None = None) -> Contact:
    """Give user ``name`` an address (replacing any), a language and alerts on or off."""
    if not _EMAIL.match(email):
        raise LatError(f"{email!r} is not an e-mail address (name@domain.tld).")
    if language not in LANGUAGES:
        raise LatError(f"Language {language!r}: choose one of {', '.join(LANGUAGES)}.")
    with authdb.session(settings) as con, authdb.transaction(con):
        user = get_user(settings, name, con=con)
        if user is None:
            raise LatError(f"No user {name!r}: see 'lat users list'.")
        con.execute(
            "INSERT INTO user_contacts (user, email, language, alerts) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user) DO UPDATE SET email = excluded.email, language = excluded.language, alerts = excluded.alerts",
            (name, email, language, int(alerts)),
        )
        detail = {"alerts": alerts, "language": language}
        audit.record(settings, actor or audit.cli_actor(), audit.CONTACT_CHANGED, target=name, detail=detail, con=con)
    return Contact(user, email, language, alerts)


def set_alerts(settings: Settings, name: str, alerts: bool, *, actor: str | None = None) -> None:
    """Turn user ``name``'s alerts on or off (they need an address first)."""
    with authdb.session(settings) as con, authdb.transaction(con):
        if con.execute("UPDATE user_contacts SET alerts = ? WHERE user = ?", (int(alerts), name)).rowcount == 0:
            raise LatError(f"User {name!r} has no e-mail address: 'lat users contact {name} --email ...' first.")
        audit.record(settings, actor or audit.cli_actor(), audit.CONTACT_CHANGED, target=name, detail={"alerts": alerts}, con=con)


def alert_contacts(settings: Settings) -> list[Contact]:
    """Every user with an address and alerts on, by name."""
    with authdb.session(settings) as con:
        rows = con.execute("SELECT user, email, language FROM user_contacts WHERE alerts = 1 ORDER BY user").fetchall()
        return [Contact(user, row["email"], row["language"], True) for row in rows if (user := get_user(settings, row["user"], con=con)) is not None]
