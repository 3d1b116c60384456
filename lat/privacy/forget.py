"""Erasure (``lat forget``): remove one person from the store and from everything derived from it.

What happens to a statement depends on where the person appears in it:

- the person is the **actor**, or the **object** (an Agent or Group that is the person, or a
  SubStatement whose actor or object is the person): the statement is about them and is
  deleted;
- the person appears only **beside** someone else's statement (``context.instructor``, a
  member of ``context.team``, a member of a group actor or object, the ``authority``, or the
  context of a SubStatement): the statement belongs to the other people and is kept, with
  each of the person's agent objects replaced by one anonymous placeholder
  (:data:`ERASED_AGENT`) and any remaining mention of the identifier in text replaced by
  ``[erased]``; ``actor_key`` and the flattened text columns are recomputed.

Rows of ``rejected`` and ``conflicts`` whose raw text (or reason) contains the identifier
are deleted, and so are the person's ``people`` rows and the mentoring pairs in which their
person id is the mentor. The marts are then recomputed in full, older mart versions
removed, and the DuckDB file rewritten (:func:`compact_store`) so deleted bytes leave the
disk. The audit log gets the SHA-256 of the actor key and the counts, never the data.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sized
from dataclasses import asdict, dataclass
from typing import Any

import duckdb

from lat.access import audit
from lat.config import Settings
from lat.errors import LatError
from lat.store import database as store
from lat.store.marts import Compute
from lat.store.rows import flatten
from lat.xapi.fields import actor_key, normalise_actor

ERASED_HOMEPAGE = "https://w3id.org/xapi/lat/erased"
ERASED_AGENT: dict[str, Any] = {"objectType": "Agent", "account": {"homePage": ERASED_HOMEPAGE, "name": "erased"}}
ERASED_TEXT = "[erased]"


@dataclass
class Erasure:
    """What one erasure did (counts only)."""

    actor_hash: str
    statements_deleted: int = 0
    statements_redacted: int = 0
    rejected_deleted: int = 0
    conflicts_deleted: int = 0
    people_deleted: int = 0
    mentoring_deleted: int = 0
    marts_recomputed: bool = False
    mart_versions_removed: int = 0
    linked_users: int = 0  # dashboard accounts scoped to the person (left for an admin to remove)


@dataclass(frozen=True)
class Identity:
    """Everything that identifies the person: actor keys, raw-text needles, person ids."""

    keys: frozenset[str]
    needles: frozenset[str]  # lower-case substrings that betray the person in raw JSON text
    person_ids: frozenset[str]

    @property
    def text_needles(self) -> frozenset[str]:
        """Needles distinctive enough to blank in free text: email addresses, SHA-1s, URIs.
        (An account name such as ``12`` could be part of a date; it is matched as an agent only.)"""
        return frozenset(n for n in self.needles if "@" in n or "://" in n or len(n) == 40)


def forget(settings: Settings, actor: str, *, recompute: Compute | None = None, actor_name: str | None = None) -> Erasure:
    """Erase the person identified by ``actor`` (an actor string or a registry person id);
    ``recompute`` (the pipelines' compute) rebuilds the marts from what is left."""
    with store.session(settings) as con:
        identity = resolve(con, actor)
        erasure = Erasure(actor_hash=hash_key(min(identity.keys)))
        con.execute("BEGIN TRANSACTION")
        try:
            _erase_statements(con, identity, erasure)
            _erase_side_tables(con, identity, erasure)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    if recompute is not None:
        erasure.marts_recomputed = recompute_marts(settings, recompute)
        erasure.mart_versions_removed = drop_old_mart_versions(settings)
    compact_store(settings)
    erasure.linked_users = _linked_users(settings, identity)
    audit.record(
        settings,
        actor_name or audit.cli_actor(),
        audit.ERASURE,
        target=f"sha256:{erasure.actor_hash}",
        detail={k: v for k, v in asdict(erasure).items() if k != "actor_hash"},
    )
    return erasure


def hash_key(key: str) -> str:
    """The SHA-256 of an actor key, in hex (what an erasure records instead of the person)."""
    return hashlib.sha256(key.encode()).hexdigest()


# --- who is it -----------------------------------------------------------------------------------


def resolve(con: duckdb.DuckDBPyConnection, actor: str) -> Identity:
    """Actor keys and person ids for ``actor``: an actor string as the registry takes it
    (``mailto:``, ``sha1:``, ``homePage|name``, an openid URI), a bare email address, or a
    person id from the registry."""
    text = actor.strip()
    people = con.execute("SELECT person_id, actor FROM people WHERE person_id = ?", [text]).fetchall()
    if people:
        keys = {a for _, a in people if a}
        if not keys:
            raise LatError(f"Person {text!r} has no actor in the registry: give the actor (mailto:..., homePage|name, ...) instead.")
    else:
        try:
            keys = {normalise_actor(f"mailto:{text}" if "@" in text and ":" not in text else text)}
        except ValueError as exc:
            raise LatError(f"ACTOR: {exc}; or give a person id from the registry.") from None
    for key in list(keys):  # the same mailbox may also appear as its mbox_sha1sum
        if key.startswith("mailto:"):
            keys.add("sha1:" + hashlib.sha1(key.encode()).hexdigest())
    person_ids = {p for (p,) in con.execute(f"SELECT person_id FROM people WHERE actor IN ({_marks(keys)})", sorted(keys)).fetchall()} | {p for p, _ in people}
    return Identity(frozenset(keys), frozenset(n for k in keys for n in _needles(k)), frozenset(person_ids))


def _needles(key: str) -> list[str]:
    if key.startswith("mailto:"):
        return [key[len("mailto:") :].lower()]
    if key.startswith("sha1:"):
        return [key[len("sha1:") :].lower()]
    if "|" in key and not key.startswith("group:"):
        return [key.partition("|")[2].lower()]  # the account name; matches are confirmed by parsing
    return [key.lower()]


# --- statements ------------------------------------------------------------------------------------


def _erase_statements(con: duckdb.DuckDBPyConnection, who: Identity, erasure: Erasure) -> None:
    contains = " OR ".join(["contains(lower(CAST(raw AS VARCHAR)), ?)"] * len(who.needles))
    rows = con.execute(
        f"SELECT id, CAST(raw AS VARCHAR) FROM statements WHERE actor_key IN ({_marks(who.keys)}) OR {contains}",
        [*sorted(who.keys), *sorted(who.needles)],
    ).fetchall()
    deleted: list[str] = []
    for statement_id, raw in rows:
        stmt = json.loads(raw)
        if _is_about(stmt, who.keys):
            deleted.append(str(statement_id))
            continue
        redacted = _redact(stmt, who)
        if redacted != stmt:
            _rewrite(con, str(statement_id), redacted)
            erasure.statements_redacted += 1
    if deleted:
        con.execute(f"DELETE FROM statements WHERE id IN ({_marks(deleted)})", deleted)
    erasure.statements_deleted = len(deleted)


def _is_about(stmt: dict[str, Any], keys: frozenset[str]) -> bool:
    """The person is the statement's actor or object (directly or in a SubStatement)."""
    if actor_key(stmt.get("actor")) in keys:
        return True
    obj = stmt.get("object") or {}
    if obj.get("objectType") in ("Agent", "Group") and actor_key(obj) in keys:
        return True
    return obj.get("objectType") == "SubStatement" and _is_about(obj, keys)


def _redact(value: Any, who: Identity) -> Any:
    """A copy with the person's agent objects replaced and text mentions blanked."""
    if isinstance(value, dict):
        if _is_agent(value) and actor_key(value) in who.keys:
            return dict(ERASED_AGENT)
        return {k: _redact(v, who) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, who) for v in value]
    if isinstance(value, str):
        return _blank(value, who.text_needles)
    return value


