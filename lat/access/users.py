"""Dashboard users: their role, their scope (schools, hubs, mentor persons) and passwords.

Roles and what they may see are described in docs/access-control.md; the rules themselves
are enforced in :mod:`lat.access.policy`. Nothing here has a default password: accounts get the
password their creator types, or a random one that is shown once.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime

from lat.access import audit, authdb
from lat.access.passwords import hash_password
from lat.access.policy import PublishedRegistry
from lat.access.roles import ADMIN, HUB_COORDINATOR, MENTOR, RESEARCHER, ROLES, SCHOOL_HEAD, User
from lat.config import Settings
from lat.errors import LatError

MIN_PASSWORD_LENGTH = 10
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")

# Which scope kinds each role takes, and which it must have at least one of.
_SCOPE_RULES: dict[str, tuple[set[str], str]] = {
    ADMIN: (set(), "an admin sees everything and takes no --school/--hub/--person"),
    RESEARCHER: (set(), "a researcher sees anonymised aggregates only and takes no --school/--hub/--person"),
    HUB_COORDINATOR: ({"hub"}, "a hub coordinator needs at least one --hub"),
    SCHOOL_HEAD: ({"school"}, "a school head needs --school (their own school)"),
    MENTOR: ({"person", "school"}, "a mentor needs --person (their person id) or --school (their mentor school)"),
}


def validate_name(name: str) -> str:
    """``name`` when it is a valid user name, else a LatError saying which characters are allowed."""
    if not _NAME.match(name):
        raise LatError(f"User name {name!r}: use 1-100 letters, digits and . _ @ + - (starting with a letter or digit).")
    return name


def validate_role(role: str) -> str:
    """``role`` when it is one of the roles, else a LatError listing them."""
    if role not in ROLES:
        raise LatError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    return role


def validate_password(password: str) -> str:
    """``password`` when it is long enough, else a LatError."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise LatError(f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters.")
    return password


def validate_scope(role: str, schools: Iterable[str], hubs: Iterable[str], persons: Iterable[str]) -> None:
    """Raise when the scope does not fit the role (see ``_SCOPE_RULES``)."""
    given = {kind for kind, values in (("school", schools), ("hub", hubs), ("person", persons)) if list(values)}
    allowed, rule = _SCOPE_RULES[role]
    if given - allowed or (allowed and not given & allowed):
        raise LatError(f"Role {role}: {rule}.")


def check_against_registry(settings: Settings, schools: Iterable[str], hubs: Iterable[str], persons: Iterable[str]) -> None:
    """Refuse schools, hubs or mentors unknown to the published registry (when one is published)."""
    registry = PublishedRegistry.load(settings)
    if registry is None:
        return
    for school in schools:
        if school not in registry.school_ids:
            raise LatError(f"School {school!r} is not in the published registry (see 'lat registry list' or re-run 'lat compute').")
    for hub in hubs:
        if hub not in registry.hub_ids:
            raise LatError(f"Hub {hub!r} is not in the published registry; known hubs: {', '.join(sorted(registry.hub_ids)) or 'none'}.")
    for person in persons:
        if person not in registry.mentors:
            raise LatError(f"Person {person!r} is not a mentor in any mentoring pair of the published registry.")


def generate_password() -> str:
    """A random password (about 96 bits), for accounts whose creator does not type one."""
    return secrets.token_urlsafe(12)


def add_user(
    settings: Settings,
    name: str,
    role: str,
    *,
    password: str | None,
    schools: Iterable[str] = (),
    hubs: Iterable[str] = (),
    persons: Iterable[str] = (),
    external: bool = False,
    actor: str | None = None,
    check_registry: bool = True,
) -> User:
    """Create a user; ``password`` None is allowed only for ``external`` (OpenID Connect) accounts."""
    schools, hubs, persons = tuple(dict.fromkeys(schools)), tuple(dict.fromkeys(hubs)), tuple(dict.fromkeys(persons))
    validate_name(name)
    validate_role(role)
    validate_scope(role, schools, hubs, persons)
    if password is None and not external:
        raise LatError("A password is required for a local account.")
    if check_registry:
        check_against_registry(settings, schools, hubs, persons)
    hashed = hash_password(validate_password(password)) if password is not None else None
    with authdb.session(settings) as con, authdb.transaction(con):
        if con.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise LatError(f"User {name!r} exists already; remove it first or use 'lat users passwd'.")
        con.execute(
            "INSERT INTO users (name, role, password_hash, external, created_at) VALUES (?, ?, ?, ?, ?)",
            (name, role, hashed, int(external), datetime.now(UTC).isoformat(timespec="seconds")),
        )
        _write_scopes(con, name, schools, hubs, persons)
        audit.record(settings, actor or audit.cli_actor(), audit.USER_ADDED, target=name, detail={"role": role}, con=con)
    user = get_user(settings, name)
    assert user is not None
    return user