def _is_agent(value: dict[str, Any]) -> bool:
    return any(k in value for k in ("mbox", "mbox_sha1sum", "openid", "account")) and value.get("objectType", "Agent") in ("Agent", "Group")


def _blank(text: str, needles: frozenset[str]) -> str:
    lower = text.lower()
    for needle in needles:
        start = lower.find(needle)
        while start != -1:
            text = text[:start] + ERASED_TEXT + text[start + len(needle) :]
            lower = text.lower()
            start = lower.find(needle, start + len(ERASED_TEXT))
    return text


def _rewrite(con: duckdb.DuckDBPyConnection, statement_id: str, stmt: dict[str, Any]) -> None:
    """Store the redacted statement and refresh the columns flattened from it."""
    flat = flatten(stmt)
    con.execute(
        "UPDATE statements SET raw = ?, actor_key = ?, response = ?, context_extensions = ?, result_extensions = ? WHERE id = ?",
        [
            json.dumps(stmt, separators=(",", ":")),
            flat["actor_key"],
            flat["response"],
            flat["context_extensions"],
            flat["result_extensions"],
            statement_id,
        ],  # JSON text already
    )


# --- rejected, conflicts, registry ----------------------------------------------------------------


def _erase_side_tables(con: duckdb.DuckDBPyConnection, who: Identity, erasure: Erasure) -> None:
    needles = sorted(who.needles)
    for table, field in (("rejected", "rejected_deleted"), ("conflicts", "conflicts_deleted")):
        text = "lower(coalesce(raw, '') || ' ' || coalesce(reason, ''))" if table == "rejected" else "lower(coalesce(raw, ''))"
        where = " OR ".join([f"contains({text}, ?)"] * len(needles))
        count = con.execute(f"SELECT count(*) FROM {table} WHERE {where}", needles).fetchall()[0][0]
        con.execute(f"DELETE FROM {table} WHERE {where}", needles)
        setattr(erasure, field, count)
    ids, keys = sorted(who.person_ids), sorted(who.keys)
    if ids:
        erasure.mentoring_deleted = _delete(con, f"FROM mentoring WHERE mentor IN ({_marks(ids)})", ids)
    erasure.people_deleted = _delete(con, f"FROM people WHERE actor IN ({_marks(keys)})" + (f" OR person_id IN ({_marks(ids)})" if ids else ""), keys + ids)


def _delete(con: duckdb.DuckDBPyConnection, where: str, args: list[str]) -> int:
    count = con.execute(f"SELECT count(*) {where}", args).fetchall()[0][0]
    con.execute(f"DELETE {where}", args)
    return int(count)


# --- derived data ----------------------------------------------------------------------------------


def compact_store(settings: Settings) -> None:
    """Rewrite ``lat.duckdb`` into a fresh file so that deleted rows are gone from the disk too.

    DuckDB leaves deleted data in freed blocks of the file until they are reused; a copy of
    the database holds only live rows. The copy is made while this process holds the store
    (no other writer can start), then renamed over the old file in one atomic step.
    """
    fresh = settings.db_path.with_name(f".{settings.db_path.name}.compact")
    fresh.unlink(missing_ok=True)
    with store.session(settings) as con:
        con.execute("CHECKPOINT")
        name = con.execute("SELECT current_database()").fetchall()[0][0]
        con.execute(f"ATTACH '{fresh}' AS lat_compact")
        try:
            con.execute(f'COPY FROM DATABASE "{name}" TO lat_compact')
        finally:
            con.execute("DETACH lat_compact")
        os.replace(fresh, settings.db_path)  # checkpointed and unchanged since: no WAL to carry over


def recompute_marts(settings: Settings, compute: Compute) -> bool:
    """Recompute every mart in full, when marts were published before."""
    if not (settings.marts_dir / "current").exists():
        return False  # nothing derived yet
    compute(settings, full=True)
    return True


def drop_old_mart_versions(settings: Settings) -> int:
    """Remove every mart version but the current one: older ones still hold erased data."""
    link = settings.marts_dir / "current"
    if not link.exists():
        return 0
    current = link.resolve()
    old = [p for p in settings.marts_dir.glob("v*") if p.is_dir() and p.resolve() != current]
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
    return len(old)


def _linked_users(settings: Settings, who: Identity) -> int:
    if not who.person_ids:
        return 0
    from lat.access import authdb

    with authdb.session(settings) as con:
        ids = sorted(who.person_ids)
        return int(con.execute(f"SELECT count(DISTINCT user) FROM user_scopes WHERE kind = 'person' AND value IN ({_marks(ids)})", ids).fetchone()[0])


def _marks(values: Sized) -> str:
    return ", ".join("?" * len(values))