def update_external_user(settings: Settings, name: str, role: str, schools: Iterable[str], hubs: Iterable[str], persons: Iterable[str]) -> User:
    """Create or refresh an account provisioned by the identity provider (role and scope from its claims)."""
    schools, hubs, persons = tuple(schools), tuple(hubs), tuple(persons)
    validate_name(name)
    validate_role(role)
    validate_scope(role, schools, hubs, persons)
    existing = get_user(settings, name)
    if existing is not None and not existing.external:
        raise LatError(f"User {name!r} is a local account; the identity provider may not sign in as it.")
    if existing is None:
        return add_user(settings, name, role, password=None, schools=schools, hubs=hubs, persons=persons, external=True, actor="oidc", check_registry=False)
    with authdb.session(settings) as con, authdb.transaction(con):
        con.execute("UPDATE users SET role = ? WHERE name = ?", (role, name))
        con.execute("DELETE FROM user_scopes WHERE user = ?", (name,))
        _write_scopes(con, name, schools, hubs, persons)
    user = get_user(settings, name)
    assert user is not None
    return user


def get_user(settings: Settings, name: str, *, con: sqlite3.Connection | None = None) -> User | None:
    """The user called ``name``, or None."""
    if con is None:
        with authdb.session(settings) as own:
            return get_user(settings, name, con=own)
    row = con.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        return None
    scopes: dict[str, list[str]] = {"school": [], "hub": [], "person": []}
    for kind, value in con.execute("SELECT kind, value FROM user_scopes WHERE user = ? ORDER BY value", (name,)):
        scopes[kind].append(value)
    return User(row["name"], row["role"], tuple(scopes["school"]), tuple(scopes["hub"]), tuple(scopes["person"]), bool(row["external"]), row["created_at"])


def list_users(settings: Settings) -> list[User]:
    """Every user, by name."""
    with authdb.session(settings) as con:
        names = [r["name"] for r in con.execute("SELECT name FROM users ORDER BY name")]
        return [u for n in names if (u := get_user(settings, n, con=con)) is not None]


def remove_user(settings: Settings, name: str, *, actor: str | None = None) -> None:
    """Delete a user, their scopes and their sessions (signed out at once)."""
    with authdb.session(settings) as con, authdb.transaction(con):
        if con.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 0:
            raise LatError(f"No user {name!r} (see 'lat users list').")
        audit.record(settings, actor or audit.cli_actor(), audit.USER_REMOVED, target=name, con=con)


def set_password(settings: Settings, name: str, password: str, *, actor: str | None = None) -> None:
    """Change a password and end the user's sessions (a changed password signs everyone out)."""
    hashed = hash_password(validate_password(password))
    with authdb.session(settings) as con, authdb.transaction(con):
        if con.execute("UPDATE users SET password_hash = ?, external = 0 WHERE name = ?", (hashed, name)).rowcount == 0:
            raise LatError(f"No user {name!r} (see 'lat users list').")
        con.execute("DELETE FROM sessions WHERE user = ?", (name,))
        audit.record(settings, actor or audit.cli_actor(), audit.PASSWORD_CHANGED, target=name, con=con)


def create_demo_accounts(settings: Settings) -> list[tuple[str, str, str, str]]:
    """One account per role, scoped to real registry entries, each with a fresh random password.

    Returns ``(user, role, scope, password)`` rows for the demo to print once. Running it
    again replaces the demo accounts (and so their passwords).
    """
    registry = PublishedRegistry.load(settings)
    if registry is None or not registry.school_ids:
        raise LatError("No registry marts are published: run 'lat registry import' and 'lat compute' first.")
    hub = sorted(registry.hub_ids)[0]
    hub_schools = registry.schools_of_hubs([hub])
    mentors = sorted(m for m in registry.mentors if registry.mentees_of([m]) & hub_schools)
    mentor = mentors[0] if mentors else None
    # The head runs one of the demo mentor's mentee schools, so both logins tell the
    # mentoring story (a mentor school's head would see no mentoring timeline).
    mentees = sorted(registry.mentees_of([mentor]) & hub_schools) if mentor else []
    school = mentees[0] if mentees else sorted(hub_schools)[0]
    plans: list[tuple[str, str, dict[str, tuple[str, ...]]]] = [
        ("demo-admin", ADMIN, {}),
        ("demo-coordinator", HUB_COORDINATOR, {"hubs": (hub,)}),
        ("demo-head", SCHOOL_HEAD, {"schools": (school,)}),
        ("demo-researcher", RESEARCHER, {}),
    ]
    if mentor is not None:
        kind = "schools" if mentor in registry.school_ids else "persons"
        plans.insert(2, ("demo-mentor", MENTOR, {kind: (mentor,)}))
    rows = []
    for name, role, scope in plans:
        if get_user(settings, name) is not None:
            remove_user(settings, name, actor="demo")
        password = generate_password()
        user = add_user(
            settings,
            name,
            role,
            password=password,
            actor="demo",
            schools=scope.get("schools", ()),
            hubs=scope.get("hubs", ()),
            persons=scope.get("persons", ()),
        )
        rows.append((user.name, user.role, user.scope_text(), password))
    return rows


def _write_scopes(con: sqlite3.Connection, name: str, schools: Iterable[str], hubs: Iterable[str], persons: Iterable[str]) -> None:
    rows = [(name, "school", s) for s in schools] + [(name, "hub", h) for h in hubs] + [(name, "person", p) for p in persons]
    con.executemany("INSERT INTO user_scopes (user, kind, value) VALUES (?, ?, ?)", rows)
